"""TENANT schema: material requirements planning — runs, their planned orders and exceptions,
the per-item time-phased plan of a run, and the master schedule (forecast per item × week).

A run is computed by a Celery task (erp_modules.mrp.tasks) and written in one transaction when
it is done: the results shown are those of the latest run that finished ("done"); a failed run
leaves them in place. At most one run per enterprise is queued or running at a time (a unique
partial index, `mrprun_one_active`; each enterprise has its own schema, hence its own index).
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from core.jobs import BackgroundJob, LockKey, one_active_constraint
from erp_modules.common.models import QTY


def _zh() -> bool:
    return (get_language() or "zh-hans").lower().startswith("zh")


class MrpRun(BackgroundJob):
    """One run of MRP: a background job of the enterprise (core.jobs: one active at a time, the
    worker's advisory lock, progress, a safe error text)."""

    lock_key = LockKey.MRP_RUN
    stale_message = _("The background worker stopped before finishing this run.")

    class Bucket(models.TextChoices):
        WEEK = "week", _("week")
        DAY = "day", _("day")

    bucket = models.CharField(_("time bucket"), max_length=5, choices=Bucket.choices, default=Bucket.WEEK)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    plan_date = models.DateField(_("planned as of"), null=True, blank=True)
    bucket_starts = models.JSONField(default=list, blank=True, editable=False)
    stats = models.JSONField(default=dict, blank=True, editable=False)
    planned_count = models.PositiveIntegerField(_("planned orders"), default=0)
    exception_count = models.PositiveIntegerField(_("exceptions"), default=0)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("MRP run")
        verbose_name_plural = _("MRP runs")
        constraints = [
            # Two runs of one enterprise never overlap: at most one row is queued or running.
            one_active_constraint("mrprun_one_active"),
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="mrprun_progress_range"),
        ]
        indexes = [models.Index(fields=["status", "-id"], name="mrprun_status_idx")]

    def __str__(self):
        return f"MRP #{self.pk}"

    @property
    def stage_label(self) -> str:
        """The worker's stage code (reading, computing, level N, exceptions, writing, done) for people."""
        if self.stage.startswith("level "):
            return gettext("planning BOM level %(n)s") % {"n": self.stage[6:]}
        labels = {"reading": gettext("reading orders, stock and BOMs"), "computing": gettext("planning"),
                  "levels": gettext("planning"), "exceptions": gettext("checking exceptions"),
                  "writing": gettext("saving the plan"), "done": gettext("done")}
        return labels.get(self.stage, self.stage)

    @property
    def duration_s(self) -> float | None:
        if self.started_at and self.finished_at:
            return round((self.finished_at - self.started_at).total_seconds(), 1)
        return None


class PlannedOrder(models.Model):
    class Type(models.TextChoices):
        BUY = "buy", _("buy")
        MAKE = "make", _("make")

    # A run writes tens of thousands of these rows at once (COPY, in one transaction), so they carry
    # one index besides the primary key — the unique (run, key), which every "orders of this run"
    # query uses — and no foreign-key constraints: checking four per row at commit took longer
    # than computing the plan (about 2 s for a 70,000-order plan). The writer guarantees what the
    # constraints would: it locks the run row first and writes ids it read moments before;
    # Django still cascades deletes of runs and items, and nulls deleted suppliers and BOMs.
    run = models.ForeignKey(MrpRun, on_delete=models.CASCADE, related_name="planned_orders", db_index=False,
                            db_constraint=False)
    key = models.PositiveIntegerField(_("number in run"))  # pegging of children refers to it
    item = models.ForeignKey("catalog.Item", on_delete=models.CASCADE, related_name="+", verbose_name=_("item"),
                             db_constraint=False, db_index=False)
    order_type = models.CharField(_("type"), max_length=4, choices=Type.choices)
    quantity = models.DecimalField(_("quantity"), **QTY)
    net_quantity = models.DecimalField(_("shortage"), **QTY)
    release_date = models.DateField(_("release"))
    due_date = models.DateField(_("due"))
    level = models.PositiveSmallIntegerField(_("low-level code"), default=0)
    lead_time_days = models.PositiveIntegerField(_("lead time (days)"), default=0)
    supplier = models.ForeignKey("partners.Partner", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name=_("supplier"), db_constraint=False, db_index=False)
    bom = models.ForeignKey("catalog.Bom", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                            verbose_name=_("BOM version"), db_constraint=False, db_index=False)
    parent_key = models.PositiveIntegerField(null=True, blank=True)  # the parent order of the first peg
    reason_zh = models.TextField(blank=True)
    reason_en = models.TextField(blank=True)
    is_late = models.BooleanField(_("late"), default=False)
    missing_bom = models.BooleanField(_("missing BOM"), default=False)
    missing_lead_time = models.BooleanField(_("missing lead time"), default=False)
    pegging = models.JSONField(_("pegging"), default=list, blank=True)
    converted_ref = models.CharField(_("converted to"), max_length=30, blank=True)
    converted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_date", "key"]
        verbose_name = _("planned order")
        verbose_name_plural = _("planned orders")
        constraints = [
            models.UniqueConstraint(fields=["run", "key"], name="plannedorder_run_key_unique"),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="plannedorder_quantity_positive"),
        ]

    def __str__(self):
        return f"{self.get_order_type_display()} {self.item_id} × {self.quantity}"

    @property
    def reason(self) -> str:
        return self.reason_zh if _zh() else self.reason_en

    @property
    def has_exception(self) -> bool:
        return self.is_late or self.missing_bom or self.missing_lead_time

    @property
    def exceptions_text(self) -> str:
        return ", ".join(self.exception_labels)

    @property
    def exception_labels(self) -> list[str]:
        labels = []
        if self.is_late:
            labels.append(str(_("late")))
        if self.missing_bom:
            labels.append(str(_("missing BOM")))
        if self.missing_lead_time:
            labels.append(str(_("missing lead time")))
        return labels


class MrpException(models.Model):
    class Kind(models.TextChoices):
        LATE = "late", _("late")
        EXCESS = "excess", _("excess supply")
        MISSING_BOM = "missing_bom", _("missing BOM")
        MISSING_LEAD_TIME = "missing_lead_time", _("missing lead time")
        CYCLE = "cycle", _("BOM cycle")

    run = models.ForeignKey(MrpRun, on_delete=models.CASCADE, related_name="exceptions")
    item = models.ForeignKey("catalog.Item", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("item"))
    kind = models.CharField(_("exception"), max_length=20, choices=Kind.choices)
    reference = models.CharField(_("reference"), max_length=60, blank=True)
    quantity = models.DecimalField(_("quantity"), null=True, blank=True, **QTY)
    date = models.DateField(_("date"), null=True, blank=True)
    message_zh = models.TextField(blank=True)
    message_en = models.TextField(blank=True)

    class Meta:
        ordering = ["kind", "id"]
        verbose_name = _("MRP exception")
        verbose_name_plural = _("MRP exceptions")
        indexes = [models.Index(fields=["run", "kind"], name="mrpexception_run_kind_idx")]

    @property
    def message(self) -> str:
        return self.message_zh if _zh() else self.message_en


class MrpItemPlan(models.Model):
    """The time-phased picture of one item in one run: per bucket gross requirement, scheduled
    receipts, planned orders and projected on hand (lists aligned with run.bucket_starts)."""

    run = models.ForeignKey(MrpRun, on_delete=models.CASCADE, related_name="item_plans")
    item = models.ForeignKey("catalog.Item", on_delete=models.CASCADE, related_name="+")
    level = models.PositiveSmallIntegerField(default=0)
    on_hand = models.DecimalField(default=Decimal("0"), **QTY)
    safety_stock = models.DecimalField(default=Decimal("0"), **QTY)
    series = models.JSONField(default=dict)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "item"], name="mrpitemplan_run_item_unique")]


class MasterScheduleEntry(models.Model):
    """Master production schedule / forecast: a quantity of an item for a week (Monday).
    Open sales orders of the same week consume it; only the rest is planned on top of them."""

    item = models.ForeignKey("catalog.Item", on_delete=models.CASCADE, related_name="+", verbose_name=_("item"))
    week_start = models.DateField(_("week (Monday)"))
    quantity = models.DecimalField(_("quantity"), **QTY)
    note = models.CharField(_("note"), max_length=200, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", db_constraint=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["week_start", "item__code"]
        verbose_name = _("master schedule entry")
        verbose_name_plural = _("master schedule")
        constraints = [
            models.UniqueConstraint(fields=["item", "week_start"], name="mps_item_week_unique"),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="mps_quantity_positive"),
            models.CheckConstraint(condition=models.Q(week_start__iso_week_day=1), name="mps_week_starts_monday"),
        ]
