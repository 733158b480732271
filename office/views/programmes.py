"""The office's dashboard and a programme's pages: settings, enrolment of enterprises."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.forms import form_errors_from
from core.tables import Column
from ecommerce.selectors.trade_stats import trade_by_board_month, trade_month_total
from office import selectors, services
from office.adoption import criteria_text, programme_criteria
from office.forms import EnrolForm, ProgrammeForm
from office.models import Enrolment, Programme
from office.permissions import office_required
from office.tables import (OfficeTable, applications_table, board_trade_table, enrolled_table, export_first,
                           history_table, milestones_table, programmes_table, reversals_table, subsidies_table)
from office.views.base import render


def _programme(code: str) -> Programme:
    return get_object_or_404(Programme, code=code)


@office_required
def dashboard(request):
    programmes = list(selectors.programme_list())
    progress = {p.pk: selectors.programme_progress(programme=p, adopted=p.adopted_count) for p in programmes}
    targets = {p.pk: selectors.programme_target_text(p) for p in programmes}
    programme_tbl = programmes_table(request, selectors.programme_list(), progress=progress, targets=targets)
    enrolled_tbl = enrolled_table(request, selectors.enrolment_list(), export_name="enrolled-enterprises")
    trade_rows, trade_chart, amount_chart = board_trade_months(months=TRADE_MONTHS)
    trade_tbl = board_trade_table(request, sorted(trade_rows, key=lambda r: r.month, reverse=True))  # newest first
    exported = export_first(programme_tbl, enrolled_tbl, trade_tbl)
    if exported is not None:
        return exported
    cards = [{"programme": p, "progress": progress[p.pk], "target": targets[p.pk],
              "chart": selectors.programme_progress_series(programme=p)} for p in programmes]
    budget_chart = {"type": "bar", "labels": [p.name for p in programmes], "series": [
        {"name": _("budget"), "values": [float(p.budget) for p in programmes]},
        {"name": _("granted"), "values": [float(p.granted_total) for p in programmes]},
        {"name": _("paid out"), "values": [float(p.paid_total) for p in programmes]}]}
    return render(request, "office/dashboard.html", {
        "cards": cards, "programme_table": programme_tbl, "enrolled_table": enrolled_tbl,
        "budget_chart": budget_chart, "trade_table": trade_tbl, "trade_chart": trade_chart,
        "trade_amount_chart": amount_chart,
        "applications": selectors.enrolment_list(status=Enrolment.Status.APPLIED).count(),
    })


TRADE_MONTHS = 12


def board_trade_months(*, months: int):
    """Trade through the boards in the last `months` months (this one included): the rows by month and board,
    a chart of the counts (every board together) and one of the amount, stacked by board."""
    until = timezone.localdate().replace(day=1)
    since = until
    for _i in range(months - 1):
        since = (since - timedelta(days=1)).replace(day=1)
    rows = trade_by_board_month(since=since, until=until)
    month_list = sorted({r.month for r in rows})
    labels = [m.strftime("%Y-%m") for m in month_list]
    totals = [trade_month_total(rows, month=m) for m in month_list]
    counts = {"type": "bar", "labels": labels, "series": [
        {"name": _("RFQs posted"), "values": [t.rfqs for t in totals]},
        {"name": _("quotations"), "values": [t.quotations for t in totals]},
        {"name": _("accepted"), "values": [t.accepted for t in totals]},
        {"name": _("purchase orders"), "values": [t.purchase_orders for t in totals]},
        {"name": _("sales orders"), "values": [t.sales_orders for t in totals]}]}
    boards = list(dict.fromkeys(r.board for r in rows))
    by_key = {(r.month, r.board.pk): r for r in rows}
    amount = {"type": "bar", "labels": labels, "series": [
        {"name": board.name, "stack": "amount", "values": [float(by_key[(m, board.pk)].amount) for m in month_list]}
        for board in boards]}
    return rows, counts, amount


# ---- programme -------------------------------------------------------------------------------


def pdm_measures_table(request, rows: list[selectors.PdmRow], *, export_name: str) -> OfficeTable:
    """The PDM programme's measures, one row per enrolled enterprise (a list: no search or sort)."""
    return OfficeTable(request, rows, columns=[
        Column("enrolment.enterprise.name", gettext_lazy("Enterprise"),
               link=lambda r: reverse("office:enterprise_detail", args=[r.enrolment.enterprise_id])),
        Column("parts_under_revision", gettext_lazy("Parts under revision control"), numeric=True),
        Column("vault_documents", gettext_lazy("Documents in the vault"), numeric=True),
        Column("ecos_completed_90d", gettext_lazy("ECOs completed in 90 days"), numeric=True),
        Column("demonstrating", gettext_lazy("Demonstrates PDM")),
        Column("why", gettext_lazy("Why")),
        Column("day", gettext_lazy("Figures of")),
    ], export_name=export_name)


def logistics_measures_table(request, rows: list[selectors.LogisticsRow], *, export_name: str) -> OfficeTable:
    """The logistics programme's measures, one row per enrolled enterprise (a list: no search or sort)."""
    return OfficeTable(request, rows, columns=[
        Column("enrolment.enterprise.name", gettext_lazy("Enterprise"),
               link=lambda r: reverse("office:enterprise_detail", args=[r.enrolment.enterprise_id])),
        Column("deliveries_30d", gettext_lazy("Deliveries in 30 days"), numeric=True),
        Column("tracked_30d", gettext_lazy("Shipped with tracking"), numeric=True),
        Column("tracked_pct", gettext_lazy("Shipped with tracking %"), numeric=True),
        Column("shipments_30d", gettext_lazy("Shipments in 30 days"), numeric=True),
        Column("demonstrating", gettext_lazy("Uses logistics management")),
        Column("why", gettext_lazy("Why")),
        Column("day", gettext_lazy("Figures of")),
    ], export_name=export_name)


def _programme_page(request, programme: Programme, *, enrol_form=None, status: int = 200):
    enrolled_tbl = enrolled_table(request, selectors.enrolment_list(programme=programme),
                                  export_name=f"{programme.code}-enrolled", with_programme=False)
    applications_tbl = applications_table(request, selectors.enrolment_list(programme=programme,
                                                                            status=Enrolment.Status.APPLIED),
                                          export_name=f"{programme.code}-applications")
    subsidies_tbl = subsidies_table(request, selectors.subsidy_list(programme=programme),
                                    export_name=f"{programme.code}-subsidies", with_programme=False)
    milestones_tbl = milestones_table(request, selectors.enrolment_list(programme=programme),
                                      export_name=f"{programme.code}-milestones")
    reversals_tbl = reversals_table(request, selectors.reversal_list(programme=programme),
                                    export_name=f"{programme.code}-reversals")
    history_tbl = history_table(request, selectors.programme_change_rows(programme=programme),
                                export_name=f"{programme.code}-history")
    tables = [enrolled_tbl, applications_tbl, subsidies_tbl, milestones_tbl, reversals_tbl, history_tbl]
    pdm = pdm_tbl = None
    if programme.module == Programme.Module.PDM:
        pdm = selectors.pdm_measures(programme=programme)
        pdm_tbl = pdm_measures_table(request, pdm.rows, export_name=f"{programme.code}-pdm")
        tables.append(pdm_tbl)
    logistics = logistics_tbl = None
    if programme.module == Programme.Module.LOGISTICS:
        logistics = selectors.logistics_measures(programme=programme)
        logistics_tbl = logistics_measures_table(request, logistics.rows, export_name=f"{programme.code}-logistics")
        tables.append(logistics_tbl)
    exported = export_first(*tables)
    if exported is not None:
        return exported
    return render(request, "office/programme_detail.html", {
        "milestones_table": milestones_tbl, "reversals_table": reversals_tbl, "history_table": history_tbl,
        "programme": programme, "progress": selectors.programme_progress(programme=programme),
        "target": selectors.programme_target_text(programme),
        "chart": selectors.programme_progress_series(programme=programme),
        "criteria": criteria_text(programme_criteria(programme)),
        "pdm": pdm, "pdm_table": pdm_tbl, "logistics": logistics, "logistics_table": logistics_tbl,
        "enrolled_table": enrolled_tbl, "applications_table": applications_tbl, "subsidies_table": subsidies_tbl,
        "enrol_form": enrol_form or EnrolForm(programme=programme),
        "is_share": programme.target_kind == Programme.TargetKind.SHARE,
    }, status=status)


@office_required
def programme_detail(request, code: str):
    return _programme_page(request, _programme(code))


def _programme_form_page(request, *, programme: Programme | None):
    """New programme (programme None) or a programme's settings: the form, then the service."""
    code_locked = programme is not None and programme.enrolments.exists()
    form = ProgrammeForm(request.POST or None, initial=ProgrammeForm.initial_for(programme), code_locked=code_locked)
    if request.method == "POST":
        if form.is_valid():
            try:
                if programme is None:
                    saved = services.programme_create(actor=request.user, **form.programme_fields())
                else:
                    saved = services.programme_update(programme=programme, actor=request.user,
                                                      **form.programme_fields())
            except ValidationError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, (_("Programme %(name)s created.") if programme is None
                                           else _("Programme %(name)s saved.")) % {"name": saved.name})
                return redirect("office:programme_detail", code=saved.code)
    return render(request, "office/programme_form.html", {
        "form": form, "programme": programme, "code_locked": code_locked,
    }, status=400 if request.method == "POST" else 200)


@office_required
def programme_new(request):
    return _programme_form_page(request, programme=None)


@office_required
def programme_edit(request, code: str):
    return _programme_form_page(request, programme=_programme(code))


@office_required
@require_POST
def programme_enrol(request, code: str):
    programme = _programme(code)
    form = EnrolForm(request.POST, programme=programme)
    if form.is_valid():
        try:
            enrolment = services.enrolment_enrol(programme=programme, enterprise=form.cleaned_data["enterprise"],
                                                 actor=request.user, note=form.cleaned_data["note"])
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("%(name)s is enrolled in %(programme)s.") % {
                "name": enrolment.enterprise.name, "programme": programme.name})
            return redirect("office:programme_detail", code=programme.code)
    return _programme_page(request, programme, enrol_form=form, status=400)


@office_required
@require_POST
def programme_enrol_eligible(request, code: str):
    programme = _programme(code)
    try:
        count = services.programme_enrol_eligible(programme=programme, actor=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("%(n)d eligible enterprises enrolled.") % {"n": count})
    return redirect("office:programme_detail", code=programme.code)
