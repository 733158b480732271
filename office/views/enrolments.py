"""An enrolment's page and what the office records on it: the decision, milestones, subsidies, their
payments, cancellations and clawbacks, withdrawal."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.forms import form_errors_from
from core.templatetags.db_extras import money
from office import selectors, services
from office.adoption import reason_text
from office.forms import CancelForm, ClawbackForm, DecisionForm, GrantForm, MilestoneForm, PaymentForm
from office.models import Enrolment, Milestone, Subsidy
from office.permissions import office_required
from office.tables import evaluations_table, export_first, reversals_table, subsidies_table
from office.views.base import render


def _enrolment(pk: int) -> Enrolment:
    return get_object_or_404(Enrolment.objects.select_related("programme", "enterprise"), pk=pk)


def _enrolment_page(request, enrolment: Enrolment, *, grant_form=None, milestone_errors=None,
                    reversal: dict | None = None, status: int = 200):
    subsidies_tbl = subsidies_table(request, selectors.subsidy_list().filter(enrolment=enrolment),
                                    export_name=f"enrolment-{enrolment.pk}-subsidies", with_programme=False)
    evaluations_tbl = evaluations_table(request, enrolment.adoption_records.all(),
                                        export_name=f"enrolment-{enrolment.pk}-evaluations")
    reversals_tbl = reversals_table(request, selectors.reversal_list(enrolment=enrolment),
                                    export_name=f"enrolment-{enrolment.pk}-reversals", with_enterprise=False)
    exported = export_first(subsidies_tbl, evaluations_tbl, reversals_tbl)
    if exported is not None:
        return exported
    existing = {m.kind: m for m in enrolment.milestones.all()}
    milestones = [{"kind": kind, "label": Milestone.Kind(kind).label, "m": existing.get(kind)}
                  for kind in Milestone.ORDER]
    return render(request, "office/enrolment_detail.html", {
        "enrolment": enrolment, "programme": enrolment.programme, "company": enrolment.enterprise,
        "why": [(r, reason_text(r)) for r in enrolment.adoption_reasons or []],
        "milestones": milestones, "milestone_errors": milestone_errors,
        "subsidies_table": subsidies_tbl, "reversals_table": reversals_tbl,
        "subsidies": list(selectors.subsidy_list().filter(enrolment=enrolment).prefetch_related("payments")),
        # a refused cancellation or clawback: {"subsidy": pk, "action": "cancel" | "clawback", "form": form}
        "reversal": reversal or {},
        "grant_form": grant_form or GrantForm(), "payment_form": PaymentForm(), "decision_form": DecisionForm(),
        "evaluations_table": evaluations_tbl, "enrolled": enrolment.status == Enrolment.Status.ENROLLED,
        "today": timezone.localdate(),
    }, status=status)


def _record_from_form(request, enrolment: Enrolment, form, record, *, success: str, on_page):
    """Record what a valid form holds with `record(cleaned_data)` and go back to the enrolment's page;
    an invalid form or a refusal (each error on its field) shows the page again with the form, placed
    in the page's context by `on_page(form)`."""
    if form.is_valid():
        try:
            record(form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, success)
            return redirect("office:enrolment_detail", pk=enrolment.pk)
    return _enrolment_page(request, enrolment, status=400, **on_page(form))


@office_required
def enrolment_detail(request, pk: int):
    return _enrolment_page(request, _enrolment(pk))


@office_required
@require_POST
def enrolment_decide(request, pk: int):
    enrolment = _enrolment(pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.enrolment_decide(enrolment=enrolment, actor=request.user,
                                      approve=form.cleaned_data["decision"] == "approve",
                                      note=form.cleaned_data["note"])
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(request, _("Decision recorded."))
    return redirect("office:enrolment_detail", pk=enrolment.pk)


@office_required
@require_POST
def enrolment_withdraw(request, pk: int):
    enrolment = _enrolment(pk)
    try:
        services.enrolment_withdraw(enrolment=enrolment, actor=request.user, note=request.POST.get("note", ""))
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("%(name)s is withdrawn from the programme.") % {"name": enrolment.enterprise.name})
    return redirect("office:enrolment_detail", pk=enrolment.pk)


@office_required
@require_POST
def milestone_save(request, pk: int):
    enrolment = _enrolment(pk)
    return _record_from_form(
        request, enrolment, MilestoneForm(request.POST),
        lambda data: services.milestone_record(enrolment=enrolment, actor=request.user, **data),
        success=_("Milestone saved."), on_page=lambda form: {"milestone_errors": form.errors})


@office_required
@require_POST
def subsidy_grant(request, pk: int):
    enrolment = _enrolment(pk)
    return _record_from_form(
        request, enrolment, GrantForm(request.POST),
        lambda data: services.subsidy_grant(enrolment=enrolment, actor=request.user, amount=data["amount"],
                                            purpose=data["purpose"], granted_on=data["granted_on"]),
        success=_("Subsidy granted."), on_page=lambda form: {"grant_form": form})


@office_required
@require_POST
def subsidy_pay(request, pk: int):
    subsidy = get_object_or_404(Subsidy, pk=pk)
    form = PaymentForm(request.POST)
    if form.is_valid():
        try:
            services.subsidy_pay(subsidy=subsidy, actor=request.user, amount=form.cleaned_data["amount"],
                                 paid_on=form.cleaned_data["paid_on"], reference=form.cleaned_data["reference"])
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
        else:
            messages.success(request, _("Payment recorded."))
    else:
        messages.error(request, "; ".join(f"{form.fields[f].label}: {' '.join(e)}" for f, e in form.errors.items()
                                          if f in form.fields) or _("Check the payment."))
    return redirect("office:enrolment_detail", pk=subsidy.enrolment_id)


def _reversal(request, pk: int, *, action: str):
    subsidy = get_object_or_404(Subsidy, pk=pk)
    form = (CancelForm if action == "cancel" else ClawbackForm)(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if action == "cancel":
                reversal = services.subsidy_cancel(subsidy=subsidy, actor=request.user, reason=data["reason"],
                                                   reversed_on=data["reversed_on"])
                messages.success(request, _("Grant cancelled: %(amount)s went back to the budget.") % {
                    "amount": money(reversal.budget_returned)})
            else:
                reversal = services.subsidy_payment_reverse(
                    subsidy=subsidy, actor=request.user, reason=data["reason"], amount=data["amount"],
                    reversed_on=data["reversed_on"], reference=data["reference"])
                messages.success(request, _("Clawback of %(amount)s recorded.") % {
                    "amount": money(reversal.paid_back)})
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            return redirect("office:enrolment_detail", pk=subsidy.enrolment_id)
    return _enrolment_page(request, _enrolment(subsidy.enrolment_id), status=400,
                           reversal={"subsidy": subsidy.pk, "action": action, "form": form})


@office_required
@require_POST
def subsidy_cancel(request, pk: int):
    return _reversal(request, pk, action="cancel")


@office_required
@require_POST
def subsidy_payment_reverse(request, pk: int):
    return _reversal(request, pk, action="clawback")
