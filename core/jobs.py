"""Background jobs of an enterprise: one skeleton for every kind (MRP runs, the availability check,
imports, reports, PDM previews, tracking sync).

A kind is a concrete model that inherits `BackgroundJob` (status, progress, safe error text, who asked,
timestamps) and names its `lock_key`. Its service asks for a job with `job_request` and its Celery task
runs it with `job_execute`; the kind's own work is a function `work(job, progress)` that returns the
fields to store when it is done.

The protocol, stated once:
- **One active job per enterprise and kind.** A unique partial index (`one_active_constraint`) lets at
  most one row be queued or running; `job_request` locks the active row, refuses while it is alive,
  and a request that loses the race to the index is refused the same way.
- **Enqueue on commit.** The task is sent by `transaction.on_commit`, so a worker never looks for a
  row that is not committed (or never will be).
- **The worker holds a lock.** While it works the worker holds a PostgreSQL session advisory lock keyed
  by (the kind's `lock_key`, hashtext(schema)); so a row marked running whose lock nobody holds belongs to
  a worker that died, and a queued row older than `queued_stale_after` was never picked up. Either is
  given up (failed, with a message people can read) when the next job is asked for. The key carries the
  schema: enterprises never wait for each other, and the lock lives on the node that holds the schema.
- **At-least-once delivery is harmless.** The row is claimed (queued → running) under the lock; a second
  delivery of the task, after the first finished or after the row was given up, does nothing.
- **Failures are safe to show.** A failed job keeps `job_error_text(exc)`: a ValidationError's message,
  otherwise only the kind of failure; the traceback stays in the worker's log.
- **Pruning.** After each job the kind keeps its last `kept` finished rows.

Lock keys of every kind live in `LockKey`, so that no two kinds share one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from enum import IntEnum
from typing import ClassVar, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tenants.utils import schema_context

from core.errors import job_error_text
from core.locks import schema_advisory_lock

log = logging.getLogger(__name__)


class LockKey(IntEnum):
    """First key of each kind's advisory lock (the second is hashtext(schema name))."""

    MRP_RUN = 4_242
    AVAILABILITY_CHECK = 4_243
    IMPORT = 4_244
    REPORT = 4_245
    PDM_PREVIEW = 4_246
    TRACKING_SYNC = 4_247


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


ACTIVE_STATUSES = (JobStatus.QUEUED, JobStatus.RUNNING)


def one_active_constraint(name: str) -> models.UniqueConstraint:
    """The index that lets one job of a kind be queued or running per enterprise (schema)."""
    return models.UniqueConstraint(models.Value(True), condition=models.Q(status__in=["queued", "running"]), name=name)


class BackgroundJob(models.Model):
    Status = JobStatus
    ACTIVE_STATUSES = ACTIVE_STATUSES

    lock_key: ClassVar[LockKey]
    queued_stale_after: ClassVar[timedelta] = timedelta(minutes=30)
    kept: ClassVar[int] = 10
    stale_message: ClassVar[str] = _("The background worker stopped before finishing this job.")

    status = models.CharField(_("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress %"), default=0)
    stage = models.CharField(_("stage"), max_length=40, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", db_constraint=False, verbose_name=_("started by"))
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-id"]

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


J = TypeVar("J", bound=BackgroundJob)
Progress = Callable[[int, str], None]


def job_is_stale(job: BackgroundJob) -> bool:
    """Whether an active job can be given up: running without its worker's lock, or queued too long."""
    if job.status == JobStatus.RUNNING:
        with schema_advisory_lock(int(job.lock_key)) as free:  # nobody holds it: the worker is gone
            return free
    return job.created_at < timezone.now() - job.queued_stale_after


def _requester(user):
    return user if getattr(user, "is_authenticated", False) else None


def job_request(model: type[J], *, user=None, enqueue: Callable[[int], object],
                busy_error: Callable[[J | None], ValidationError], **fields) -> J:
    """Create a queued job of `model` for the current enterprise and enqueue it when the caller's
    transaction commits (`enqueue(job_id)`, e.g. `task.delay`). Raises `busy_error(active)` while another
    job of the kind is alive (`busy_error(None)` when a concurrent request has just won the race)."""
    with transaction.atomic():
        active = model.objects.select_for_update().filter(status__in=ACTIVE_STATUSES).first()
        if active is not None:
            if not job_is_stale(active):
                raise busy_error(active)
            model.objects.filter(pk=active.pk).update(status=JobStatus.FAILED, finished_at=timezone.now(),
                                                      error=str(model.stale_message))
        job = model(created_by=_requester(user), **fields)
        job.full_clean(validate_constraints=False)
        try:
            with transaction.atomic():
                job.save()
        except IntegrityError:  # another request won the race (the one-active index)
            raise busy_error(None) from None
        job_id, schema = job.pk, connection.schema_name

        def enqueue_in_the_jobs_schema() -> None:
            # the task takes the schema current when it is sent (tenant-schemas-celery): the caller may have
            # left the job's enterprise before its transaction commits (e.g. a partner's upload that runs
            # in the owner's schema), so send it from the schema the job row was written in
            with schema_context(schema):
                enqueue(job_id)

        transaction.on_commit(enqueue_in_the_jobs_schema)
        return job


def job_progress(model: type[BackgroundJob], job_id: int) -> Progress:
    """A callback that publishes a job's progress (0–100) and stage, each in its own statement."""

    def publish(pct: int, stage: str = "") -> None:
        model.objects.filter(pk=job_id).update(progress=max(0, min(int(pct), 100)), stage=str(stage)[:40])

    return publish


def job_execute(model: type[J], *, job_id: int, work: Callable[[J, Progress], dict | None]) -> J | None:
    """Run a queued job (what the kind's Celery task does). `work(job, progress)` does the kind's work
    and returns the fields to store with status done; it may write those itself inside its own
    transaction and return None. An exception marks the job failed with a safe message (whatever `work`
    committed before stays: the kind says what that means). Idempotent: a job that is done or failed,
    or that another worker is running, is left alone."""
    job = model.objects.filter(pk=job_id).first()
    if job is None or not job.is_active:
        return job
    with schema_advisory_lock(int(model.lock_key)) as got:
        if not got:
            return job
        rows = model.objects.filter(pk=job.pk)
        # claim under the lock: a second delivery may come after the first finished or was given up
        if not rows.filter(status__in=ACTIVE_STATUSES).update(status=JobStatus.RUNNING, started_at=timezone.now(),
                                                              progress=1):
            job.refresh_from_db()
            return job
        job.refresh_from_db()
        try:
            done = work(job, job_progress(model, job.pk))
            if done is not None:
                rows.update(**{"status": JobStatus.DONE, "progress": 100, "finished_at": timezone.now(),
                               "error": "", **done})
        except Exception as exc:
            log.exception("%s %s failed", model._meta.label, job.pk)
            rows.update(status=JobStatus.FAILED, finished_at=timezone.now(), error=job_error_text(exc))
    job_prune(model)
    job.refresh_from_db()
    return job


def job_prune(model: type[BackgroundJob]) -> None:
    """Keep the kind's last `kept` finished jobs of the enterprise."""
    old = list(model.objects.exclude(status__in=ACTIVE_STATUSES).order_by("-id")
               .values_list("pk", flat=True)[model.kept:])
    if old:
        model.objects.filter(pk__in=old).delete()
