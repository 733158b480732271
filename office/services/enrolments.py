"""Enrolments (the office enrols, an enterprise applies, the office decides; withdrawal) and the
milestones of an enrolled enterprise."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import field_error
from office.error_codes import OfficeErrorCode as Code
from office.models import Enrolment, Milestone, Programme
from office.selectors import programme_eligible_enterprises
from office.services.base import office_require
from office.services.snapshots import evaluate_from_latest
from tenants.models import Enterprise, Membership, Role, User


def _check_can_join(programme: Programme, enterprise: Enterprise) -> None:
    if enterprise.status != Enterprise.Status.ACTIVE:
        raise field_error("enterprise", _("%(name)s is not active on the platform.") % {"name": enterprise.name},
                          Code.ENTERPRISE_INACTIVE)
    if not programme.is_open():
        raise ValidationError(_("%(programme)s ended on %(end)s.") % {"programme": programme.name,
                                                                       "end": programme.period_end},
                              code=Code.PROGRAMME_CLOSED)
    if programme.cohort_sales_bands and enterprise.sales_band not in programme.cohort_sales_bands:
        raise field_error("enterprise", _("%(name)s is not eligible: %(programme)s is for enterprises with annual "
                                          "sales of %(bands)s.") % {
            "name": enterprise.name, "programme": programme.name,
            "bands": ", ".join(str(Enterprise.SalesBand(b).label) for b in programme.cohort_sales_bands)},
            Code.NOT_ELIGIBLE)


@transaction.atomic
def enrolment_enrol(*, programme: Programme, enterprise: Enterprise, actor: User, note: str = "") -> Enrolment:
    """The office enrols an enterprise (or accepts its open application)."""
    office_require(actor)
    _check_can_join(programme, enterprise)
    enrolment, created = Enrolment.objects.select_for_update().get_or_create(
        programme=programme, enterprise=enterprise, defaults={"status": Enrolment.Status.ENROLLED})
    if not created and enrolment.status == Enrolment.Status.ENROLLED:
        raise field_error("enterprise", _("%(name)s is already enrolled in %(programme)s.") % {
            "name": enterprise.name, "programme": programme.name}, Code.ALREADY_ENROLLED)
    now = timezone.now()
    enrolment.status = Enrolment.Status.ENROLLED
    enrolment.decided_by, enrolment.decided_at, enrolment.enrolled_on = actor, now, timezone.localdate()
    if note:
        enrolment.note = note.strip()[:300]
    enrolment.full_clean()
    enrolment.save()
    evaluate_from_latest(enrolment)
    return enrolment


@transaction.atomic
def enrolment_apply(*, programme: Programme, enterprise: Enterprise, actor: User, note: str = "") -> Enrolment:
    """An owner or administrator of the enterprise applies to take part; the office decides."""
    membership = Membership.objects.filter(user=actor, enterprise=enterprise).first()
    if membership is None or not membership.has_role(Role.ADMIN):
        raise ValidationError(_("Only an owner or administrator of the enterprise can apply."), code=Code.FORBIDDEN)
    _check_can_join(programme, enterprise)
    enrolment, created = Enrolment.objects.select_for_update().get_or_create(
        programme=programme, enterprise=enterprise, defaults={"status": Enrolment.Status.APPLIED})
    if not created and enrolment.status == Enrolment.Status.ENROLLED:
        raise ValidationError(_("%(name)s is already enrolled in %(programme)s.") % {
            "name": enterprise.name, "programme": programme.name}, code=Code.ALREADY_ENROLLED)
    if not created and enrolment.status == Enrolment.Status.APPLIED:
        raise ValidationError(_("The application to %(programme)s is already waiting for the office.") % {
            "programme": programme.name}, code=Code.ALREADY_APPLIED)
    enrolment.status = Enrolment.Status.APPLIED
    enrolment.applied_by, enrolment.applied_at = actor, timezone.now()
    enrolment.decided_by = enrolment.decided_at = None
    enrolment.note = (note or "").strip()[:300]
    enrolment.full_clean()
    enrolment.save()
    return enrolment


@transaction.atomic
def enrolment_decide(*, enrolment: Enrolment, actor: User, approve: bool, note: str = "") -> Enrolment:
    office_require(actor)
    enrolment = Enrolment.objects.select_for_update().select_related("programme", "enterprise").get(pk=enrolment.pk)
    if enrolment.status != Enrolment.Status.APPLIED:
        raise ValidationError(_("There is no open application to decide."), code=Code.NOT_APPLIED)
    if approve:
        _check_can_join(enrolment.programme, enrolment.enterprise)
        enrolment.status = Enrolment.Status.ENROLLED
        enrolment.enrolled_on = timezone.localdate()
    else:
        enrolment.status = Enrolment.Status.REJECTED
    enrolment.decided_by, enrolment.decided_at = actor, timezone.now()
    if note:
        enrolment.note = note.strip()[:300]
    enrolment.save()
    if approve:
        evaluate_from_latest(enrolment)
    return enrolment


@transaction.atomic
def enrolment_withdraw(*, enrolment: Enrolment, actor: User, note: str = "") -> Enrolment:
    office_require(actor)
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if enrolment.status != Enrolment.Status.ENROLLED:
        raise ValidationError(_("Only an enrolled enterprise can be withdrawn."), code=Code.NOT_ENROLLED)
    enrolment.status = Enrolment.Status.WITHDRAWN
    enrolment.decided_by, enrolment.decided_at = actor, timezone.now()
    if note:
        enrolment.note = note.strip()[:300]
    enrolment.save()
    return enrolment


def programme_enrol_eligible(*, programme: Programme, actor: User) -> int:
    """Enrol every eligible active enterprise that is not enrolled yet (cohort programmes). Returns how many."""
    office_require(actor)
    count = 0
    taken = set(programme.enrolments.filter(status=Enrolment.Status.ENROLLED).values_list("enterprise_id", flat=True))
    for enterprise in programme_eligible_enterprises(programme=programme).exclude(pk__in=taken):
        enrolment_enrol(programme=programme, enterprise=enterprise, actor=actor)
        count += 1
    return count


@transaction.atomic
def milestone_record(*, enrolment: Enrolment, kind: str, actor: User, planned_on: date | None = None,
                     done_on: date | None = None, note: str = "") -> Milestone:
    office_require(actor)
    if enrolment.status != Enrolment.Status.ENROLLED:
        raise ValidationError(_("Milestones are kept for enrolled enterprises only."), code=Code.NOT_ENROLLED)
    if kind not in Milestone.Kind.values:
        raise field_error("kind", _("Unknown milestone."), Code.DATES_INVALID)
    if done_on is not None and done_on > timezone.localdate():
        raise field_error("done_on", _("A milestone cannot be done in the future."), Code.DATES_INVALID)
    milestone, _created = Milestone.objects.select_for_update().get_or_create(enrolment=enrolment, kind=kind)
    milestone.planned_on, milestone.done_on = planned_on, done_on
    milestone.note = (note or "").strip()[:300]
    milestone.updated_by = actor
    milestone.full_clean()
    milestone.save()
    return milestone
