"""The office's pages of subsidised plans, on the public host under /office/billing/ (office users and
platform administrators: office.permissions.office_required). They live in billing because the office
never imports billing. Per programme: its schemes, the subscriptions they subsidise, what was committed
(granted) and paid, and the monthly statements with their PDF/Excel and the fund's transfer.

Only subsidy data is shown: no card, no payment provider's ids, no enterprise payments."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from billing import selectors_subsidies as selectors
from billing.models import Plan, SubsidySettlement
from billing.services.subsidies import month_clean, scheme_create, scheme_update, settlement_build, settlement_pay
from billing.statements import statement_filename, statement_pdf, statement_workbook
from core.forms import BootstrapMixin, form_errors_from
from core.tables import Column
from office.models import Programme
from office.permissions import office_required
from office.tables import OfficeTable, export_first
from office.views.base import render

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class SchemeForm(BootstrapMixin, forms.Form):
    plan = forms.ModelChoiceField(label=gettext_lazy("Plan"), queryset=Plan.objects.filter(is_active=True))
    percent = forms.DecimalField(label=gettext_lazy("Subsidy (%)"), max_digits=5, decimal_places=2)
    months = forms.IntegerField(label=gettext_lazy("For months"), initial=12)
    max_enterprises = forms.IntegerField(label=gettext_lazy("At most (enterprises)"))


class SettlementPayForm(BootstrapMixin, forms.Form):
    amount = forms.DecimalField(label=gettext_lazy("Amount received (CNY)"), max_digits=14, decimal_places=2)
    paid_on = forms.DateField(label=gettext_lazy("Received on"))
    bank_reference = forms.CharField(label=gettext_lazy("Bank reference"), max_length=60)


def _programme(code: str) -> Programme:
    return get_object_or_404(Programme, code=code)


def _statement_url(settlement: SubsidySettlement, fmt: str) -> str:
    return reverse("billing_office:statement", args=[settlement.programme.code, settlement.month.strftime("%Y-%m"),
                                                     fmt])


def subscriptions_table(request, queryset, *, export_name: str) -> OfficeTable:
    return OfficeTable(request, queryset, columns=[
        Column("enterprise.name", gettext_lazy("Enterprise"), sort="enterprise__name"),
        Column("plan.name", gettext_lazy("Plan"), sort="plan__code"),
        Column("subsidy_scheme.percent", gettext_lazy("Subsidy (%)")),
        Column("status", gettext_lazy("Status"), sort="status"),
        Column("subsidy_until", gettext_lazy("Subsidised until"), sort="subsidy_until"),
        Column("committed", gettext_lazy("Committed (CNY)"), money=True),
        Column("paid", gettext_lazy("Paid (CNY)"), money=True),
    ], search_fields=["enterprise__name"], export_name=export_name, default_sort="enterprise__name")


def invoices_table(request, queryset, *, export_name: str) -> OfficeTable:
    return OfficeTable(request, queryset, columns=[
        Column("number", gettext_lazy("Invoice"), sort="number"),
        Column("enterprise.name", gettext_lazy("Enterprise"), sort="enterprise__name"),
        Column("period_start", gettext_lazy("Period from"), sort="period_start"),
        Column("period_end", gettext_lazy("Period to")),
        Column("amount_total", gettext_lazy("Total (CNY)"), money=True, sort="amount_total"),
        Column("subsidy_amount", gettext_lazy("Subsidy share (CNY)"), money=True, sort="subsidy_amount"),
        Column("amount_due", gettext_lazy("Enterprise share (CNY)"), money=True),
        Column("subsidy.granted_on", gettext_lazy("Granted on"), sort="subsidy__granted_on"),
        Column("subsidy.paid_amount", gettext_lazy("Paid (CNY)"), money=True),
    ], search_fields=["number", "enterprise__name"], export_name=export_name, page_size=50)


def settlements_table(request, queryset, *, export_name: str) -> OfficeTable:
    return OfficeTable(request, queryset, columns=[
        Column("month", gettext_lazy("Month"), sort="month", fmt=lambda d: d.strftime("%Y-%m")),
        Column("amount", gettext_lazy("Amount (CNY)"), money=True, sort="amount"),
        Column("status", gettext_lazy("Status"), sort="status"),
        Column("paid_on", gettext_lazy("Paid on")),
        Column("bank_reference", gettext_lazy("Bank reference")),
        Column("pk", gettext_lazy("PDF"), fmt=lambda _pk: "PDF", link=lambda s: _statement_url(s, "pdf")),
        Column("programme_id", gettext_lazy("Excel"), fmt=lambda _pk: "Excel",
               link=lambda s: _statement_url(s, "xlsx")),
    ], export_name=export_name, default_sort="-month")


@office_required
def index(request):
    rows = [selectors.programme_billing(programme=p) for p in Programme.objects.order_by("period_start", "code")]
    return render(request, "billing/office/index.html", {"rows": rows})


def _programme_page(request, programme: Programme, *, scheme_form=None, pay_forms=None, status=200):
    subs_tbl = subscriptions_table(request, selectors.subsidised_subscription_list(programme=programme),
                                   export_name=f"{programme.code}-subsidised-subscriptions")
    invoices_tbl = invoices_table(request, selectors.subsidised_invoice_list(programme=programme),
                                  export_name=f"{programme.code}-subsidised-invoices")
    settlements_tbl = settlements_table(request, selectors.settlement_list(programme=programme),
                                        export_name=f"{programme.code}-statements")
    exported = export_first(subs_tbl, invoices_tbl, settlements_tbl)
    if exported is not None:
        return exported
    pay_forms = pay_forms or {}
    open_settlements = [(s, pay_forms.get(s.pk) or SettlementPayForm(initial={"amount": s.amount}, prefix=f"s{s.pk}"))
                        for s in selectors.settlement_list(programme=programme).filter(
                            status=SubsidySettlement.Status.OPEN)]
    return render(request, "billing/office/programme.html", {
        "programme": programme, "figures": selectors.programme_billing(programme=programme),
        "subscriptions_table": subs_tbl, "invoices_table": invoices_tbl, "settlements_table": settlements_tbl,
        "open_settlements": open_settlements, "scheme_form": scheme_form or SchemeForm(),
    }, status=status)


@office_required
def programme_detail(request, code: str):
    return _programme_page(request, _programme(code))


@office_required
@require_POST
def scheme_new(request, code: str):
    programme = _programme(code)
    form = SchemeForm(request.POST)
    if form.is_valid():
        try:
            scheme_create(programme=programme, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The plan %(plan)s is now subsidised by %(programme)s.") % {
                "plan": form.cleaned_data["plan"].name, "programme": programme.name})
            return redirect("billing_office:programme", code=programme.code)
    return _programme_page(request, programme, scheme_form=form, status=400)


@office_required
@require_POST
def scheme_toggle(request, code: str, pk: int):
    programme = _programme(code)
    scheme = get_object_or_404(programme.subsidy_schemes, pk=pk)
    try:
        scheme_update(scheme=scheme, actor=request.user, is_active=not scheme.is_active)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("billing_office:programme", code=programme.code)


@office_required
@require_POST
def statement_build(request, code: str):
    programme = _programme(code)
    try:
        settlement = settlement_build(programme=programme, month=request.POST.get("month", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if settlement is None:
            messages.info(request, _("No subsidised invoice in that month: no statement."))
        else:
            messages.success(request, _("Statement of %(month)s: %(amount)s CNY.") % {
                "month": settlement.month.strftime("%Y-%m"), "amount": f"{settlement.amount:,.2f}"})
    return redirect("billing_office:programme", code=programme.code)


@office_required
def statement_download(request, code: str, month: str, fmt: str):
    programme = _programme(code)
    try:
        month_day = month_clean(month)
    except ValidationError:
        raise Http404 from None
    data = selectors.statement(programme=programme, month=month_day)
    language = getattr(request, "LANGUAGE_CODE", None)
    if fmt == "pdf":
        response = HttpResponse(statement_pdf(data, language=language), content_type="application/pdf")
    elif fmt == "xlsx":
        response = HttpResponse(statement_workbook(data, language=language), content_type=XLSX)
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{statement_filename(data, fmt)}"'
    return response


@office_required
@require_POST
def settlement_record_payment(request, pk: int):
    settlement = get_object_or_404(SubsidySettlement.objects.select_related("programme"), pk=pk)
    form = SettlementPayForm(request.POST, prefix=f"s{settlement.pk}")
    if form.is_valid():
        try:
            settlement_pay(settlement=settlement, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The statement of %(month)s is paid; its grants are paid.") % {
                "month": settlement.month.strftime("%Y-%m")})
            return redirect("billing_office:programme", code=settlement.programme.code)
    return _programme_page(request, settlement.programme, pay_forms={settlement.pk: form}, status=400)
