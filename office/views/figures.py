"""Figures: an enrolled enterprise's over time, the city's by industry and town (suppressed), and the
monthly reports."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from core.forms import form_errors_from
from office import selectors, services
from office.forms import ReportForm
from office.models import MonthlyReport
from office.permissions import office_required
from office.reports import figure_definitions
from office.tables import cohort_table, export_first, reports_table, snapshots_table
from office.views.base import render
from tenants.models import Enterprise


def figures_context(request, enterprise: Enterprise, export_name: str):
    snapshots = list(selectors.snapshot_list(enterprise=enterprise))
    table = snapshots_table(request, selectors.snapshot_list(enterprise=enterprise, days=366),
                            export_name=export_name)
    return table, {"snapshots": snapshots, "latest": snapshots[-1] if snapshots else None,
                   "charts": selectors.snapshot_charts(snapshots=snapshots), "snapshot_table": table}


@office_required
def enterprise_detail(request, pk: int):
    enterprise = get_object_or_404(Enterprise, pk=pk)
    if not selectors.enterprise_visible_to_office(enterprise=enterprise):
        raise Http404  # not enrolled: only in the aggregates
    table, context = figures_context(request, enterprise, f"figures-{enterprise.slug}")
    if table.wants_export:
        return table.export_response()
    context.update({"company": enterprise,
                    "enrolments": enterprise.programme_enrolments.select_related("programme").order_by("programme")})
    return render(request, "office/enterprise_detail.html", context)


@office_required
def city(request):
    as_of = timezone.localdate()
    sectors = selectors.city_figures(by="sector", as_of=as_of)
    towns = selectors.city_figures(by="town", as_of=as_of)
    sector_tbl = cohort_table(request, sectors, export_name="city-by-industry", group_label=_("Industry"))
    town_tbl = cohort_table(request, towns, export_name="city-by-town", group_label=_("Town"))
    exported = export_first(sector_tbl, town_tbl)
    if exported is not None:
        return exported

    def bar(cohort):
        rows = [r for r in cohort.rows if not r.suppressed]
        return {"type": "bar", "labels": [r.label for r in rows], "series": [
            {"name": _("enterprises"), "values": [r.enterprises for r in rows]},
            {"name": _("active (30 days)"), "values": [r.active for r in rows]}]}

    return render(request, "office/city.html", {
        "sectors": sectors, "towns": towns, "sector_table": sector_tbl, "town_table": town_tbl,
        "sector_chart": bar(sectors), "town_chart": bar(towns),
        "series": selectors.city_activity_series(until=as_of), "min_cohort": selectors.MIN_COHORT,
    })


# ---- reports ---------------------------------------------------------------------------------


@office_required
def reports(request):
    form = ReportForm(request.POST or None, initial={"month": services.previous_month().strftime("%Y-%m")})
    if request.method == "POST" and form.is_valid():
        try:
            report = services.monthly_report_request(month=form.cleaned_data["month"], actor=request.user)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The report for %(month)s is being prepared; refresh in a moment.") % {
                "month": report.month.strftime("%Y-%m")})
            return redirect("office:reports")
    table = reports_table(request, selectors.report_list())
    if table.wants_export:
        return table.export_response()
    return render(request, "office/reports.html", {"form": form, "table": table,
                                                  "definitions": figure_definitions()})


@office_required
def report_download(request, pk: int, fmt: str):
    report = get_object_or_404(MonthlyReport, pk=pk, status=MonthlyReport.Status.DONE)
    name = f"digital-bridge-report-{report.month:%Y-%m}"
    if fmt == "pdf":
        response = HttpResponse(bytes(report.pdf), content_type="application/pdf")
    elif fmt == "xlsx":
        response = HttpResponse(bytes(report.xlsx),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
