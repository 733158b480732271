"""The PDM programme's measures per enrolled enterprise: parts under revision control, documents in
the vault, ECOs completed in 90 days (as counted in each enterprise's own schema and kept in its
snapshot), whether it demonstrates PDM (adoption.PDM_DEMONSTRATION) and the totals. Public schema only."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils import timezone

from office.adoption import ADOPTED, PDM_DEMONSTRATION, pdm_demonstration_evaluate, reasons_text
from office.models import AdoptionSnapshot, Enrolment, Programme
from office.selectors.figures import SNAPSHOT_MAX_AGE_DAYS


@dataclass
class PdmRow:
    enrolment: Enrolment
    day: date | None  # of the figures; None: no figures in the last week
    parts_under_revision: int
    vault_documents: int
    ecos_completed_90d: int
    demonstrating: bool
    why: str


@dataclass
class PdmMeasures:
    rows: list[PdmRow] = field(default_factory=list)
    target: int = 0
    rule: dict = field(default_factory=lambda: dict(PDM_DEMONSTRATION))

    @property
    def demonstrating(self) -> int:
        return sum(1 for r in self.rows if r.demonstrating)

    @property
    def parts_under_revision(self) -> int:
        return sum(r.parts_under_revision for r in self.rows)

    @property
    def vault_documents(self) -> int:
        return sum(r.vault_documents for r in self.rows)

    @property
    def ecos_completed_90d(self) -> int:
        return sum(r.ecos_completed_90d for r in self.rows)


def pdm_measures(*, programme: Programme, as_of: date | None = None) -> PdmMeasures:
    """Each enrolled enterprise's latest snapshot (at most a week old on `as_of`, as the other pages)."""
    as_of = as_of or timezone.localdate()
    enrolments = list(programme.enrolments.filter(status=Enrolment.Status.ENROLLED).select_related("enterprise")
                      .order_by("enterprise__name"))
    latest = {s.enterprise_id: s for s in AdoptionSnapshot.objects.filter(
        enterprise_id__in=[e.enterprise_id for e in enrolments], day__lte=as_of,
        day__gt=as_of - timedelta(days=SNAPSHOT_MAX_AGE_DAYS)
    ).order_by("enterprise_id", "-day").distinct("enterprise_id")}
    measures = PdmMeasures(target=programme.target_count or 0)
    for enrolment in enrolments:
        snapshot = latest.get(enrolment.enterprise_id)
        evaluation = pdm_demonstration_evaluate(snapshot=snapshot)
        measures.rows.append(PdmRow(
            enrolment=enrolment, day=snapshot.day if snapshot else None,
            parts_under_revision=snapshot.pdm_parts_under_revision if snapshot else 0,
            vault_documents=snapshot.pdm_vault_documents if snapshot else 0,
            ecos_completed_90d=snapshot.pdm_ecos_completed_90d if snapshot else 0,
            demonstrating=evaluation.status == ADOPTED, why=reasons_text(evaluation.status, evaluation.reasons)))
    return measures
