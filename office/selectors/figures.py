"""Figures: an enterprise's own over time, and the city's in groups, with suppression. Public schema only.

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
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from office.metrics import DOCUMENT_KINDS, MODULE_LABELS, MODULE_OF_KIND
from office.models import AdoptionSnapshot, Enrolment
from tenants.industries import INDUSTRY_GROUPS, industry_sector
from tenants.models import Enterprise

MIN_COHORT = getattr(settings, "PROGRAMS_MIN_COHORT", 5)
SNAPSHOT_MAX_AGE_DAYS = 7


def enrolled_enterprise_ids() -> set[int]:
    return set(Enrolment.objects.filter(status=Enrolment.Status.ENROLLED).values_list("enterprise_id", flat=True))


def enterprise_visible_to_office(*, enterprise: Enterprise) -> bool:
    return Enrolment.objects.filter(enterprise=enterprise, status=Enrolment.Status.ENROLLED).exists()


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


def carried_forward(rows: list[tuple], days: list[date], max_age: int | None) -> dict[date, dict]:
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
    by_day = carried_forward(figures, span, SNAPSHOT_MAX_AGE_DAYS)
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
