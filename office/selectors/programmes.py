"""Reads of programmes, enrolments, subsidies, the programmes' change history and the monthly reports.
Public schema only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from office.history import setting_label
from office.models import (AdoptionRecord, Enrolment, MonthlyReport, Programme, ProgrammeChange, Subsidy,
                           SubsidyPayment, SubsidyReversal)
from office.selectors.figures import carried_forward
from tenants.models import Enterprise, Membership, User


def office_user(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and (user.is_office or user.is_platform_admin))


# ---- programmes ----------------------------------------------------------------------------------


def programme_list() -> QuerySet[Programme]:
    enrolled = Q(enrolments__status=Enrolment.Status.ENROLLED)
    return Programme.objects.annotate(
        enrolled_count=Count("enrolments", filter=enrolled, distinct=True),
        applied_count=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.APPLIED), distinct=True),
        adopted_count=Count("enrolments", filter=enrolled & Q(enrolments__adoption_status=Enrolment.Adoption.ADOPTED),
                            distinct=True),
        at_risk_count=Count("enrolments", filter=enrolled & Q(enrolments__adoption_status=Enrolment.Adoption.AT_RISK),
                            distinct=True),
    ).order_by("period_start", "code")


@dataclass
class Progress:
    adopted: int
    target: int  # enterprises needed (for a share target: the share of the cohort, rounded up)
    denominator: int | None  # cohort size for share targets
    pct_of_target: Decimal  # 0–100+
    share_pct: Decimal | None  # adopted / cohort, for share targets

    @property
    def bar_pct(self) -> int:
        return int(min(Decimal("100"), self.pct_of_target))


def programme_eligible_enterprises(*, programme: Programme):
    qs = Enterprise.objects.filter(status=Enterprise.Status.ACTIVE)
    if programme.cohort_sales_bands:
        qs = qs.filter(sales_band__in=programme.cohort_sales_bands)
    return qs


def programme_cohort_size(*, programme: Programme) -> int:
    """The denominator of a share target: the city's cohort if known, else the platform's."""
    if programme.cohort_size:
        return programme.cohort_size
    return programme_eligible_enterprises(programme=programme).count()


def programme_progress(*, programme: Programme, adopted: int | None = None) -> Progress:
    if adopted is None:
        adopted = programme.enrolments.filter(status=Enrolment.Status.ENROLLED,
                                              adoption_status=Enrolment.Adoption.ADOPTED).count()
    if programme.target_kind == Programme.TargetKind.SHARE:
        cohort = programme_cohort_size(programme=programme)
        target = int((Decimal(cohort) * programme.target_share_pct / 100).to_integral_value(rounding="ROUND_CEILING"))
        share = (Decimal(100) * adopted / cohort).quantize(Decimal("0.1"), ROUND_HALF_UP) if cohort else None
    else:
        cohort, target, share = None, programme.target_count or 0, None
    pct = (Decimal(100) * adopted / target).quantize(Decimal("0.1"), ROUND_HALF_UP) if target else Decimal("0")
    return Progress(adopted=adopted, target=target, denominator=cohort, pct_of_target=pct, share_pct=share)


def _plain_number(value: Decimal) -> str:
    """70.00 -> "70", 62.50 -> "62.5" (never 7E+1)."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def programme_target_text(programme: Programme) -> str:
    if programme.target_kind == Programme.TargetKind.SHARE:
        bands = ", ".join(str(Enterprise.SalesBand(b).label) for b in programme.cohort_sales_bands) or _("all")
        return _("%(pct)s%% of enterprises (annual sales: %(bands)s)") % {
            "pct": _plain_number(programme.target_share_pct), "bands": bands}
    return _("%(n)d enterprises") % {"n": programme.target_count or 0}


def programme_progress_series(*, programme: Programme, days: int = 90, until: date | None = None) -> dict:
    """Per day: enrolled enterprises adopted / at risk / not started (each at its latest evaluation
    on or before that day, so a missed night makes no dip), and the target line."""
    until = until or timezone.localdate()
    start = until - timedelta(days=days - 1)
    enrolled = list(programme.enrolments.filter(status=Enrolment.Status.ENROLLED).values_list("pk", flat=True))
    # the last evaluation before the window (carried into it) and every evaluation inside it
    before = list(AdoptionRecord.objects.filter(enrolment_id__in=enrolled, day__lt=start)
                  .order_by("enrolment_id", "-day").distinct("enrolment_id").values_list("day", "enrolment_id", "status"))
    records = sorted(before) + list(AdoptionRecord.objects.filter(enrolment_id__in=enrolled, day__gte=start,
                                                                  day__lte=until)
                                    .order_by("day").values_list("day", "enrolment_id", "status"))
    progress = programme_progress(programme=programme, adopted=0)
    if not records:
        return {"type": "line", "labels": [], "series": []}
    first = max(start, records[0][0])
    span = [first + timedelta(days=n) for n in range((until - first).days + 1)]
    by_day = carried_forward(records, span, None)
    counts = {status: [sum(1 for v in by_day[d].values() if v == status) for d in span]
              for status in ("adopted", "at_risk", "not_started")}
    return {
        "type": "line", "labels": [d.isoformat() for d in span],
        "series": [
            {"name": str(_("adopted")), "values": counts["adopted"], "area": True},
            {"name": str(_("at risk")), "values": counts["at_risk"]},
            {"name": str(_("not started")), "values": counts["not_started"]},
            {"name": str(_("target")), "values": [progress.target] * len(span)},
        ],
    }


@dataclass
class ChangeRow:
    """One setting changed in one entry of a programme's history (a row of the history table)."""

    entry_id: int
    programme: str
    changed_at: object
    changed_by: str
    kind: str
    field: str
    label: str
    old: str | None
    new: str | None


def programme_change_rows(*, programme: Programme | None = None, since: date | None = None,
                          until: date | None = None, newest_first: bool = True) -> list[ChangeRow]:
    """The history of one programme (or all), newest entry first (or oldest), one row per setting
    changed, in the order the entry lists them. A setting that still exists is named in the active
    language; one that no longer exists keeps the label it had. `since` / `until`: local days,
    inclusive."""
    qs = ProgrammeChange.objects.select_related("programme").order_by(
        *(("-changed_at", "-id") if newest_first else ("changed_at", "id")))
    if programme is not None:
        qs = qs.filter(programme=programme)
    if since is not None:
        qs = qs.filter(changed_at__date__gte=since)
    if until is not None:
        qs = qs.filter(changed_at__date__lte=until)
    rows = []
    for entry in qs:
        kind = str(entry.get_kind_display())
        for change in entry.changes:
            rows.append(ChangeRow(entry_id=entry.pk, programme=entry.programme.name, changed_at=entry.changed_at,
                                  changed_by=entry.changed_by_label, kind=kind, field=change["field"],
                                  label=setting_label(change["field"]) or change.get("label") or change["field"],
                                  old=change.get("old"), new=change.get("new")))
    return rows


def enrolment_list(*, programme: Programme | None = None, status: str = Enrolment.Status.ENROLLED
                   ) -> QuerySet[Enrolment]:
    qs = Enrolment.objects.filter(status=status).select_related("programme", "enterprise")
    if programme is not None:
        qs = qs.filter(programme=programme)
    return qs.order_by("programme__period_start", "enterprise__name")


def enrolment_get_for_office(*, pk: int) -> Enrolment:
    return Enrolment.objects.select_related("programme", "enterprise").get(pk=pk)


def reversal_list(*, programme: Programme | None = None, enrolment: Enrolment | None = None):
    """Cancellations and clawbacks, newest first."""
    qs = SubsidyReversal.objects.select_related("subsidy__enrolment__enterprise", "recorded_by")
    if programme is not None:
        qs = qs.filter(subsidy__programme=programme)
    if enrolment is not None:
        qs = qs.filter(subsidy__enrolment=enrolment)
    return qs.order_by("-reversed_on", "-id")


def subsidy_list(*, programme: Programme | None = None, enterprise: Enterprise | None = None) -> QuerySet[Subsidy]:
    qs = Subsidy.objects.select_related("programme", "enrolment__enterprise")
    if programme is not None:
        qs = qs.filter(programme=programme)
    if enterprise is not None:
        qs = qs.filter(enrolment__enterprise=enterprise)
    return qs.order_by("-granted_on", "-id")


def own_enrolment_list(*, enterprise: Enterprise) -> QuerySet[Enrolment]:
    """An enterprise's own programmes, with what it was granted and paid (net of cancellations and
    clawbacks)."""
    return (Enrolment.objects.filter(enterprise=enterprise).select_related("programme")
            .annotate(granted=Sum(F("subsidies__amount") - F("subsidies__returned_amount")),
                      paid=Sum("subsidies__paid_amount"))
            .order_by("programme__period_start", "programme__code"))


def enterprises_for_member(*, user: User) -> QuerySet[Enterprise]:
    return Enterprise.objects.filter(memberships__user=user, status=Enterprise.Status.ACTIVE).order_by("name")


def member_enterprise_get(*, user: User, slug: str) -> tuple[Enterprise, Membership] | None:
    membership = (Membership.objects.select_related("enterprise")
                  .filter(user=user, enterprise__slug=slug, enterprise__status=Enterprise.Status.ACTIVE).first())
    return (membership.enterprise, membership) if membership else None


def report_list() -> QuerySet[MonthlyReport]:
    return MonthlyReport.objects.defer("pdf", "xlsx").order_by("-month")


def _total(qs, field: str) -> Decimal:
    return qs.aggregate(s=Sum(field))["s"] or Decimal("0")


def programme_subsidy_totals(*, until: date | None = None, since: date | None = None) -> list[dict]:
    """Per programme: budget, granted and paid as of a day (grants, payments, cancellations and
    clawbacks dated up to it), net of the reversals, and what is left. With `since`, also the flows
    from `since` to `until`: granted, paid, returned to the budget, paid back.

    Granted = grants - what cancellations (and clawbacks of cancelled grants) returned to the budget;
    paid = payments - clawbacks. Without `until` these equal the programme's running totals."""
    result = []
    for programme in Programme.objects.order_by("period_start", "code"):
        grants = Subsidy.objects.filter(programme=programme)
        payments = SubsidyPayment.objects.filter(subsidy__programme=programme)
        reversals = SubsidyReversal.objects.filter(subsidy__programme=programme)
        if until is not None:
            grants, payments = grants.filter(granted_on__lte=until), payments.filter(paid_on__lte=until)
            reversals = reversals.filter(reversed_on__lte=until)
        granted = _total(grants, "amount") - _total(reversals, "budget_returned")
        paid = _total(payments, "amount") - _total(reversals, "paid_back")
        row = {"programme": programme, "budget": programme.budget, "granted": granted, "paid": paid,
               "remaining": programme.budget - granted}
        if since is not None:
            reversals_in = reversals.filter(reversed_on__gte=since)
            row.update({"granted_in": _total(grants.filter(granted_on__gte=since), "amount"),
                        "paid_in": _total(payments.filter(paid_on__gte=since), "amount"),
                        "returned_in": _total(reversals_in, "budget_returned"),
                        "paid_back_in": _total(reversals_in, "paid_back")})
        result.append(row)
    return result
