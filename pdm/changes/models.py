"""TENANT schema: engineering change orders (ECO / 工程变更).

An ECO has a type; the type's stages are passed in order (``sequence``). Each stage has approval rules
(a named user, or any member with at least a role; mandatory or optional). An ECO cannot leave a stage
until every mandatory rule of the stage has an approval given *in the current visit of the stage*
(``Eco.stage_round``; every entry to a stage starts a new round, so approvals of an earlier visit, before
a rejection sent the ECO back, do not count).

An ECO names its affected parts by their released revision; starting it makes, for each, a new
revision in work with a draft BOM version copied from the released one. Applying it (at a stage that
allows it) releases each new revision and BOM version with the ECO's effective date, so that the ERP
(which reads the BOM version in force on a date) changes on that day, not before.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tenants.models import Role


class EcoType(models.Model):
    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("code"), max_length=20, unique=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("ECO type")
        verbose_name_plural = _("ECO types")

    def __str__(self):
        return self.name


class EcoStage(models.Model):
    type = models.ForeignKey(EcoType, on_delete=models.CASCADE, related_name="stages", verbose_name=_("ECO type"))
    sequence = models.PositiveIntegerField(_("sequence"), default=10)
    name = models.CharField(_("name"), max_length=100)
    is_final = models.BooleanField(_("final stage"), default=False)
    allow_apply = models.BooleanField(_("allows apply"), default=False)

    class Meta:
        ordering = ["type", "sequence", "id"]
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        constraints = [models.UniqueConstraint(fields=["type", "sequence"], name="pdm_eco_stage_sequence_unique")]

    def __str__(self):
        return self.name


class EcoApprovalRule(models.Model):
    class Requirement(models.TextChoices):
        MANDATORY = "mandatory", _("mandatory")
        OPTIONAL = "optional", _("optional")

    stage = models.ForeignKey(EcoStage, on_delete=models.CASCADE, related_name="rules", verbose_name=_("stage"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+", db_constraint=False, verbose_name=_("approver"))
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, blank=True)
    requirement = models.CharField(_("requirement"), max_length=10, choices=Requirement.choices,
                                   default=Requirement.MANDATORY)

    class Meta:
        ordering = ["stage", "id"]
        verbose_name = _("approval rule")
        verbose_name_plural = _("approval rules")
        constraints = [models.CheckConstraint(
            condition=(models.Q(user__isnull=False) & models.Q(role="")) | (models.Q(user__isnull=True) & ~models.Q(role="")),
            name="pdm_eco_rule_user_or_role")]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        if self.user_id:
            return str(self.user)
        return str(_("any %(role)s") % {"role": Role(self.role).label})


class Eco(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        IN_PROGRESS = "in_progress", pgettext_lazy("eco state", "in progress")  # not a work order's 生产中
        APPLIED = "applied", _("applied")
        CANCELLED = "cancelled", _("cancelled")

    OPEN_STATES = (State.DRAFT, State.IN_PROGRESS)

    number = models.CharField(_("number"), max_length=30, unique=True)
    type = models.ForeignKey(EcoType, on_delete=models.PROTECT, related_name="ecos", verbose_name=_("ECO type"))
    stage = models.ForeignKey(EcoStage, on_delete=models.PROTECT, related_name="ecos", verbose_name=_("stage"))
    stage_round = models.PositiveIntegerField(default=1, editable=False)
    title = models.CharField(_("title"), max_length=200)
    reason = models.TextField(_("reason"), blank=True)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.DRAFT)
    effective_date = models.DateField(_("effective date"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", db_constraint=False, verbose_name=_("requested by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", db_constraint=False, verbose_name=_("applied by"))

    class Meta:
        ordering = ["-number"]
        verbose_name = _("engineering change order")
        verbose_name_plural = _("engineering change orders")
        indexes = [models.Index(fields=["state"], name="pdm_eco_state_idx")]
        constraints = [models.CheckConstraint(
            condition=~models.Q(state="applied") | models.Q(applied_at__isnull=False), name="pdm_eco_applied_has_date")]

    def __str__(self):
        return self.number


class EcoAffectedPart(models.Model):
    class Disposition(models.TextChoices):
        USE_UP = "use_up", _("use up")
        REWORK = "rework", _("rework")
        SCRAP = "scrap", _("scrap")

    eco = models.ForeignKey(Eco, on_delete=models.CASCADE, related_name="affected", verbose_name=_("ECO"))
    old_revision = models.ForeignKey("pdm_parts.PartRevision", on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("revision before"))
    new_revision = models.OneToOneField("pdm_parts.PartRevision", null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="eco_change", verbose_name=_("new revision"))
    disposition = models.CharField(_("disposition of stock and open orders"), max_length=10,
                                   choices=Disposition.choices, default=Disposition.USE_UP)

    class Meta:
        ordering = ["eco", "id"]
        verbose_name = _("affected part")
        verbose_name_plural = _("affected parts")
        constraints = [models.UniqueConstraint(fields=["eco", "old_revision"], name="pdm_eco_affected_unique")]

    def __str__(self):
        return f"{self.eco} {self.old_revision}"


class EcoApproval(models.Model):
    class Decision(models.TextChoices):
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")
        COMMENT = "comment", _("comment")

    eco = models.ForeignKey(Eco, on_delete=models.CASCADE, related_name="approvals", verbose_name=_("ECO"))
    stage = models.ForeignKey(EcoStage, on_delete=models.PROTECT, related_name="+", verbose_name=_("stage"))
    round = models.PositiveIntegerField(default=1)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                             db_constraint=False, verbose_name=_("user"))
    user_label = models.CharField(max_length=200, blank=True)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    comment = models.TextField(_("comment"), blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["eco", "at", "id"]
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")
