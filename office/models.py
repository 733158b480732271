"""PUBLIC schema: the informatization office's pilot programmes, enrolments, milestones, subsidies,
the daily adoption snapshots of every enterprise and the monthly city reports.

Nothing here is ever joined with a tenant table: the daily snapshot is counted inside each
enterprise's schema by a task of its own and written here as plain numbers (see tasks.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from office.adoption import criteria_clean
from tenants.models import Enterprise

MONEY = {"max_digits": 16, "decimal_places": 2}
ZERO = Decimal("0")


class Programme(models.Model):
    """A pilot programme of the special fund: a target, a period, a budget and what counts as adopted."""

    class Module(models.TextChoices):
        ERP = "erp", _("ERP")
        PDM = "pdm", _("Product data (PDM)")
        LOGISTICS = "logistics", _("Logistics")
        BOARDS = "boards", _("Supply and demand boards")
        GENERAL = "general", _("Informatization (any module)")

    class TargetKind(models.TextChoices):
        COUNT = "count", _("number of enterprises")
        SHARE = "share", _("share of a cohort")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    module = models.CharField(_("module"), max_length=12, choices=Module.choices)
    description = models.TextField(_("description"), blank=True)
    target_kind = models.CharField(_("target"), max_length=8, choices=TargetKind.choices, default=TargetKind.COUNT)
    target_count = models.PositiveIntegerField(_("target (enterprises)"), null=True, blank=True)
    target_share_pct = models.DecimalField(_("target (share of the cohort, %)"), max_digits=5, decimal_places=2, null=True,
                                           blank=True)
    cohort_sales_bands = ArrayField(
        models.CharField(max_length=12, choices=Enterprise.SalesBand.choices), default=list, blank=True,
        verbose_name=_("eligible annual sales bands"), help_text=_("Blank: every enterprise may take part."))
    cohort_size = models.PositiveIntegerField(
        _("cohort size in the city"), null=True, blank=True,
        help_text=_("Enterprises in the cohort city-wide (statistics bureau). Blank: those on the platform."))
    period_start = models.DateField(_("start"))
    period_end = models.DateField(_("end"))
    fund = models.CharField(_("fund"), max_length=100, blank=True, default="慈溪市企业信息化专项资金")
    budget = models.DecimalField(_("budget (CNY)"), **MONEY)
    # Kept by the subsidy services under a lock of this row; the database refuses anything above the budget.
    granted_total = models.DecimalField(_("granted"), default=ZERO, editable=False, **MONEY)
    paid_total = models.DecimalField(_("paid out"), default=ZERO, editable=False, **MONEY)
    criteria = models.JSONField(_("adoption criteria"), default=dict, blank=True,
                                help_text=_("See office/adoption.py for the keys."))
    created_at = models.DateTimeField(auto_now_add=True)
    # Who/when, as on enrolments (decided_by/decided_at): set by programme_create / programme_update.
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", editable=False)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", editable=False)
    updated_at = models.DateTimeField(_("changed at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["period_start", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="programme_period_order"),
            models.CheckConstraint(condition=Q(budget__gte=0), name="programme_budget_nonnegative"),
            models.CheckConstraint(condition=Q(paid_total__gte=0) & Q(paid_total__lte=F("granted_total"))
                                   & Q(granted_total__lte=F("budget")), name="programme_grants_within_budget"),
            models.CheckConstraint(
                condition=(Q(target_kind="count", target_count__gt=0)
                           | Q(target_kind="share", target_share_pct__gt=0, target_share_pct__lte=100)),
                name="programme_target_set"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        try:
            self.criteria = criteria_clean(self.criteria)
        except ValidationError as exc:
            raise ValidationError({"criteria": exc}) from None
        if self.target_kind == self.TargetKind.COUNT and not self.target_count:
            raise ValidationError({"target_count": ValidationError(_("Give the number of enterprises."),
                                                                   code="target_missing")})
        if self.target_kind == self.TargetKind.SHARE and not self.target_share_pct:
            raise ValidationError({"target_share_pct": ValidationError(_("Give the share of the cohort."),
                                                                       code="target_missing")})
        if (self.target_kind == self.TargetKind.SHARE and isinstance(self.target_share_pct, Decimal)
                and not (0 < self.target_share_pct <= 100)):
            raise ValidationError({"target_share_pct": ValidationError(
                _("The share is a percentage above 0 and at most 100."), code="target_invalid")})
        if (isinstance(self.period_start, date) and isinstance(self.period_end, date)
                and self.period_end < self.period_start):
            raise ValidationError({"period_end": ValidationError(_("The end cannot be before the start."),
                                                                 code="dates_invalid")})

    @property
    def remaining_budget(self) -> Decimal:
        return self.budget - self.granted_total

    def is_open(self, on=None) -> bool:
        return (on or timezone.localdate()) <= self.period_end


class ProgrammeChange(models.Model):
    """Append-only: one row per save of a programme's settings (or its creation), naming each field
    that changed with its label and its old and new value as text, as they read at the time.

    Written by programme_create / programme_update in their transaction; never updated or deleted
    (a trigger refuses it, see migration 0004; only the user link may go NULL when a user is
    deleted, the email in `changed_by_label` stays)."""

    class Kind(models.TextChoices):
        CREATED = "created", _("created")
        UPDATED = "updated", _("changed")

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="changes",
                                  verbose_name=_("programme"))
    kind = models.CharField(_("change"), max_length=8, choices=Kind.choices)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("changed by"))
    changed_by_label = models.CharField(_("changed by"), max_length=254, blank=True)  # the email at the time
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)
    # [{"field": name, "label": verbose name, "old": text | None, "new": text | None}, ...] in field order;
    # criteria are one entry per key ("criteria.min_active_users_30d"). Texts in settings.LANGUAGE_CODE.
    changes = models.JSONField(_("changes"), default=list)

    class Meta:
        verbose_name = _("programme change")
        verbose_name_plural = _("programme changes")
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["programme", "-changed_at"], name="programme_change_idx"),
                   models.Index(fields=["changed_at"], name="programme_change_at_idx")]
        constraints = [models.CheckConstraint(condition=Q(kind__in=["created", "updated"]),
                                              name="programme_change_kind")]

    def __str__(self):
        return f"{self.programme} · {self.get_kind_display()} · {self.changed_at:%Y-%m-%d %H:%M}"


class Enrolment(models.Model):
    """An enterprise in a programme: applied by the enterprise or enrolled by the office."""

    class Status(models.TextChoices):
        APPLIED = "applied", _("applied")
        ENROLLED = "enrolled", _("enrolled")
        REJECTED = "rejected", _("rejected")
        WITHDRAWN = "withdrawn", _("withdrawn")

    class Adoption(models.TextChoices):
        ADOPTED = "adopted", _("adopted")
        AT_RISK = "at_risk", _("at risk")
        NOT_STARTED = "not_started", _("not started")

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="enrolments",
                                  verbose_name=_("programme"))
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="programme_enrolments",
                                   verbose_name=_("enterprise"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.APPLIED)
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    enrolled_on = models.DateField(_("enrolled on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    # The latest evaluation (also kept per day in AdoptionRecord).
    adoption_status = models.CharField(_("adoption"), max_length=12, choices=Adoption.choices,
                                       default=Adoption.NOT_STARTED)
    adoption_reasons = models.JSONField(default=list, blank=True)
    adoption_as_of = models.DateField(_("figures of"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["programme", "enterprise__name"]
        constraints = [models.UniqueConstraint(fields=["programme", "enterprise"], name="enrolment_one_per_programme")]
        indexes = [models.Index(fields=["status", "adoption_status"], name="enrolment_status_idx")]

    def __str__(self):
        return f"{self.enterprise} · {self.programme}"


class Milestone(models.Model):
    class Kind(models.TextChoices):
        KICKOFF = "kickoff", _("kick-off")
        TRAINING = "training", _("training")
        GO_LIVE = "go_live", _("go-live")
        ACCEPTANCE = "acceptance", _("acceptance")

    ORDER = [Kind.KICKOFF, Kind.TRAINING, Kind.GO_LIVE, Kind.ACCEPTANCE]

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="milestones")
    kind = models.CharField(_("milestone"), max_length=12, choices=Kind.choices)
    planned_on = models.DateField(_("planned"), null=True, blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        constraints = [models.UniqueConstraint(fields=["enrolment", "kind"], name="milestone_one_per_kind")]

    def __str__(self):
        return f"{self.enrolment} · {self.get_kind_display()}"


class Subsidy(models.Model):
    """Money granted to an enrolled enterprise from the programme's budget; paid in one or more payments.

    Nothing is ever overwritten: `amount` stays what was granted. A cancellation or a clawback is a
    SubsidyReversal row (who, when, why); `returned_amount` (given back to the budget) and
    `paid_amount` (paid, net of clawbacks) are kept by the services under the programme's lock, so
    the grant still counts `amount - returned_amount` against the budget."""

    class Status(models.TextChoices):
        GRANTED = "granted", _("granted")
        CANCELLED = "cancelled", _("cancelled")

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="subsidies",
                                  verbose_name=_("programme"))
    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="subsidies",
                                  verbose_name=_("enrolment"))
    amount = models.DecimalField(_("granted (CNY)"), **MONEY)
    paid_amount = models.DecimalField(_("paid (CNY)"), default=ZERO, editable=False, **MONEY)
    returned_amount = models.DecimalField(_("returned to the budget (CNY)"), default=ZERO, editable=False, **MONEY)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.GRANTED,
                              editable=False)
    purpose = models.CharField(_("purpose"), max_length=200)
    granted_on = models.DateField(_("granted on"), default=timezone.localdate)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("subsidy")
        verbose_name_plural = _("subsidies")
        ordering = ["-granted_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="subsidy_amount_positive"),
            models.CheckConstraint(condition=Q(paid_amount__gte=0) & Q(returned_amount__gte=0)
                                   & Q(paid_amount__lte=F("amount") - F("returned_amount")),
                                   name="subsidy_paid_within_grant"),
            # a cancelled grant is closed: what is not returned to the budget is what stays paid
            models.CheckConstraint(condition=Q(status="granted") | Q(paid_amount=F("amount") - F("returned_amount")),
                                   name="subsidy_cancelled_closed"),
        ]

    def __str__(self):
        return f"{self.enrolment.enterprise} · {self.amount}"

    @property
    def net_amount(self) -> Decimal:
        """What the grant still takes from the budget."""
        return self.amount - self.returned_amount

    @property
    def outstanding(self) -> Decimal:
        return self.amount - self.returned_amount - self.paid_amount

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED


class SubsidyPayment(models.Model):
    subsidy = models.ForeignKey(Subsidy, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(_("amount (CNY)"), **MONEY)
    paid_on = models.DateField(_("payment date"), default=timezone.localdate)
    reference = models.CharField(_("voucher / reference"), max_length=60, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("subsidy payment")
        verbose_name_plural = _("subsidy payments")
        ordering = ["-paid_on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="subsidy_payment_positive")]


class SubsidyReversal(models.Model):
    """Append-only: a grant cancelled (its unpaid part goes back to the budget) or money paid back
    by the enterprise (a clawback; on a cancelled grant it goes back to the budget too)."""

    class Kind(models.TextChoices):
        CANCELLATION = "cancellation", _("grant cancelled")
        CLAWBACK = "clawback", _("payment reversed (clawback)")

    subsidy = models.ForeignKey(Subsidy, on_delete=models.PROTECT, related_name="reversals",
                                verbose_name=_("subsidy"))
    kind = models.CharField(_("reversal"), max_length=12, choices=Kind.choices)
    reversed_on = models.DateField(_("date"), default=timezone.localdate)
    paid_back = models.DecimalField(_("paid back (CNY)"), default=ZERO, **MONEY)
    budget_returned = models.DecimalField(_("returned to the budget (CNY)"), default=ZERO, **MONEY)
    reason = models.CharField(_("reason"), max_length=300)
    reference = models.CharField(_("voucher / reference"), max_length=60, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("subsidy reversal")
        verbose_name_plural = _("subsidy reversals")
        ordering = ["-reversed_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=(Q(kind="cancellation", paid_back=0, budget_returned__gt=0)
                                              | Q(kind="clawback", paid_back__gt=0, budget_returned__gte=0,
                                                  budget_returned__lte=F("paid_back"))),
                                   name="subsidy_reversal_amounts"),
            models.UniqueConstraint(fields=["subsidy"], condition=Q(kind="cancellation"),
                                    name="subsidy_cancelled_once"),
        ]

    def __str__(self):
        return f"{self.subsidy} · {self.get_kind_display()}"


class AdoptionSnapshot(models.Model):
    """One row per enterprise per day, counted in the enterprise's own schema (see metrics.py).

    Windows end with `day` (local time): 7d = the 7 days up to and including it, 30d = 30 days,
    prev_30d = the 30 days before those. Re-running a day overwrites its row (upsert)."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="adoption_snapshots")
    day = models.DateField(_("date of the figures"))
    active_users_7d = models.PositiveIntegerField(_("active users (7 days)"), default=0)
    active_users_30d = models.PositiveIntegerField(_("active users (30 days)"), default=0)
    documents_7d = models.JSONField(default=dict)  # {kind: count}, kinds in metrics.DOCUMENT_KINDS
    documents_30d = models.JSONField(default=dict)
    documents_prev_30d = models.JSONField(default=dict)
    documents_7d_total = models.PositiveIntegerField(_("documents (7 days)"), default=0)
    documents_30d_total = models.PositiveIntegerField(_("documents (30 days)"), default=0)
    modules_in_use = ArrayField(models.CharField(max_length=20), default=list, blank=True)
    items_count = models.PositiveIntegerField(_("items"), default=0)
    items_with_bom_pct = models.DecimalField(_("made items with a BOM %"), max_digits=5, decimal_places=1,
                                             null=True, blank=True)
    items_with_lead_time_pct = models.DecimalField(_("items with a lead time %"), max_digits=5, decimal_places=1,
                                                   null=True, blank=True)
    items_with_cost_pct = models.DecimalField(_("items with a cost %"), max_digits=5, decimal_places=1, null=True,
                                              blank=True)
    completeness_pct = models.DecimalField(_("data completeness %"), max_digits=5, decimal_places=1, null=True,
                                           blank=True)
    # PDM use, as it stands at the end of `day` (metrics.tenant_activity_count): parts with at least one
    # revision, documents in the vault, ECOs applied in the 90 days up to `day`.
    pdm_parts_under_revision = models.PositiveIntegerField(_("parts under revision control"), default=0)
    pdm_vault_documents = models.PositiveIntegerField(_("documents in the vault"), default=0)
    pdm_ecos_completed_90d = models.PositiveIntegerField(_("ECOs completed (90 days)"), default=0)
    # Logistics use over the 30 days up to `day` (metrics.logistics_use_count): sales deliveries, those shipped
    # with tracking (a parcel with a waybill number followed by a subscription or tracking events), their share,
    # and shipments made (not cancelled).
    logistics_deliveries_30d = models.PositiveIntegerField(_("deliveries (30 days)"), default=0)
    logistics_deliveries_tracked_30d = models.PositiveIntegerField(_("deliveries shipped with tracking (30 days)"),
                                                                   default=0)
    logistics_tracked_pct = models.DecimalField(_("deliveries shipped with tracking %"), max_digits=5,
                                                decimal_places=1, null=True, blank=True)
    logistics_shipments_30d = models.PositiveIntegerField(_("shipments (30 days)"), default=0)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("adoption snapshot")
        verbose_name_plural = _("adoption snapshots")
        ordering = ["enterprise", "-day"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "day"], name="snapshot_one_per_day")]
        indexes = [models.Index(fields=["day"], name="snapshot_day_idx")]

    def __str__(self):
        return f"{self.enterprise} {self.day}"


class AdoptionRecord(models.Model):
    """The adoption status of an enrolment on a day, with its reasons (progress over time)."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="adoption_records")
    day = models.DateField()
    status = models.CharField(max_length=12, choices=Enrolment.Adoption.choices)
    reasons = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["enrolment", "-day"]
        constraints = [models.UniqueConstraint(fields=["enrolment", "day"], name="adoption_record_one_per_day")]
        indexes = [models.Index(fields=["day", "status"], name="adoption_record_day_idx")]


class MonthlyReport(models.Model):
    """The city's monthly report; the files are small and stay with the database (no media share
    between the worker that builds them and the web process that serves them)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("ready")
        FAILED = "failed", _("failed")

    month = models.DateField(_("month"), unique=True)  # the first day of the month
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    pdf = models.BinaryField(null=True, blank=True, editable=False)
    xlsx = models.BinaryField(null=True, blank=True, editable=False)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("monthly report")
        verbose_name_plural = _("monthly reports")
        ordering = ["-month"]
        constraints = [models.CheckConstraint(condition=Q(month__day=1), name="monthly_report_first_of_month")]

    def __str__(self):
        return self.month.strftime("%Y-%m")
