"""TENANT schema: units, items, bills of materials (versioned) and routings."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from erp_modules.common.models import MONEY, QTY


class UnitOfMeasure(models.Model):
    class Kind(models.TextChoices):
        COUNT = "count", _("count")
        WEIGHT = "weight", _("weight")
        LENGTH = "length", _("length")
        AREA = "area", _("area")
        VOLUME = "volume", _("volume")
        TIME = "time", _("time")

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=30)  # 个, 件, 套, kg, m, 卷 …
    name_en = models.CharField(_("English name"), max_length=30, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.COUNT)
    decimals = models.PositiveSmallIntegerField(_("decimals"), default=0)

    class Meta:
        ordering = ["code"]
        verbose_name = _("unit of measure")
        verbose_name_plural = _("units of measure")

    def __str__(self):
        return self.name


class UomConversion(models.Model):
    """1 from_uom = factor × to_uom; item-specific when item is set (1 卷 of this cloth = 50 m)."""

    item = models.ForeignKey("catalog.Item", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="uom_conversions")
    from_uom = models.ForeignKey(UnitOfMeasure, on_delete=models.PROTECT, related_name="+")
    to_uom = models.ForeignKey(UnitOfMeasure, on_delete=models.PROTECT, related_name="+")
    factor = models.DecimalField(max_digits=18, decimal_places=6)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "from_uom", "to_uom"], nulls_distinct=False,
                                    name="uomconversion_unique"),
            models.CheckConstraint(condition=models.Q(factor__gt=0), name="uomconversion_factor_positive"),
        ]


class ItemCategory(models.Model):
    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")

    class Meta:
        ordering = ["code"]
        verbose_name = _("item category")
        verbose_name_plural = _("item categories")

    def __str__(self):
        return self.name


class Item(models.Model):
    class Type(models.TextChoices):
        RAW = "raw", _("raw material")
        COMPONENT = "component", _("component")
        SUBASSEMBLY = "subassembly", _("sub-assembly")
        FINISHED = "finished", _("finished good")
        KIT = "kit", _("kit (phantom)")
        SERVICE = "service", _("service")

    class Tracking(models.TextChoices):
        NONE = "none", _("none")
        LOT = "lot", _("by lot")
        SERIAL = "serial", _("by serial number")

    code = models.CharField(_("item code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    item_type = models.CharField(_("type"), max_length=12, choices=Type.choices, default=Type.COMPONENT)
    uom = models.ForeignKey(UnitOfMeasure, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    category = models.ForeignKey(ItemCategory, null=True, blank=True, on_delete=models.PROTECT, related_name="items",
                                 verbose_name=_("category"))
    default_warehouse = models.ForeignKey("inventory.Warehouse", null=True, blank=True, on_delete=models.PROTECT,
                                          related_name="+", verbose_name=_("default warehouse"))
    tracking = models.CharField(_("tracking"), max_length=6, choices=Tracking.choices, default=Tracking.NONE)
    lead_time_days = models.PositiveIntegerField(_("lead time (days)"), default=0)
    safety_stock = models.DecimalField(_("safety stock"), default=Decimal("0"), **QTY)
    min_order_qty = models.DecimalField(_("minimum order quantity"), default=Decimal("0"), **QTY)
    order_multiple = models.DecimalField(_("order multiple"), default=Decimal("0"), **QTY)
    standard_cost = models.DecimalField(_("standard cost"), default=Decimal("0"), **MONEY)
    average_cost = models.DecimalField(_("average cost"), default=Decimal("0"), editable=False, **MONEY)
    drawing_ref = models.CharField(_("drawing / part reference"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("item")
        verbose_name_plural = _("items")
        indexes = [models.Index(fields=["item_type", "active"], name="item_type_active_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(safety_stock__gte=0, min_order_qty__gte=0, order_multiple__gte=0,
                                                      standard_cost__gte=0), name="item_nonnegative_planning"),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def is_stocked(self) -> bool:
        return self.item_type not in (self.Type.KIT, self.Type.SERVICE)


class Bom(models.Model):
    """A version of the bill of materials of an item. Released versions never change."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        RELEASED = "released", _("released")
        ARCHIVED = "archived", _("archived")

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="boms", verbose_name=_("item"))
    version = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    quantity = models.DecimalField(_("quantity produced"), default=Decimal("1"), **QTY)
    effective_from = models.DateField(_("effective from"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", db_constraint=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["item__code", "-version"]
        verbose_name = _("bill of materials")
        verbose_name_plural = _("bills of materials")
        constraints = [
            models.UniqueConstraint(fields=["item", "version"], name="bom_item_version_unique"),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="bom_quantity_positive"),
            models.CheckConstraint(
                condition=~models.Q(status="released") | models.Q(effective_from__isnull=False),
                name="bom_released_has_effective_date"),
        ]
        indexes = [
            # the version in force of an item on a date: one probe, no sort (where-used, BOM explosion)
            models.Index(fields=["item", "-effective_from", "-version"], condition=models.Q(status="released"),
                         name="bom_released_in_force_idx"),
        ]

    def __str__(self):
        return f"{self.item.code} v{self.version}"


class BomLine(models.Model):
    class LineType(models.TextChoices):
        COMPONENT = "component", _("component")
        BY_PRODUCT = "by_product", _("by-product")

    bom = models.ForeignKey(Bom, on_delete=models.CASCADE, related_name="lines")
    sequence = models.PositiveIntegerField(_("sequence"), default=10)
    component = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="used_in_lines",
                                  verbose_name=_("component"))
    quantity = models.DecimalField(_("quantity"), **QTY)
    scrap_pct = models.DecimalField(_("scrap %"), max_digits=5, decimal_places=2, default=Decimal("0"))
    line_type = models.CharField(_("line type"), max_length=10, choices=LineType.choices, default=LineType.COMPONENT)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["bom", "sequence", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="bomline_quantity_positive"),
            models.CheckConstraint(condition=models.Q(scrap_pct__gte=0, scrap_pct__lt=100), name="bomline_scrap_range"),
        ]
        indexes = [models.Index(fields=["component"], name="bomline_component_idx")]


class Process(models.TextChoices):
    """Manufacturing processes a work center offers and an outsourced operation asks for (外协): the
    boards' capacity and processing listings use the same list."""

    STAMPING = "stamping", _("stamping")
    INJECTION = "injection", _("injection moulding")
    WINDING = "winding", _("motor winding")
    SPRAYING = "spraying", _("spray painting")
    HEAT_TREATMENT = "heat_treatment", _("heat treatment")
    MACHINING = "machining", _("CNC machining")
    ELECTROPLATING = "plating", _("electroplating")
    DIE_CASTING = "die_casting", _("die casting")
    WELDING = "welding", _("welding")
    ASSEMBLY = "assembly", _("assembly")
    OTHER = "other", _("other process")


class WorkCenter(models.Model):
    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    cost_per_hour = models.DecimalField(_("cost per hour"), default=Decimal("0"), **MONEY)
    active = models.BooleanField(default=True)
    process = models.CharField(_("process"), max_length=20, choices=Process.choices, blank=True)
    hours_per_week = models.DecimalField(_("available hours per week"), max_digits=7, decimal_places=1,
                                         default=Decimal("40"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("work center")
        verbose_name_plural = _("work centers")

    def __str__(self):
        return f"{self.code} {self.name}"


class Routing(models.Model):
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="routings")
    name = models.CharField(_("name"), max_length=100)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["item__code", "name"]
        verbose_name = _("routing")
        verbose_name_plural = _("routings")

    def __str__(self):
        return f"{self.item.code} {self.name}"


class RoutingOperation(models.Model):
    routing = models.ForeignKey(Routing, on_delete=models.CASCADE, related_name="operations")
    sequence = models.PositiveIntegerField(_("sequence"), default=10)
    name = models.CharField(_("operation"), max_length=100)
    work_center = models.ForeignKey(WorkCenter, on_delete=models.PROTECT, related_name="+")
    setup_minutes = models.DecimalField(_("setup (min)"), max_digits=10, decimal_places=2, default=Decimal("0"))
    run_minutes_per_unit = models.DecimalField(_("run time per unit (min)"), max_digits=10, decimal_places=3,
                                               default=Decimal("0"))
    piece_rate = models.DecimalField(_("piece rate per good unit"), default=Decimal("0"), **MONEY)
    outsourced = models.BooleanField(_("outsourced (外协)"), default=False,
                                     help_text=_("Done by a subcontractor: posted on the boards as a processing demand."))
    process = models.CharField(_("process"), max_length=20, choices=Process.choices, blank=True)

    class Meta:
        ordering = ["routing", "sequence"]
        constraints = [models.UniqueConstraint(fields=["routing", "sequence"], name="routingop_sequence_unique")]
