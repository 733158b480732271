from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    """Subscriptions of the ASP platform (PUBLIC schema): plans, subscriptions, invoices, payments, the
    subsidy share of pilot programmes, and the payment providers' events. Provider-neutral at its core;
    Stripe is one adapter (billing.providers). See docs/billing.md."""

    name = "billing"
    label = "billing"
    verbose_name = _("Billing")
