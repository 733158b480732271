"""PUBLIC schema: the city data-exchange centre's enterprise registry and credit records, linked to
enterprises by their Unified Social Credit Code (USCC), and the runs that brought them in.

Every government record is versioned. A record is identified by its natural `key` (the USCC for a
registry entry; source + source record id for a credit event; USCC + scheme + year for a rating).
When a sync brings different facts for a key, the current version is closed (`is_current=False`,
`superseded_at`) and a new version is written beside it: nothing is overwritten silently, and the
history of each key stays readable. The same facts again change nothing (`content_hash`).

Each version keeps its provenance: the channel (file drop / HTTP API / manual), the centre's own
record id, when it was fetched, the raw payload as received, and the sync run.

The API tokens of the GraphQL API lived here until they got their own app (api/tokens).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 18, "decimal_places": 4}


class Channel(models.TextChoices):
    FILE = "file", _("file drop")
    API = "api", _("HTTP API")
    MANUAL = "manual", _("entered by the office")


class SyncRun(models.Model):
    """One import of a file or one pull from the centre's API, with what it did."""

    class Kind(models.TextChoices):
        REGISTRY = "registry", _("enterprise registry")
        CREDIT_EVENTS = "credit_events", _("credit events")
        CREDIT_RATINGS = "credit_ratings", _("credit ratings")
        NIGHTLY = "nightly", _("nightly sync (all sources)")

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        SUCCEEDED = "succeeded", _("succeeded")
        REJECTED = "rejected", _("rejected (bad rows, nothing written)")
        FAILED = "failed", _("failed")

    kind = models.CharField(_("data"), max_length=20, choices=Kind.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children",
                               help_text="the nightly run this part belongs to")
    filename = models.CharField(_("file"), max_length=255, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)
    source_url = models.CharField(_("source"), max_length=500, blank=True)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    new_count = models.PositiveIntegerField(_("new"), default=0)
    changed_count = models.PositiveIntegerField(_("changed"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    rejected_count = models.PositiveIntegerField(_("rejected"), default=0)
    # [{"row": 3, "column": "uniscid", "message": "..."}] for bad rows; [{"row": 0, ...}] for run errors
    errors = models.JSONField(_("errors"), default=list, blank=True)
    # the same shape, for what the run did that is not an error: a repeated row written once, a column of
    # the file that the import does not use (never dropped silently)
    notes = models.JSONField(_("notes"), default=list, blank=True)
    message = models.TextField(_("message"), blank=True)
    triggered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("started by"))
    created_at = models.DateTimeField(_("queued at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("sync run")
        verbose_name_plural = _("sync runs")
        indexes = [models.Index(fields=["-created_at"], name="govdata_syncrun_created_idx")]

    def __str__(self):
        return f"#{self.pk} {self.get_kind_display()} {self.get_status_display()}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.REJECTED, self.Status.FAILED)


class VersionedRecord(models.Model):
    """Provenance and history shared by every government record."""

    key = models.CharField(max_length=200, help_text="natural key: one current version per key")
    version = models.PositiveIntegerField(default=1)
    is_current = models.BooleanField(default=True)
    superseded_at = models.DateTimeField(null=True, blank=True)
    content_hash = models.CharField(max_length=64, help_text="sha256 of the cleaned facts")
    uscc = models.CharField(_("Unified Social Credit Code"), max_length=18, db_index=True)
    # provenance
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    source_record_id = models.CharField(_("source record id"), max_length=100, blank=True)
    fetched_at = models.DateTimeField(_("fetched at"))
    raw = models.JSONField(_("raw payload"), default=dict)
    sync_run = models.ForeignKey(SyncRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


def _versioned_constraints(prefix: str) -> list:
    return [
        models.UniqueConstraint(fields=["key", "version"], name=f"{prefix}_key_version_unique"),
        models.UniqueConstraint(fields=["key"], condition=Q(is_current=True), name=f"{prefix}_one_current"),
        models.CheckConstraint(condition=Q(is_current=True, superseded_at__isnull=True)
                               | Q(is_current=False, superseded_at__isnull=False), name=f"{prefix}_superseded"),
    ]


class RegistryStatus(models.TextChoices):
    ACTIVE = "active", _("in business (存续/在业)")
    REVOKED = "revoked", _("licence revoked, not deregistered (吊销未注销)")
    REVOKED_CANCELLED = "revoked_cancelled", _("revoked and deregistered (吊销已注销)")
    CANCELLED = "cancelled", _("deregistered (注销)")
    WITHDRAWN = "withdrawn", _("registration withdrawn (撤销)")
    MOVED_OUT = "moved_out", _("moved out (迁出)")
    OTHER = "other", _("other")


class RegistryRecord(VersionedRecord):
    """One version of an enterprise's entry in the registry (企业信息数据库)."""

    name = models.CharField(_("registered name"), max_length=200)
    former_names = ArrayField(models.CharField(max_length=200), default=list, blank=True,
                              verbose_name=_("former names"))
    reg_no = models.CharField(_("registration number (15 digits, before USCC)"), max_length=15, blank=True)
    enterprise_type = models.CharField(_("enterprise type"), max_length=100, blank=True)
    legal_representative = models.CharField(_("legal representative"), max_length=100, blank=True)
    registered_capital = models.DecimalField(_("registered capital (10,000)"), null=True, blank=True, **MONEY)
    capital_currency = models.CharField(_("capital currency"), max_length=3, default="CNY")
    established_on = models.DateField(_("established"), null=True, blank=True)
    term_from = models.DateField(_("business term from"), null=True, blank=True)
    term_to = models.DateField(_("business term to"), null=True, blank=True)
    term_indefinite = models.BooleanField(_("indefinite term"), default=False)
    authority = models.CharField(_("registration authority"), max_length=200, blank=True)
    status = models.CharField(_("registry status"), max_length=20, choices=RegistryStatus.choices)
    status_raw = models.CharField(_("status as published"), max_length=50)
    domicile = models.CharField(_("domicile"), max_length=300, blank=True)
    division_code = models.CharField(_("division code"), max_length=12, blank=True)
    business_scope = models.TextField(_("business scope"), blank=True)
    industry_code = models.CharField(_("industry (GB/T 4754)"), max_length=5, blank=True)
    employees = models.PositiveIntegerField(_("employees (latest annual report)"), null=True, blank=True)
    approved_on = models.DateField(_("approval date"), null=True, blank=True)

    class Meta:
        ordering = ["uscc", "-version"]
        verbose_name = _("registry record")
        verbose_name_plural = _("registry records")
        constraints = _versioned_constraints("govdata_registry")
        indexes = [models.Index(fields=["uscc"], condition=Q(is_current=True), name="govdata_registry_current")]

    def __str__(self):
        return f"{self.uscc} {self.name} v{self.version}"

    @property
    def is_abnormal(self) -> bool:
        return self.status != RegistryStatus.ACTIVE


class EventKind(models.TextChoices):
    ABNORMAL_OPERATION = "abnormal_operation", _("abnormal operation list (经营异常名录)")
    SERIOUS_ILLEGAL = "serious_illegal", _("serious illegal and dishonest list (严重违法失信名单)")
    DISHONEST_DEBTOR = "dishonest_debtor", _("dishonest judgment debtor (失信被执行人)")
    ADMIN_PENALTY = "admin_penalty", _("administrative penalty (行政处罚)")
    ADMIN_LICENCE = "admin_licence", _("administrative licence (行政许可)")
    TAX_VIOLATION = "tax_violation", _("major tax violation (重大税收违法)")
    HONOUR = "honour", _("honour (荣誉)")
    OTHER = "other", _("other")


class Severity(models.TextChoices):
    SERIOUS = "serious", _("serious")
    NEGATIVE = "negative", _("negative")
    NEUTRAL = "neutral", _("neutral")
    POSITIVE = "positive", _("positive")


EVENT_SEVERITY = {
    EventKind.SERIOUS_ILLEGAL: Severity.SERIOUS,
    EventKind.DISHONEST_DEBTOR: Severity.SERIOUS,
    EventKind.TAX_VIOLATION: Severity.SERIOUS,
    EventKind.ABNORMAL_OPERATION: Severity.NEGATIVE,
    EventKind.ADMIN_PENALTY: Severity.NEGATIVE,
    EventKind.ADMIN_LICENCE: Severity.NEUTRAL,
    EventKind.HONOUR: Severity.POSITIVE,
    EventKind.OTHER: Severity.NEUTRAL,
}


class CreditSource(models.TextChoices):
    MARKET = "market", _("market regulation")
    TAX = "tax", _("tax")
    COURT = "court", _("courts")
    QUALITY = "quality", _("quality supervision")
    ENVIRONMENT = "environment", _("environment")
    BANK = "bank", _("banks")
    OTHER = "other", _("other")


class CreditEvent(VersionedRecord):
    """One version of a credit event (a listing, penalty, licence or honour)."""

    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    kind_raw = models.CharField(_("kind as published"), max_length=100, blank=True)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    source = models.CharField(_("source"), max_length=12, choices=CreditSource.choices, default=CreditSource.OTHER)
    entity_name = models.CharField(_("name in the record"), max_length=200, blank=True)
    document_no = models.CharField(_("document number"), max_length=120, blank=True)
    authority = models.CharField(_("authority"), max_length=200, blank=True)
    title = models.CharField(_("title"), max_length=300, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    amount = models.DecimalField(_("amount (CNY)"), null=True, blank=True, **MONEY)
    listed_on = models.DateField(_("listed / decided on"), null=True, blank=True)
    removed_on = models.DateField(_("removed on"), null=True, blank=True)
    removal_reason = models.TextField(_("removal reason"), blank=True)

    class Meta:
        ordering = ["uscc", "-listed_on", "key", "-version"]
        verbose_name = _("credit event")
        verbose_name_plural = _("credit events")
        constraints = _versioned_constraints("govdata_event")
        indexes = [models.Index(fields=["uscc", "listed_on"], condition=Q(is_current=True),
                                name="govdata_event_current")]

    def __str__(self):
        return f"{self.uscc} {self.get_kind_display()} {self.document_no}"

    def is_active(self, on) -> bool:
        return self.removed_on is None or self.removed_on > on


class RatingScheme(models.TextChoices):
    TAX_CREDIT = "tax_credit", _("tax credit grade (纳税信用等级)")
    PUBLIC_CREDIT = "public_credit", _("municipal public credit score (公共信用评价)")
    OTHER = "other", _("other scheme")


TAX_GRADES = ("A", "B", "M", "C", "D")


class CreditRating(VersionedRecord):
    """One version of a rating of an enterprise under a scheme for a year."""

    scheme = models.CharField(_("scheme"), max_length=15, choices=RatingScheme.choices)
    scheme_name = models.CharField(_("scheme as published"), max_length=100, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    grade = models.CharField(_("grade"), max_length=20, blank=True)
    score = models.DecimalField(_("score"), max_digits=10, decimal_places=2, null=True, blank=True)
    scale = models.CharField(_("scale"), max_length=50, blank=True)
    authority = models.CharField(_("authority"), max_length=200, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        ordering = ["uscc", "scheme", "-year", "-version"]
        verbose_name = _("credit rating")
        verbose_name_plural = _("credit ratings")
        constraints = _versioned_constraints("govdata_rating")
        indexes = [models.Index(fields=["uscc", "scheme"], condition=Q(is_current=True),
                                name="govdata_rating_current")]

    def __str__(self):
        return f"{self.uscc} {self.get_scheme_display()} {self.year} {self.grade or self.score}"

    def is_valid_on(self, on) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (self.valid_to is None or on <= self.valid_to)

