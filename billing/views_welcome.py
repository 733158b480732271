"""The plan choice right after sign-up ("choose your plan"), on the enterprise's host at /billing/welcome/.

The public sign-up (tenants.views.signup) asks tenants.signup_steps where the new owner lands; billing
registers ``plan_step`` there (billing/apps.py), so the log-in hand-off to the enterprise's host lands on this
page instead of the dashboard when plans are offered. The page shows the plans side by side; the free plan
needs no payment, a paid plan starts its trial by card (tokenised through the provider) or by corporate bank
transfer, through the same ``subscription_start`` as the owner's billing page. Then the entitlements apply
(the plan's modules switch on, the others off) and the owner lands on the dashboard with its welcome.

"Decide later" leaves the enterprise as provisioned (no subscription: every module as today) and the owner
can choose on /billing/ at any time. Only the owner: a member below gets 403, a non-member 404 (another
enterprise's page is not found). Once the enterprise has a subscription this page sends to /billing/."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from billing import selectors
from billing.forms import PlanChoiceForm
from billing.models import Interval, Subscription
from billing.services import invoices as invoice_services
from billing.services import subscriptions as services
from billing.views import _card_token, owner_required
from core.forms import form_errors_from

DASHBOARD_WELCOME = "/?welcome=1"  # tenants' dashboard shows "<enterprise> is ready." once, then itself


def plan_step(enterprise, request) -> str | None:
    """tenants.signup_steps: after sign-up, the plan choice first when plans are offered and the enterprise
    has never subscribed (the path is on the enterprise's host, reached through the log-in hand-off)."""
    if not selectors.plans_offered().exists():
        return None
    if Subscription.objects.filter(enterprise=enterprise).exists():
        return None
    return reverse("billing_tenant:welcome", urlconf=settings.ROOT_URLCONF)


def _plan_cards(form) -> list[dict]:
    chosen = str(form["plan"].value() or "")
    return [{"plan": plan, "name": selectors.plan_name(plan), "modules": selectors.module_labels(plan),
             "checked": str(plan.pk) == chosen}
            for plan in selectors.plans_offered()]


def _render(request, form, status=200):
    chosen = form["payment_method"].value() or Subscription.PaymentMethod.CARD
    return render(request, "billing/welcome.html", {
        "form": form, "plans": _plan_cards(form), "method": chosen,
        "interval": form["interval"].value() or Interval.MONTH, "bank": invoice_services.bank_account(),
    }, status=status)


@owner_required
def welcome(request):
    enterprise = request.enterprise
    if selectors.subscription_current(enterprise=enterprise) is not None:
        return redirect("billing_tenant:overview")
    plans = selectors.plans_offered()
    if request.method != "POST":
        return _render(request, PlanChoiceForm(plans=plans, initial={"interval": Interval.MONTH}))
    form = PlanChoiceForm(request.POST, plans=plans)
    if form.is_valid():
        data = form.cleaned_data
        plan = data["plan"]
        method = Subscription.PaymentMethod.NONE if plan.is_free else (
            data["payment_method"] or Subscription.PaymentMethod.CARD)
        token = _card_token(form) if method == Subscription.PaymentMethod.CARD else ""
        if not form.errors:
            try:
                subscription = services.subscription_start(
                    enterprise=enterprise, plan=plan, actor=request.user, interval=data["interval"],
                    payment_method=method, card_token=token, extra_seats=data["extra_seats"])
            except ValidationError as exc:
                form_errors_from(form, exc)
            else:
                if subscription.trial_end:
                    end = timezone.localtime(subscription.trial_end).date().isoformat()
                    messages.success(request, _("You are now on %(plan)s; the trial runs until %(end)s.") % {
                        "plan": selectors.plan_name(plan), "end": end})
                else:
                    messages.success(request, _("You are now on %(plan)s.") % {"plan": selectors.plan_name(plan)})
                return redirect(DASHBOARD_WELCOME)
    form.data = form.data.copy()
    for name in ("card_number", "card_exp", "card_cvc"):  # never echo a card back into the page
        form.data[name] = ""
    return _render(request, form, status=400)
