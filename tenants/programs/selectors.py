"""Reads for the office pages and the monthly report. Public schema only.

Privacy: the office sees enrolled enterprises one by one; everything else only in groups that
hold at least MIN_COHORT enterprises it cannot see individually (smaller groups are suppressed,
pooled into "other groups" when the pool is large enough, and left out of the totals otherwise,
so a suppressed figure cannot be recovered by subtraction)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tenants.industries import INDUSTRY_GROUPS, industry_sector
from tenants.models import Enterprise, Membership, User
from tenants.programs.metrics import DOCUMENT_KINDS, MODULE_LABELS, MODULE_OF_KIND
from tenants.programs.models import AdoptionRecord, AdoptionSnapshot, Enrolment, MonthlyReport, Programme, Subsidy

MIN_COHORT = getattr(settings, "PROGRAMS_MIN_COHORT", 5)
SNAPSHOT_MAX_AGE_DAYS = 7


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


def programme_progress(*, programme: Programme, adopted: int | None = None) -> Progress:
    from tenants.programs.services import programme_cohort_size

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
    by_day = _carried_forward(records, span, None)
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
    from tenants.programs.history import setting_label
    from tenants.programs.models import ProgrammeChange

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
    from tenants.programs.models import SubsidyReversal

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


def enrolled_enterprise_ids() -> set[int]:
    return set(Enrolment.objects.filter(status=Enrolment.Status.ENROLLED).values_list("enterprise_id", flat=True))


def enterprise_visible_to_office(*, enterprise: Enterprise) -> bool:
    return Enrolment.objects.filter(enterprise=enterprise, status=Enrolment.Status.ENROLLED).exists()


def enterprises_for_member(*, user: User) -> QuerySet[Enterprise]:
    return Enterprise.objects.filter(memberships__user=user, status=Enterprise.Status.ACTIVE).order_by("name")


def member_enterprise_get(*, user: User, slug: str) -> tuple[Enterprise, Membership] | None:
    membership = (Membership.objects.select_related("enterprise")
                  .filter(user=user, enterprise__slug=slug, enterprise__status=Enterprise.Status.ACTIVE).first())
    return (membership.enterprise, membership) if membership else None


def report_list() -> QuerySet[MonthlyReport]:
    return MonthlyReport.objects.defer("pdf", "xlsx").order_by("-month")


# ---- one enterprise over time (only for the office on enrolled ones, or for its own members) ------


def snapshot_list(*, enterprise: Enterprise, days: int = 90, until: date | None = None) -> QuerySet[AdoptionSnapshot]:
    until = until or timezone.localdate()
    return AdoptionSnapshot.objects.filter(enterprise=enterprise, day__gt=until - timedelta(days=days),
                                           day__lte=until).order_by("day")


def snapshot_charts(*, snapshots: list[AdoptionSnapshot]) -> dict:
    """Chart specs for static/js/app.js: active users, weekly documents per module, completeness."""
    labels = [s.day.isoformat() for s in snapshots]
    users = {"type": "line", "labels": labels, "series": [
        {"name": str(_("active users (7 days)")), "values": [s.active_users_7d for s in snapshots]},
        {"name": str(_("active users (30 days)")), "values": [s.active_users_30d for s in snapshots]}]}
    weekly = snapshots[::-1][::7][::-1]  # every 7th day back from the latest: non-overlapping weeks
    modules = sorted({MODULE_OF_KIND[k] for k in DOCUMENT_KINDS})
    per_module = []
    for module in modules:
        values = [sum(int(n) for k, n in (s.documents_7d or {}).items() if MODULE_OF_KIND.get(k) == module)
                  for s in weekly]
        if any(values):
            per_module.append({"name": str(MODULE_LABELS[module]), "values": values, "stack": "docs"})
    documents = {"type": "bar", "labels": [s.day.isoformat() for s in weekly], "series": per_module}
    completeness = {"type": "line", "labels": labels, "series": [
        {"name": str(_("data completeness %")),
         "values": [None if s.completeness_pct is None else float(s.completeness_pct) for s in snapshots]}]}
    return {"users": users, "documents": documents, "completeness": completeness}


# ---- city-wide aggregates with suppression -------------------------------------------------------


def sector_labels() -> dict[str, str]:
    labels = {industry_sector(classes[0][0]): str(group) for group, classes in INDUSTRY_GROUPS}
    labels["other"] = _("Other industries")
    return labels


DIMENSIONS = ("sector", "town")


def _group_key(snapshot, by: str) -> str:
    """The group of a snapshot (a model instance, or anything with `enterprise` industry and town)."""
    return industry_sector(snapshot.enterprise.industry) if by == "sector" else (snapshot.enterprise.town or "")


@dataclass(frozen=True)
class _Registry:
    industry: str
    town: str


@dataclass(frozen=True)
class _Figure:
    """A light snapshot for the day-by-day chart (no model instances for 90 days × every enterprise)."""

    enterprise_id: int
    enterprise: _Registry
    documents_30d_total: int
    active_users_30d: int


def latest_snapshots(*, as_of: date | None = None) -> list[AdoptionSnapshot]:
    """The most recent snapshot of each active enterprise, at most a week old on `as_of`
    (so a missed night changes nothing)."""
    as_of = as_of or timezone.localdate()
    return list(AdoptionSnapshot.objects
                .filter(day__lte=as_of, day__gt=as_of - timedelta(days=SNAPSHOT_MAX_AGE_DAYS),
                        enterprise__status=Enterprise.Status.ACTIVE)
                .select_related("enterprise").order_by("enterprise_id", "-day").distinct("enterprise_id"))


def cohort_visible(*, snapshots: list[AdoptionSnapshot], visible_ids: set[int]) -> bool:
    """A group may be published if the viewer can see all of it anyway, or at least MIN_COHORT of
    it are enterprises the viewer cannot see one by one."""
    hidden = sum(1 for s in snapshots if s.enterprise_id not in visible_ids)
    return hidden == 0 or hidden >= MIN_COHORT


def publishable(snapshots: list, visible_ids: set[int]) -> list:
    """The enterprises that may appear in the city's figures: whoever sits in a too-small group by
    industry OR by town is left out of every table and total (repeated until no group is too small),
    so that one table's total minus another's, or a row of one minus a row of the other, can never
    reveal a suppressed group."""
    kept = list(snapshots)
    while True:
        dropped: set[int] = set()
        for by in DIMENSIONS:
            groups: dict[str, list[AdoptionSnapshot]] = defaultdict(list)
            for s in kept:
                groups[_group_key(s, by)].append(s)
            for snaps in groups.values():
                if not cohort_visible(snapshots=snaps, visible_ids=visible_ids):
                    dropped.update(s.enterprise_id for s in snaps)
        if not dropped:
            return kept
        kept = [s for s in kept if s.enterprise_id not in dropped]


@dataclass
class CohortRow:
    key: str
    label: str
    enterprises: int | None = None
    active: int | None = None
    active_pct: Decimal | None = None
    active_users_30d: int | None = None
    documents_30d: int | None = None
    documents_per_enterprise: Decimal | None = None
    completeness_pct: Decimal | None = None
    suppressed: bool = False
    note: str = ""


@dataclass
class CohortTable:
    by: str
    as_of: date
    rows: list[CohortRow] = field(default_factory=list)
    total: CohortRow | None = None
    suppressed_enterprises: int = 0
    min_cohort: int = MIN_COHORT

    @property
    def note(self) -> str:
        if not self.suppressed_enterprises:
            return ""
        return ngettext(
            "%(n)d enterprise sits in a group (by industry or by town) with fewer than %(k)d enterprises that are "
            "not enrolled: it is left out of every figure here.",
            "%(n)d enterprises sit in groups (by industry or by town) with fewer than %(k)d enterprises that are "
            "not enrolled: they are left out of every figure here.", self.suppressed_enterprises) % {
            "n": self.suppressed_enterprises, "k": self.min_cohort}


def _is_active(s: AdoptionSnapshot) -> bool:
    return s.documents_30d_total > 0 or s.active_users_30d > 0


def _row(key: str, label: str, snaps: list[AdoptionSnapshot]) -> CohortRow:
    n = len(snaps)
    active = sum(1 for s in snaps if _is_active(s))
    documents = sum(s.documents_30d_total for s in snaps)
    completeness = [s.completeness_pct for s in snaps if s.completeness_pct is not None]
    q = Decimal("0.1")
    return CohortRow(
        key=key, label=label, enterprises=n, active=active,
        active_pct=(Decimal(100) * active / n).quantize(q, ROUND_HALF_UP) if n else None,
        active_users_30d=sum(s.active_users_30d for s in snaps), documents_30d=documents,
        documents_per_enterprise=(Decimal(documents) / n).quantize(q, ROUND_HALF_UP) if n else None,
        completeness_pct=(sum(completeness) / len(completeness)).quantize(q, ROUND_HALF_UP) if completeness else None)


def city_figures(*, by: str, as_of: date | None = None, visible_ids: set[int] | None = None) -> CohortTable:
    """City-wide figures grouped by "sector" (GB/T 4754 groups) or "town", with suppression.
    `visible_ids`: enterprises the viewer may see individually (the office: the enrolled ones)."""
    as_of = as_of or timezone.localdate()
    visible_ids = enrolled_enterprise_ids() if visible_ids is None else visible_ids
    snapshots = latest_snapshots(as_of=as_of)
    kept = publishable(snapshots, visible_ids)
    labels = sector_labels() if by == "sector" else {}
    groups: dict[str, list[AdoptionSnapshot]] = defaultdict(list)
    for s in kept:
        key = _group_key(s, by)
        groups[key].append(s)
        if by != "sector":
            labels.setdefault(key, key or _("(town not given)"))
    table = CohortTable(by=by, as_of=as_of, suppressed_enterprises=len(snapshots) - len(kept))
    for key in sorted(groups, key=lambda k: (-len(groups[k]), str(labels.get(k, k)))):
        table.rows.append(_row(key, str(labels.get(key, key)), groups[key]))
    if table.suppressed_enterprises:
        table.rows.append(CohortRow(key="_suppressed", label=_("Other groups"), suppressed=True,
                                    note=_("suppressed: fewer than %(k)d enterprises") % {"k": MIN_COHORT}))
    if kept:
        table.total = _row("_total", _("Total of the enterprises shown") if table.suppressed_enterprises
                           else _("City total"), kept)
    return table


def _carried_forward(rows: list[tuple], days: list[date], max_age: int | None) -> dict[date, dict]:
    """rows: (day, key, value) sorted by day. For each of `days`: {key: the latest value on or
    before that day (no older than max_age days)} — missing nights do not make dips."""
    result: dict[date, dict] = {}
    latest: dict = {}
    i = 0
    for day in days:
        while i < len(rows) and rows[i][0] <= day:
            latest[rows[i][1]] = (rows[i][0], rows[i][2])
            i += 1
        result[day] = {k: v for k, (d, v) in latest.items() if max_age is None or (day - d).days < max_age}
    return result


def city_activity_series(*, days: int = 90, until: date | None = None, visible_ids: set[int] | None = None) -> dict:
    """Per day: enterprises with figures and active enterprises, over the publishable population
    (each enterprise at its latest snapshot of the 7 days before, so a missed night makes no dip)."""
    until = until or timezone.localdate()
    visible_ids = enrolled_enterprise_ids() if visible_ids is None else visible_ids
    start = until - timedelta(days=days - 1)
    rows = list(AdoptionSnapshot.objects
                .filter(day__gt=start - timedelta(days=SNAPSHOT_MAX_AGE_DAYS), day__lte=until,
                        enterprise__status=Enterprise.Status.ACTIVE)
                .order_by("day").values_list("day", "enterprise_id", "documents_30d_total", "active_users_30d"))
    if not rows:
        return {"type": "line", "labels": [], "series": []}
    registry = {pk: _Registry(industry, town or "") for pk, industry, town in
                Enterprise.objects.filter(pk__in={r[1] for r in rows}).values_list("pk", "industry", "town")}
    figures = [(day, eid, _Figure(eid, registry[eid], documents, users)) for day, eid, documents, users in rows]
    first = max(start, rows[0][0])
    span = [first + timedelta(days=n) for n in range((until - first).days + 1)]
    by_day = _carried_forward(figures, span, SNAPSHOT_MAX_AGE_DAYS)
    labels, totals, active = [], [], []
    for day in span:
        kept = publishable(list(by_day[day].values()), visible_ids)
        labels.append(day.isoformat())
        totals.append(len(kept) if kept else None)
        active.append(sum(1 for s in kept if _is_active(s)) if kept else None)
    return {"type": "line", "labels": labels, "series": [
        {"name": str(_("enterprises with figures")), "values": totals},
        {"name": str(_("active enterprises")), "values": active, "area": True}]}


def own_benchmark(*, enterprise: Enterprise, as_of: date | None = None) -> CohortRow | None:
    """For an enterprise's own page: its sector's figures, only if the sector holds at least
    MIN_COHORT other enterprises (the enterprise itself is the only one it may see)."""
    sector = industry_sector(enterprise.industry)
    snapshots = [s for s in latest_snapshots(as_of=as_of) if industry_sector(s.enterprise.industry) == sector]
    others = [s for s in snapshots if s.enterprise_id != enterprise.pk]
    if len(others) < MIN_COHORT:
        return None
    return _row("sector", sector_labels().get(sector, ""), snapshots)


def _total(qs, field: str) -> Decimal:
    return qs.aggregate(s=Sum(field))["s"] or Decimal("0")


def programme_subsidy_totals(*, until: date | None = None, since: date | None = None) -> list[dict]:
    """Per programme: budget, granted and paid as of a day (grants, payments, cancellations and
    clawbacks dated up to it), net of the reversals, and what is left. With `since`, also the flows
    from `since` to `until`: granted, paid, returned to the budget, paid back.

    Granted = grants - what cancellations (and clawbacks of cancelled grants) returned to the budget;
    paid = payments - clawbacks. Without `until` these equal the programme's running totals."""
    from tenants.programs.models import SubsidyPayment, SubsidyReversal

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
