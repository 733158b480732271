"""The logistics programme's measures per enrolled enterprise: the share of its sales deliveries of the last 30
days shipped with tracking and its shipments in those 30 days (as counted in each enterprise's own schema and
kept in its snapshot), whether it uses logistics management by adoption.LOGISTICS_DEMONSTRATION, and the totals.
Public schema only."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from office.adoption import ADOPTED, LOGISTICS_DEMONSTRATION, logistics_demonstration_evaluate, reasons_text
from office.models import AdoptionSnapshot, Enrolment, Programme
from office.selectors.figures import SNAPSHOT_MAX_AGE_DAYS


@dataclass
class LogisticsRow:
    enrolment: Enrolment
    day: date | None  # of the figures; None: no figures in the last week
    deliveries_30d: int
    tracked_30d: int
    tracked_pct: Decimal | None
    shipments_30d: int
    demonstrating: bool
    why: str


@dataclass
class LogisticsMeasures:
    rows: list[LogisticsRow] = field(default_factory=list)
    target: int = 0
    rule: dict = field(default_factory=lambda: dict(LOGISTICS_DEMONSTRATION))

    @property
    def demonstrating(self) -> int:
        return sum(1 for r in self.rows if r.demonstrating)

    @property
    def deliveries_30d(self) -> int:
        return sum(r.deliveries_30d for r in self.rows)

    @property
    def tracked_30d(self) -> int:
        return sum(r.tracked_30d for r in self.rows)

    @property
    def tracked_pct(self) -> Decimal | None:
        if not self.deliveries_30d:
            return None
        return (Decimal(100) * self.tracked_30d / self.deliveries_30d).quantize(Decimal("0.1"), ROUND_HALF_UP)

    @property
    def shipments_30d(self) -> int:
        return sum(r.shipments_30d for r in self.rows)


def logistics_measures(*, programme: Programme, as_of: date | None = None) -> LogisticsMeasures:
    """Each enrolled enterprise's latest snapshot (at most a week old on `as_of`, as the other pages)."""
    as_of = as_of or timezone.localdate()
    enrolments = list(programme.enrolments.filter(status=Enrolment.Status.ENROLLED).select_related("enterprise")
                      .order_by("enterprise__name"))
    latest = {s.enterprise_id: s for s in AdoptionSnapshot.objects.filter(
        enterprise_id__in=[e.enterprise_id for e in enrolments], day__lte=as_of,
        day__gt=as_of - timedelta(days=SNAPSHOT_MAX_AGE_DAYS)
    ).order_by("enterprise_id", "-day").distinct("enterprise_id")}
    measures = LogisticsMeasures(target=programme.target_count or 0)
    for enrolment in enrolments:
        snapshot = latest.get(enrolment.enterprise_id)
        evaluation = logistics_demonstration_evaluate(snapshot=snapshot)
        measures.rows.append(LogisticsRow(
            enrolment=enrolment, day=snapshot.day if snapshot else None,
            deliveries_30d=snapshot.logistics_deliveries_30d if snapshot else 0,
            tracked_30d=snapshot.logistics_deliveries_tracked_30d if snapshot else 0,
            tracked_pct=snapshot.logistics_tracked_pct if snapshot else None,
            shipments_30d=snapshot.logistics_shipments_30d if snapshot else 0,
            demonstrating=evaluation.status == ADOPTED, why=reasons_text(evaluation.status, evaluation.reasons)))
    return measures
