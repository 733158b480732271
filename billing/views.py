"""The owner's billing pages on the enterprise host (billing/urls_tenant.py, mounted at /billing/): the
current plan and what it includes, the plans to compare and change to, cancelling, the payment method,
the invoices with their PDF and the fapiao request form. Only the enterprise's owner: a member below is
shown the "not allowed" page (403), a visitor who is not a member gets 404. Another enterprise's
subscription or invoice id is "not found" (the selectors scope every fetch to request.enterprise)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from billing import selectors
from billing.forms import CardForm, FapiaoRequestForm, PaymentMethodForm, PlanChoiceForm
from billing.models import FapiaoRequest, Interval, Invoice, Subscription
from billing.providers import provider
from billing.providers.base import ProviderError
from billing.services import invoices as invoice_services
from billing.services import subscriptions as services
from core.errors import error_messages
from core.forms import form_errors_from
from core.permissions import role_required
from core.tables import Column, Filter, Table
from tenants.models import Role

owner_required = role_required(Role.OWNER)


def _card_token(form) -> str:
    """Tokenise the card typed into the form through the provider (the number is never stored)."""
    card = form.card()
    if card is None:
        return ""
    try:
        return provider().card_tokenize(**card)
    except ProviderError as exc:
        form.add_error("card_number", _("The card was refused: %(error)s") % {"error": exc})
        return ""


def _plan_rows(current: Subscription | None):
    rows = []
    for plan in selectors.plans_offered():
        rows.append({"plan": plan, "name": selectors.plan_name(plan), "modules": selectors.module_labels(plan),
                     "current": current is not None and current.plan_id == plan.pk,
                     "pending": current is not None and current.pending_plan_id == plan.pk})
    return rows


def _overview_context(request, *, form=None, card_form=None, method_form=None):
    enterprise = request.enterprise
    current = selectors.subscription_current(enterprise=enterprise)
    initial = {"interval": current.interval if current else Interval.MONTH,
               "extra_seats": current.extra_seats if current else 0,
               "plan": current.plan_id if current else None}
    return {
        "subscription": current, "plans": _plan_rows(current),
        "current_modules": selectors.module_labels(current.plan) if current else [],
        "current_name": selectors.plan_name(current.plan) if current else "",
        "pending_name": selectors.plan_name(current.pending_plan or current.plan) if current else "",
        "seats_used": selectors.seats_used(enterprise=enterprise),
        "next_invoice_on": selectors.next_invoice_on(current),
        "needs_payment_method": current is None or current.plan.is_free,
        "form": form or PlanChoiceForm(plans=selectors.plans_offered(), initial=initial),
        "card_form": card_form or (CardForm() if current and current.payment_method == "card" else None),
        "method_form": method_form or (PaymentMethodForm(initial={"payment_method": current.payment_method})
                                       if current and not current.plan.is_free else None),
        "bank": invoice_services.bank_account(),
        "open_invoices": selectors.invoice_list(enterprise=enterprise).filter(status=Invoice.Status.OPEN)[:5],
    }


@owner_required
def overview(request):
    return render(request, "billing/overview.html", _overview_context(request))


@owner_required
@require_POST
def plan_choose(request):
    enterprise = request.enterprise
    form = PlanChoiceForm(request.POST, plans=selectors.plans_offered())
    current = selectors.subscription_current(enterprise=enterprise)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if current is None or current.plan.is_free:
                method = data["payment_method"] or Subscription.PaymentMethod.CARD
                token = _card_token(form) if method == Subscription.PaymentMethod.CARD and \
                    not data["plan"].is_free else ""
                if not form.errors:
                    services.subscription_start(enterprise=enterprise, plan=data["plan"], actor=request.user,
                                                interval=data["interval"], payment_method=method, card_token=token,
                                                extra_seats=data["extra_seats"])
                    messages.success(request, _("You are now on %(plan)s.") % {
                        "plan": selectors.plan_name(data["plan"])})
                    return redirect("billing_tenant:overview")
            else:
                result = services.subscription_change(subscription=current, actor=request.user, plan=data["plan"],
                                                      interval=data["interval"], extra_seats=data["extra_seats"])
                if result.when == "period_end":
                    messages.info(request, _("%(plan)s starts at the end of the current period; until then "
                                             "nothing changes.") % {"plan": selectors.plan_name(data["plan"])})
                elif result.prorated_amount is not None:
                    messages.success(request, _("Changed to %(plan)s now; the prorated amount is ¥%(amount)s.") % {
                        "plan": selectors.plan_name(data["plan"]), "amount": f"{result.prorated_amount:,.2f}"})
                else:
                    messages.success(request, _("Changed to %(plan)s now.") % {
                        "plan": selectors.plan_name(data["plan"])})
                return redirect("billing_tenant:overview")
        except ValidationError as exc:
            form_errors_from(form, exc)
    form.data = form.data.copy()
    for name in ("card_number", "card_exp", "card_cvc"):  # never echo a card back into the page
        form.data[name] = ""
    return render(request, "billing/overview.html", _overview_context(request, form=form), status=400)


def _subscription_action(request, pk, action, done: str):
    subscription = selectors.subscription_get(enterprise=request.enterprise, pk=pk)
    try:
        action(subscription=subscription, actor=request.user)
    except ValidationError as exc:
        for message in error_messages(exc):
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect("billing_tenant:overview")


@owner_required
@require_POST
def subscription_cancel(request, pk: int):
    return _subscription_action(request, pk, services.subscription_cancel,
                                _("The subscription ends with the current period; you can withdraw this until then."))


@owner_required
@require_POST
def subscription_cancel_withdraw(request, pk: int):
    return _subscription_action(request, pk, services.subscription_cancel_withdraw,
                                _("The cancellation is withdrawn; the subscription continues."))


@owner_required
@require_POST
def subscription_pending_withdraw(request, pk: int):
    return _subscription_action(request, pk, services.subscription_pending_withdraw,
                                _("The change at the end of the period is withdrawn."))


@owner_required
@require_POST
def card_update(request, pk: int):
    subscription = selectors.subscription_get(enterprise=request.enterprise, pk=pk)
    form = CardForm(request.POST)
    if form.is_valid():
        token = _card_token(form)
        if token:
            try:
                services.subscription_card_update(subscription=subscription, actor=request.user, card_token=token)
            except ValidationError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("The new card will be charged from now on."))
                return redirect("billing_tenant:overview")
        elif not form.errors:
            form.add_error("card_number", _("Enter a card to pay by card."))
    form.data = {}
    return render(request, "billing/overview.html", _overview_context(request, card_form=form), status=400)


@owner_required
@require_POST
def payment_method_switch(request, pk: int):
    subscription = selectors.subscription_get(enterprise=request.enterprise, pk=pk)
    form = PaymentMethodForm(request.POST)
    if form.is_valid():
        method = form.cleaned_data["payment_method"]
        token = _card_token(form) if method == Subscription.PaymentMethod.CARD else ""
        if not form.errors:
            try:
                services.subscription_payment_method_switch(subscription=subscription, actor=request.user,
                                                            payment_method=method, card_token=token)
            except ValidationError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("Payment method changed to %(method)s.") % {
                    "method": Subscription.PaymentMethod(method).label})
                return redirect("billing_tenant:overview")
    form.data = {"payment_method": request.POST.get("payment_method", "")}
    return render(request, "billing/overview.html", _overview_context(request, method_form=form), status=400)


def _invoice_table(request):
    qs = selectors.invoice_list(enterprise=request.enterprise)
    return Table(request, qs, columns=[
        Column("number", _("Number"), sort="number", link=lambda i: f"{i.pk}/pdf/"),
        Column("issued_at", _("Issued"), sort="issued_at"),
        Column("period_start", _("Period from")), Column("period_end", _("Period to")),
        Column("status", _("Status"), sort="status"),
        Column("amount_total", _("Total"), sort="amount_total", money=True, numeric=True),
        Column("subsidy_amount", _("Subsidy share"), money=True, numeric=True),
        Column("amount_due", _("Enterprise share"), money=True, numeric=True),
        Column("amount_paid", _("Paid"), money=True, numeric=True),
        Column("due_on", _("Due"), sort="due_on"),
    ], search_fields=["number"], filters=[Filter("status", _("Status"), choices=Invoice.Status.choices)],
        export_name="invoices", default_sort="-issued_at")


@owner_required
def invoice_list(request):
    table = _invoice_table(request)
    if table.wants_export:
        return table.export_response()
    return render(request, "billing/invoice_list.html", {"table": table})


@owner_required
def invoice_pdf(request, pk: int):
    invoice = selectors.invoice_get(enterprise=request.enterprise, pk=pk)
    response = HttpResponse(invoice_services.invoice_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{invoice_services.invoice_filename(invoice)}"'
    return response


@owner_required
def fapiao_request(request, pk: int):
    invoice = selectors.invoice_get(enterprise=request.enterprise, pk=pk)
    existing = FapiaoRequest.objects.filter(invoice=invoice).first()
    if request.method == "POST" and existing is None:
        form = FapiaoRequestForm(request.POST)
        if form.is_valid():
            try:
                invoice_services.fapiao_request_create(invoice=invoice, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("Fapiao requested for invoice %(number)s.") % {"number": invoice.number})
                return redirect("billing_tenant:invoices")
        status = 400
    else:
        form, status = FapiaoRequestForm(initial=invoice_services.fapiao_defaults(request.enterprise)), 200
    return render(request, "billing/fapiao_form.html", {"invoice": invoice, "form": form, "existing": existing},
                  status=status)
