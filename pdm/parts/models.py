"""TENANT schema: parts under revision control.

A part is an ERP item with engineering data (one item master: ``Part`` is one-to-one with
``catalog.Item``). Its engineering number comes from the enterprise's numbering rules. Each part has
revisions A, B, C… that move through a lifecycle; a revision names the BOM version (``catalog.Bom``)
that belongs to it, and a released revision and its BOM are frozen. Several revisions may be alive at
once (a customer's variant stays on B while C is designed).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class NumberingRule(models.Model):
    """How engineering numbers are made: ``<prefix>-<category code>-<sequence>`` (e.g. RF-HD-00012)."""

    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=10)
    category = models.ForeignKey("catalog.ItemCategory", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("item category"))
    category_code = models.CharField(_("category code"), max_length=10, blank=True)
    digits = models.PositiveSmallIntegerField(_("digits"), default=5)
    next_value = models.PositiveIntegerField(_("next number"), default=1)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["prefix", "category_code"]
        verbose_name = _("numbering rule")
        verbose_name_plural = _("numbering rules")
        constraints = [
            models.UniqueConstraint(fields=["prefix", "category_code"], name="pdm_numbering_prefix_code_unique"),
            models.CheckConstraint(condition=models.Q(digits__gte=1, digits__lte=12), name="pdm_numbering_digits_range"),
        ]

    def __str__(self):
        return self.format(self.next_value)

    def format(self, value: int) -> str:
        parts = [self.prefix] + ([self.category_code] if self.category_code else []) + [f"{value:0{self.digits}d}"]
        return "-".join(parts)


class Part(models.Model):
    """The engineering side of an ERP item."""

    item = models.OneToOneField("catalog.Item", on_delete=models.PROTECT, related_name="part", verbose_name=_("item"))
    number = models.CharField(_("engineering number"), max_length=40, unique=True)
    rule = models.ForeignKey(NumberingRule, null=True, blank=True, on_delete=models.PROTECT, related_name="parts",
                             verbose_name=_("numbering rule"))
    description = models.TextField(_("engineering description"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", db_constraint=False, verbose_name=_("created by"))

    class Meta:
        ordering = ["number"]
        verbose_name = _("part")
        verbose_name_plural = _("parts")

    def __str__(self):
        return self.number


class PartRevision(models.Model):
    """One revision (A, B, C…) of a part, with its lifecycle state and its BOM version."""

    class State(models.TextChoices):
        IN_WORK = "in_work", _("in work")
        IN_REVIEW = "in_review", _("in review")
        RELEASED = "released", _("released")
        SUPERSEDED = "superseded", _("superseded")
        OBSOLETE = "obsolete", _("obsolete")

    FROZEN_STATES = (State.RELEASED, State.SUPERSEDED, State.OBSOLETE)

    part = models.ForeignKey(Part, on_delete=models.PROTECT, related_name="revisions", verbose_name=_("part"))
    revision = models.CharField(_("revision"), max_length=4)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.IN_WORK)
    bom = models.OneToOneField("catalog.Bom", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="part_revision", verbose_name=_("BOM version"))
    based_on = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("based on"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    effective_from = models.DateField(_("effective from"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", db_constraint=False, verbose_name=_("created by"))
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", db_constraint=False, verbose_name=_("released by"))

    class Meta:
        ordering = ["part__number", "revision"]
        verbose_name = _("part revision")
        verbose_name_plural = _("part revisions")
        constraints = [
            models.UniqueConstraint(fields=["part", "revision"], name="pdm_revision_part_letter_unique"),
            models.CheckConstraint(condition=models.Q(revision__regex=r"^[A-Z]{1,3}$"), name="pdm_revision_letters"),
            models.CheckConstraint(
                condition=~models.Q(state__in=["released", "superseded"]) | models.Q(released_at__isnull=False),
                name="pdm_revision_released_has_date"),
        ]
        indexes = [models.Index(fields=["state"], name="pdm_revision_state_idx")]

    def __str__(self):
        return f"{self.part.number} {self.revision}"

    @property
    def is_frozen(self) -> bool:
        return self.state in self.FROZEN_STATES

    @property
    def freezes_documents(self) -> bool:
        """Its linked documents are frozen: it was released once (a revision made obsolete without ever being
        released, e.g. one started by a cancelled ECO, leaves its documents free)."""
        return self.is_frozen and self.released_at is not None
