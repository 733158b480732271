"""The office's tables: core.tables with one change — several tables share a page, so each
export link names its table (`?export=xlsx&table=<export_name>`) and only that table answers."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.tables import Column, Filter, Table
from office.adoption import reasons_text
from office.metrics import MODULE_LABELS
from office.models import Enrolment, Milestone, Programme
from tenants.industries import INDUSTRY_NAMES


class OfficeTable(Table):
    @property
    def wants_export(self) -> bool:
        params = self.request.GET
        return params.get("export") == "xlsx" and params.get("table", self.export_name) == self.export_name

    @property
    def export_url(self) -> str:
        return self._query(export="xlsx", table=self.export_name, page=None)


def export_first(*tables: OfficeTable):
    """The export response of whichever table was asked for, else None."""
    for table in tables:
        if table.wants_export:
            return table.export_response()
    return None


class ReasonColumn(Column):
    def value(self, obj):
        return reasons_text(obj.adoption_status, obj.adoption_reasons)


def _enrolment_url(e: Enrolment) -> str:
    return reverse("office:enrolment_detail", args=[e.pk])


def _enterprise_url(e: Enrolment) -> str:
    return reverse("office:enterprise_detail", args=[e.enterprise_id])


def enrolled_table(request, queryset, *, export_name: str, with_programme: bool = True) -> OfficeTable:
    columns = [Column("enterprise.name", _("Enterprise"), sort="enterprise__name", link=_enterprise_url)]
    if with_programme:
        columns.append(Column("programme.name", _("Programme"), sort="programme__code"))
    columns += [
        Column("enterprise.industry", _("Industry"), sort="enterprise__industry",
               fmt=lambda code: f"{code} {INDUSTRY_NAMES.get(code, '')}".strip()),
        Column("enterprise.town", _("Town"), sort="enterprise__town"),
        Column("enterprise.sales_band", _("Annual sales"), sort="enterprise__sales_band"),
        Column("enrolled_on", _("Enrolled on"), sort="enrolled_on"),
        Column("adoption_status", _("Adoption"), sort="adoption_status", link=_enrolment_url),
        ReasonColumn("adoption_reasons", _("Why")),
        Column("adoption_as_of", _("Figures of"), sort="adoption_as_of"),
    ]
    filters = [Filter("adoption", _("Adoption"), choices=Enrolment.Adoption.choices, lookup="adoption_status")]
    if with_programme:
        filters.insert(0, Filter("programme", _("Programme"),
                                 choices=[(p.code, p.name) for p in Programme.objects.order_by("period_start", "code")],
                                 lookup="programme__code"))
    return OfficeTable(request, queryset, columns=columns, search_fields=["enterprise__name", "enterprise__town"],
                       filters=filters, export_name=export_name, default_sort="enterprise__name")


def applications_table(request, queryset, *, export_name: str) -> OfficeTable:
    return OfficeTable(request, queryset, columns=[
        Column("enterprise.name", _("Enterprise"), link=_enrolment_url),
        Column("enterprise.industry", _("Industry"), fmt=lambda code: f"{code} {INDUSTRY_NAMES.get(code, '')}".strip()),
        Column("enterprise.town", _("Town")),
        Column("enterprise.sales_band", _("Annual sales")),
        Column("applied_by.email", _("Applied by")),
        Column("applied_at", _("Applied at")),
        Column("note", _("Note")),
    ], export_name=export_name, page_size=50)


def subsidies_table(request, queryset, *, export_name: str, with_programme: bool = True) -> OfficeTable:
    columns = [Column("enrolment.enterprise.name", _("Enterprise"),
                      link=lambda s: reverse("office:enrolment_detail", args=[s.enrolment_id]))]
    if with_programme:
        columns.append(Column("programme.name", _("Programme")))
    columns += [
        Column("purpose", _("Purpose")),
        Column("granted_on", _("Granted on"), sort="granted_on"),
        Column("amount", _("Granted (CNY)"), sort="amount", money=True),
        Column("returned_amount", _("Returned to the budget (CNY)"), money=True),
        Column("paid_amount", _("Paid (CNY)"), sort="paid_amount", money=True),
        Column("outstanding", _("Still to pay (CNY)"), money=True),
        Column("status", _("Status"), sort="status"),
    ]
    return OfficeTable(request, queryset, columns=columns, export_name=export_name, page_size=50)


def reversals_table(request, queryset, *, export_name: str, with_enterprise: bool = True) -> OfficeTable:
    """Cancelled grants and payments paid back: the record of who reversed what, when and why."""
    columns = []
    if with_enterprise:
        columns.append(Column("subsidy.enrolment.enterprise.name", _("Enterprise"),
                              link=lambda r: reverse("office:enrolment_detail", args=[r.subsidy.enrolment_id])))
    columns += [
        Column("subsidy.purpose", _("Grant")),
        Column("kind", _("Reversal")),
        Column("reversed_on", _("Date"), sort="reversed_on"),
        Column("paid_back", _("Paid back (CNY)"), money=True),
        Column("budget_returned", _("Returned to the budget (CNY)"), money=True),
        Column("reason", _("Reason")),
        Column("reference", _("Voucher / reference")),
        Column("recorded_by.email", _("Recorded by")),
        Column("created_at", _("Recorded at")),
    ]
    return OfficeTable(request, queryset, columns=columns, export_name=export_name, default_sort="-reversed_on",
                       page_size=50)


def history_table(request, rows, *, export_name: str) -> OfficeTable:
    """A programme's change history (selectors.programme_change_rows): newest first, one row per
    setting changed, with who, when, from and to."""
    return OfficeTable(request, rows, columns=[
        Column("changed_at", _("Changed at")),
        Column("changed_by", _("Changed by")),
        Column("kind", _("Kind of change")),
        Column("label", _("Setting")),
        Column("old", _("Old value")),
        Column("new", _("New value")),
    ], export_name=export_name, page_size=25)


def programmes_table(request, queryset, *, progress: dict, targets: dict) -> OfficeTable:
    return OfficeTable(request, queryset, columns=[
        Column("name", _("Programme"), link=lambda p: reverse("office:programme_detail", args=[p.code])),
        Column("module", _("Module")),
        Column("period_start", _("Start")),
        Column("period_end", _("End")),
        Column("pk", _("Target"), fmt=lambda pk: targets[pk]),
        Column("pk", _("Adopted"), numeric=True, fmt=lambda pk: progress[pk].adopted),
        Column("pk", _("Needed"), numeric=True, fmt=lambda pk: progress[pk].target),
        Column("enrolled_count", _("Enrolled"), numeric=True),
        Column("applied_count", _("Applications"), numeric=True),
        Column("budget", _("Budget (CNY)"), money=True),
        Column("granted_total", _("Granted (CNY)"), money=True),
        Column("paid_total", _("Paid (CNY)"), money=True),
        Column("remaining_budget", _("Remaining (CNY)"), money=True),
    ], export_name="programmes", page_size=50)


def snapshots_table(request, queryset, *, export_name: str) -> OfficeTable:
    return OfficeTable(request, queryset, columns=[
        Column("day", _("Day"), sort="day"),
        Column("active_users_7d", _("Active users (7 days)"), numeric=True, sort="active_users_7d"),
        Column("active_users_30d", _("Active users (30 days)"), numeric=True, sort="active_users_30d"),
        Column("documents_7d_total", _("Documents (7 days)"), numeric=True, sort="documents_7d_total"),
        Column("documents_30d_total", _("Documents (30 days)"), numeric=True, sort="documents_30d_total"),
        Column("modules_in_use", _("Modules in use"),
               fmt=lambda ms: ", ".join(str(MODULE_LABELS.get(m, m)) for m in ms or [])),
        Column("items_count", _("Items"), numeric=True),
        Column("items_with_bom_pct", _("Made items with a BOM %"), numeric=True),
        Column("items_with_lead_time_pct", _("Items with a lead time %"), numeric=True),
        Column("items_with_cost_pct", _("Items with a cost %"), numeric=True),
        Column("completeness_pct", _("Data completeness %"), numeric=True),
    ], export_name=export_name, default_sort="-day", page_size=30)


class CohortColumn(Column):
    """A figure of a city group; suppressed rows say so instead of a number."""

    def value(self, obj):
        if obj.suppressed and self.key != "label":
            return str(obj.note) if self.key == "enterprises" else None
        return super().value(obj)


def cohort_table(request, cohort, *, export_name: str, group_label) -> OfficeTable:
    rows = list(cohort.rows) + ([cohort.total] if cohort.total else [])
    return OfficeTable(request, rows, columns=[
        CohortColumn("label", group_label),
        CohortColumn("enterprises", _("Enterprises"), numeric=True),
        CohortColumn("active", _("Active (30 days)"), numeric=True),
        CohortColumn("active_pct", _("Active %"), numeric=True),
        CohortColumn("active_users_30d", _("Active users (30 days)"), numeric=True),
        CohortColumn("documents_30d", _("Documents (30 days)"), numeric=True),
        CohortColumn("documents_per_enterprise", _("Documents per enterprise"), numeric=True),
        CohortColumn("completeness_pct", _("Data completeness %"), numeric=True),
    ], export_name=export_name, page_size=200)


def reports_table(request, queryset) -> OfficeTable:
    def link(fmt):
        return lambda r: reverse("office:report_download", args=[r.pk, fmt]) if r.status == "done" else None

    return OfficeTable(request, queryset, columns=[
        Column("month", _("Month"), fmt=lambda m: m.strftime("%Y-%m")),
        Column("status", _("Status")),
        Column("finished_at", _("Finished at")),
        Column("pk", _("PDF"), fmt=lambda _pk: "PDF", link=link("pdf")),
        Column("pk", _("Excel"), fmt=lambda _pk: "Excel", link=link("xlsx")),
    ], export_name="reports", page_size=24)


class EvaluationWhyColumn(Column):
    def value(self, obj):
        return reasons_text(obj.status, obj.reasons)


def evaluations_table(request, queryset, *, export_name: str) -> OfficeTable:
    return OfficeTable(request, queryset, columns=[
        Column("day", _("Figures of"), sort="day"),
        Column("status", _("Adoption"), sort="status"),
        EvaluationWhyColumn("reasons", _("Why")),
    ], export_name=export_name, default_sort="-day", page_size=10)


class MilestoneColumn(Column):
    """One milestone of an enrolment: its done date, else "planned <date>"."""

    def value(self, obj):
        milestone = next((m for m in obj.milestones.all() if m.kind == self.key), None)
        if milestone is None:
            return None
        if milestone.done_on:
            return milestone.done_on
        return _("planned %(date)s") % {"date": milestone.planned_on.isoformat()} if milestone.planned_on else None


def milestones_table(request, queryset, *, export_name: str) -> OfficeTable:
    return OfficeTable(request, queryset.prefetch_related("milestones"), columns=[
        Column("enterprise.name", _("Enterprise"), link=_enrolment_url),
        *[MilestoneColumn(kind, Milestone.Kind(kind).label) for kind in Milestone.ORDER],
    ], export_name=export_name, page_size=50)


class OwnWhyColumn(Column):
    def value(self, obj):
        return reasons_text(obj.adoption_status, obj.adoption_reasons) if obj.status == "enrolled" else None


class OwnAdoptionColumn(Column):
    def value(self, obj):
        return obj.get_adoption_status_display() if obj.status == "enrolled" else None


class DoneMilestonesColumn(Column):
    def value(self, obj):
        return ", ".join(f"{m.get_kind_display()} {m.done_on.isoformat()}" for m in obj.milestones.all() if m.done_on)


def own_enrolments_table(request, queryset, *, export_name: str) -> OfficeTable:
    return OfficeTable(request, queryset.prefetch_related("milestones"), columns=[
        Column("programme.name", _("Programme")),
        Column("status", _("Status")),
        OwnAdoptionColumn("adoption_status", _("Adoption")),
        OwnWhyColumn("adoption_reasons", _("Why")),
        DoneMilestonesColumn("pk", _("Milestones done")),
        Column("granted", _("Subsidies granted"), money=True),
        Column("paid", _("Paid (CNY)"), money=True),
    ], export_name=export_name, page_size=50)


def board_trade_table(request, rows, *, export_name: str = "board-trade") -> OfficeTable:
    """Trade through the boards (ecommerce.selectors.trade_stats.TradeRow), one row per month and board."""
    return OfficeTable(request, rows, columns=[
        Column("month", _("Month"), fmt=lambda m: m.strftime("%Y-%m")),
        Column("board_name", _("Board")),
        Column("rfqs", _("RFQs posted"), numeric=True),
        Column("quotations", _("Quotations"), numeric=True),
        Column("accepted", _("Quotations accepted"), numeric=True),
        Column("purchase_orders", _("Purchase orders made"), numeric=True),
        Column("sales_orders", _("Sales orders made"), numeric=True),
        Column("amount", _("Amount (CNY)"), money=True),
    ], export_name=export_name, page_size=50)
