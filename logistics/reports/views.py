"""The logistics dashboard: shipments by status, late shipments and open exceptions, on-time rate by carrier,
freight per order, per kg and by destination province (ECharts), each table exportable to Excel."""

from __future__ import annotations

from datetime import timedelta

from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.permissions import role_required
from core.tables import Column, Table
from logistics.carriers.regions import region_name
from logistics.reports import selectors
from logistics.reports.forms import PeriodForm
from tenants.models import Role

DEFAULT_DAYS = 90


class DashboardTable(Table):
    """One of several tables on the page: its export is asked for by its name (?export=xlsx&table=…)."""

    @property
    def wants_export(self) -> bool:
        params = self.request.GET
        return params.get("export") == "xlsx" and params.get("table", self.export_name) == self.export_name

    @property
    def export_url(self) -> str:
        return self._query(export="xlsx", table=self.export_name, page=None)


def _shipment_url(shipment_id: int) -> str | None:
    """The shipment's page (logistics.shipments), when that app names one."""
    try:
        return reverse("logistics_shipments:detail", args=[shipment_id])
    except NoReverseMatch:
        return None


def _period(request) -> tuple[PeriodForm, selectors.Period]:
    today = timezone.localdate()
    default = selectors.Period.last_days(DEFAULT_DAYS, today)
    form = PeriodForm(request.GET or None, initial={"date_from": default.date_from, "date_to": default.date_to})
    if form.is_bound and form.is_valid():
        return form, selectors.Period(form.cleaned_data.get("date_from") or default.date_from,
                                      form.cleaned_data.get("date_to") or default.date_to)
    return form, default


def _chart(labels, series) -> dict:
    return {"type": "bar", "labels": [str(label) for label in labels],
            "series": [{"name": str(name), "values": [float(v) if v is not None else 0 for v in values]}
                       for name, values in series]}


def _tables(request, period: selectors.Period, today) -> dict[str, DashboardTable]:
    s = {"request": request, "page_size": 50}
    return {
        "status": DashboardTable(queryset=selectors.status_counts(period=period), export_name="shipments-by-status",
                                 columns=[Column("label", gettext_lazy("Status")),
                                          Column("count", gettext_lazy("Shipments"), numeric=True)], **s),
        "late": DashboardTable(queryset=selectors.late_shipment_list(today=today), export_name="late-shipments",
                               columns=[
                                   Column("number", gettext_lazy("Shipment"), link=lambda o: _shipment_url(o.pk)),
                                   Column("status", gettext_lazy("Status")),
                                   Column("carrier.name", gettext_lazy("Carrier")),
                                   Column("consignee_name", gettext_lazy("Consignee")),
                                   Column("region_name", gettext_lazy("Destination")),
                                   Column("promised_date", gettext_lazy("Promised")),
                                   Column("promised_date", gettext_lazy("Days late"), numeric=True,
                                          fmt=lambda d: (today - d).days if d else None),
                               ], **s),
        "exceptions": DashboardTable(queryset=selectors.open_exception_list(), export_name="open-exceptions",
                                     columns=[
                                         Column("parcel.shipment.number", gettext_lazy("Shipment"),
                                                link=lambda t: _shipment_url(t.parcel.shipment_id)),
                                         Column("parcel.waybill_number", gettext_lazy("Waybill number")),
                                         Column("parcel.carrier.name", gettext_lazy("Carrier")),
                                         Column("kind", gettext_lazy("Exception")),
                                         Column("detail", gettext_lazy("Detail")),
                                         Column("opened_at", gettext_lazy("Opened")),
                                     ], **s),
        "on_time": DashboardTable(queryset=selectors.on_time_by_carrier(period=period), export_name="on-time-by-carrier",
                                  columns=[Column("carrier", gettext_lazy("Carrier")),
                                           Column("code", gettext_lazy("Code")),
                                           Column("delivered", gettext_lazy("Delivered"), numeric=True),
                                           Column("on_time", gettext_lazy("On time"), numeric=True),
                                           Column("late", gettext_lazy("Late"), numeric=True),
                                           Column("rate", gettext_lazy("On-time rate %"), numeric=True)], **s),
        "orders": DashboardTable(queryset=selectors.freight_by_order(period=period), export_name="freight-by-order",
                                 columns=[Column("order", gettext_lazy("Sales order"),
                                                 link=lambda r: f"/erp/sales/orders/{r['order_id']}/"),
                                          Column("shipments", gettext_lazy("Shipments"), numeric=True),
                                          Column("weight_kg", gettext_lazy("Weight (kg)"), numeric=True),
                                          Column("freight", gettext_lazy("Freight"), money=True),
                                          Column("per_kg", gettext_lazy("Freight per kg"), money=True),
                                          Column("amount", gettext_lazy("Order amount excl. VAT"), money=True),
                                          Column("share", gettext_lazy("Freight share %"), numeric=True)], **s),
        "provinces": DashboardTable(queryset=selectors.freight_by_province(period=period, name_of=region_name),
                                    export_name="freight-by-province",
                                    columns=[Column("province", gettext_lazy("Province")),
                                             Column("code", gettext_lazy("Code")),
                                             Column("shipments", gettext_lazy("Shipments"), numeric=True),
                                             Column("weight_kg", gettext_lazy("Weight (kg)"), numeric=True),
                                             Column("freight", gettext_lazy("Freight"), money=True),
                                             Column("per_kg", gettext_lazy("Freight per kg"), money=True)], **s),
    }


@role_required(Role.VIEWER)
def dashboard(request):
    today = timezone.localdate()
    form, period = _period(request)
    tables = _tables(request, period, today)
    for table in tables.values():
        if table.wants_export:
            return table.export_response()
    statuses = tables["status"].queryset
    on_time = tables["on_time"].queryset
    provinces = tables["provinces"].queryset[:15]
    delivered, on_time_count, rate = selectors.on_time_rate(period=period)
    charts = {
        "status": _chart([r["label"] for r in statuses], [(_("shipments"), [r["count"] for r in statuses])]),
        "on_time": _chart([r["carrier"] for r in on_time], [(_("on-time rate %"), [r["rate"] for r in on_time])]),
        "provinces": _chart([r["province"] for r in provinces], [(_("freight"), [r["freight"] for r in provinces])]),
    }
    return render(request, "logistics_reports/dashboard.html", {
        "form": form, "period": period, "tables": tables, "charts": charts,
        "summary": selectors.freight_summary(period=period), "delivered": delivered, "on_time_count": on_time_count,
        "on_time_rate": rate, "late_count": tables["late"].page.paginator.count,
        "exception_count": tables["exceptions"].page.paginator.count,
        "period_days": (period.date_to - period.date_from).days + 1, "default_days": DEFAULT_DAYS,
    })


def dashboard_card(request) -> dict | None:
    """The enterprise home's card (registered in apps.py); None when the enterprise has no shipment."""
    figures = selectors.dashboard_card_figures()
    if figures is None:
        return None
    return {"logistics": figures, "since": timezone.localdate() - timedelta(days=29)}
