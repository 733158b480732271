from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    """Subscriptions of the ASP platform (PUBLIC schema): plans, subscriptions, invoices, payments, the
    subsidy share of pilot programmes, and the payment providers' events. Provider-neutral at its core;
    Stripe is one adapter (billing.providers). See docs/billing.md."""

    name = "billing"
    label = "billing"
    verbose_name = _("Billing")

    def ready(self):
        from billing.demo import seed_billing_demo
        from billing.views_welcome import plan_step
        from core.demo import demo_seeder_register
        from tenants.signup_steps import signup_next_step_register

        # after the office (90): the ERP pilot has enrolled the demo enterprise it subsidises
        demo_seeder_register(key="billing", order=95, seed=seed_billing_demo)
        # after sign-up the new owner chooses the plan first (/billing/welcome/), then lands on the dashboard
        signup_next_step_register(key="plan", order=10, step=plan_step)
