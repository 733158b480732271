"""The daily adoption snapshot of an enterprise and the evaluation of its enrolments against it; the
evaluation again after a programme's criteria changed, and its task (defined here, next to the service
it runs, so that the programme services queue it without importing office.tasks; office.tasks imports
it for Celery's autodiscovery)."""

from __future__ import annotations

from datetime import date

from celery import shared_task
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from office import metrics
from office.adoption import adoption_evaluate, programme_criteria
from office.models import AdoptionRecord, AdoptionSnapshot, Enrolment, Programme
from tenants.models import Enterprise

SNAPSHOT_FIELDS = ["active_users_7d", "active_users_30d", "documents_7d", "documents_30d", "documents_prev_30d",
                   "documents_7d_total", "documents_30d_total", "modules_in_use", "items_count",
                   "items_with_bom_pct", "items_with_lead_time_pct", "items_with_cost_pct", "completeness_pct",
                   "pdm_parts_under_revision", "pdm_vault_documents", "pdm_ecos_completed_90d",
                   "logistics_deliveries_30d", "logistics_deliveries_tracked_30d", "logistics_tracked_pct",
                   "logistics_shipments_30d", "computed_at"]


def adoption_snapshot_record(*, enterprise: Enterprise, activity: metrics.Activity) -> AdoptionSnapshot:
    """Add the public-schema figures to what the enterprise's schema counted, upsert the day's row
    (INSERT … ON CONFLICT (enterprise, day) DO UPDATE: re-running a day is harmless) and evaluate
    the enterprise's enrolments. Call it with the connection on the public schema."""
    metrics.public_activity_count(enterprise_id=enterprise.pk, day=activity.day, activity=activity)
    snapshot = AdoptionSnapshot(
        enterprise=enterprise, day=activity.day,
        active_users_7d=len(activity.user_ids_7d), active_users_30d=len(activity.user_ids_30d),
        documents_7d=activity.documents_7d, documents_30d=activity.documents_30d,
        documents_prev_30d=activity.documents_prev_30d,
        documents_7d_total=sum(activity.documents_7d.values()), documents_30d_total=sum(activity.documents_30d.values()),
        modules_in_use=metrics.modules_in_use(activity.documents_30d), items_count=activity.items_count,
        items_with_bom_pct=activity.items_with_bom_pct, items_with_lead_time_pct=activity.items_with_lead_time_pct,
        items_with_cost_pct=activity.items_with_cost_pct, completeness_pct=activity.completeness_pct,
        pdm_parts_under_revision=activity.pdm_parts_under_revision, pdm_vault_documents=activity.pdm_vault_documents,
        pdm_ecos_completed_90d=activity.pdm_ecos_completed_90d,
        logistics_deliveries_30d=activity.logistics_deliveries_30d,
        logistics_deliveries_tracked_30d=activity.logistics_deliveries_tracked_30d,
        logistics_tracked_pct=activity.logistics_tracked_pct, logistics_shipments_30d=activity.logistics_shipments_30d,
        computed_at=timezone.now())
    with transaction.atomic():
        AdoptionSnapshot.objects.bulk_create([snapshot], update_conflicts=True, unique_fields=["enterprise", "day"],
                                             update_fields=SNAPSHOT_FIELDS)
        snapshot = AdoptionSnapshot.objects.get(enterprise=enterprise, day=activity.day)
        for enrolment in Enrolment.objects.filter(enterprise=enterprise, status=Enrolment.Status.ENROLLED
                                                  ).select_related("programme"):
            adoption_record_write(enrolment=enrolment, snapshot=snapshot)
    return snapshot


def adoption_record_write(*, enrolment: Enrolment, snapshot: AdoptionSnapshot | None,
                          day: date | None = None) -> AdoptionRecord:
    """Evaluate one enrolment against one snapshot; upsert the day's record; move the enrolment's
    current status forward (never back to an older day)."""
    evaluation = adoption_evaluate(criteria=programme_criteria(enrolment.programme), snapshot=snapshot)
    day = snapshot.day if snapshot is not None else (day or timezone.localdate())
    AdoptionRecord.objects.bulk_create(
        [AdoptionRecord(enrolment=enrolment, day=day, status=evaluation.status, reasons=evaluation.reasons)],
        update_conflicts=True, unique_fields=["enrolment", "day"], update_fields=["status", "reasons"])
    Enrolment.objects.filter(pk=enrolment.pk).filter(Q(adoption_as_of__isnull=True) | Q(adoption_as_of__lte=day)
                                                     ).update(adoption_status=evaluation.status,
                                                              adoption_reasons=evaluation.reasons, adoption_as_of=day)
    return AdoptionRecord.objects.get(enrolment=enrolment, day=day)


def evaluate_from_latest(enrolment: Enrolment) -> None:
    snapshot = AdoptionSnapshot.objects.filter(enterprise_id=enrolment.enterprise_id).order_by("-day").first()
    adoption_record_write(enrolment=enrolment, snapshot=snapshot)
    enrolment.refresh_from_db()


@transaction.atomic
def programme_reevaluate(*, programme: Programme) -> int:
    """After the criteria change: evaluate every stored day of every enrolled enterprise again."""
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    count = 0
    for enrolment in programme.enrolments.filter(status=Enrolment.Status.ENROLLED).select_related("programme"):
        Enrolment.objects.filter(pk=enrolment.pk).update(adoption_as_of=None)
        for snapshot in AdoptionSnapshot.objects.filter(enterprise_id=enrolment.enterprise_id).order_by("day"):
            adoption_record_write(enrolment=enrolment, snapshot=snapshot)
            count += 1
    return count


@shared_task(name="programs.programme_reevaluate", ignore_result=True)
def programme_reevaluate_task(programme_id: int) -> int:
    """After the office changed a programme's criteria: every stored day of every enrolled
    enterprise, evaluated again (public schema only)."""
    programme = Programme.objects.filter(pk=programme_id).first()
    return 0 if programme is None else programme_reevaluate(programme=programme)
