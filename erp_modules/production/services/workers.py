"""The people who report work and are paid piece rates: workers without a login, and members of the
enterprise (a worker row made for a member the first time one is chosen, so every report names a worker
and the pay is summed per person, not per spelling of a name)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from erp_modules.common.services import audit_record
from erp_modules.production.error_codes import ProductionErrorCode as Code
from erp_modules.production.models import Worker
from erp_modules.production.services._common import _error


@transaction.atomic
def worker_save(*, worker: Worker | None = None, code: str, name: str, work_center=None, active: bool = True,
                user=None) -> Worker:
    """Add a worker or change one (number, name, team, active). The number is unique in the enterprise."""
    code, name = " ".join((code or "").split()).upper(), " ".join((name or "").split())
    if not code:
        raise _error(_("Give the worker's number."), Code.OPERATOR_REQUIRED, "code")
    if not name:
        raise _error(_("Give the worker's name."), Code.OPERATOR_REQUIRED, "name")
    if Worker.objects.filter(code__iexact=code).exclude(pk=getattr(worker, "pk", None)).exists():
        raise _error(_("Worker number %(code)s is already taken.") % {"code": code}, Code.WORKER_CODE_TAKEN, "code")
    created = worker is None
    before = None if created else {"code": worker.code, "name": worker.name, "active": worker.active,
                                   "work_center": worker.work_center_id}
    worker = worker or Worker()
    worker.code, worker.name, worker.work_center, worker.active = code[:30], name[:100], work_center, bool(active)
    worker.full_clean()
    worker.save()
    after = {"code": worker.code, "name": worker.name, "active": worker.active, "work_center": worker.work_center_id}
    changes = {k: [None if before is None else before[k], v] for k, v in after.items()
               if before is None or before[k] != v}
    audit_record(obj=worker, action="create" if created else "update", user=user, changes=changes)
    return worker


def worker_for_member(*, user) -> Worker:
    """The worker row of a member (made on first use, numbered M<user id>)."""
    worker = Worker.objects.filter(user_id=user.pk).first()
    if worker is not None:
        return worker
    name = (user.get_full_name() or "").strip() or user.email
    try:
        with transaction.atomic():
            return Worker.objects.create(code=f"M{user.pk}", name=name[:100], user_id=user.pk)
    except IntegrityError:  # made meanwhile by another request
        return Worker.objects.get(user_id=user.pk)


def worker_check_active(worker: Worker) -> None:
    if not worker.active:
        raise ValidationError({"worker": ValidationError(
            _("%(worker)s is no longer active: choose another worker.") % {"worker": worker},
            code=Code.WORKER_INACTIVE)})
