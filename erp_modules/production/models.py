"""TENANT schema: work orders (manufacturing orders), their components and operations, and the
operators' reports (good / scrap quantities, minutes and piece-rate pay).

Stock never moves here directly: issues and receipts are posted to the inventory ledger by
`erp_modules.production.services`, with reference_type="work_order", reference_id=<work order id>
and reference_line_id=<component row id>, which is what traceability reads back.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from erp_modules.common.models import MONEY, QTY

REFERENCE_TYPE = "work_order"


class WorkOrder(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        # 下达 (issued to the shop floor), as the button says: not 已发布, which is a released BOM or revision
        RELEASED = "released", pgettext_lazy("work order", "released")
        IN_PROGRESS = "in_progress", _("in progress")
        COMPLETED = "completed", _("completed")
        CANCELLED = "cancelled", _("cancelled")

    OPEN_STATUSES = (Status.DRAFT, Status.RELEASED, Status.IN_PROGRESS)
    ACTIVE_STATUSES = (Status.RELEASED, Status.IN_PROGRESS)

    number = models.CharField(_("number"), max_length=30, unique=True)
    item = models.ForeignKey("catalog.Item", on_delete=models.PROTECT, related_name="work_orders",
                             verbose_name=_("item"))
    bom = models.ForeignKey("catalog.Bom", on_delete=models.PROTECT, related_name="+", verbose_name=_("BOM version"))
    routing = models.ForeignKey("catalog.Routing", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("routing"))
    quantity = models.DecimalField(_("quantity"), **QTY)
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_end = models.DateField(_("planned end"), null=True, blank=True)
    component_location = models.ForeignKey("inventory.Location", on_delete=models.PROTECT, related_name="+",
                                           verbose_name=_("components from"))
    output_location = models.ForeignKey("inventory.Location", on_delete=models.PROTECT, related_name="+",
                                        verbose_name=_("output to"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    note = models.CharField(_("note"), max_length=300, blank=True)
    # Filled at completion (actual costing).
    quantity_produced = models.DecimalField(_("quantity produced"), default=Decimal("0"), **QTY)
    output_lot = models.ForeignKey("inventory.Lot", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("output lot"))
    cost_components = models.DecimalField(_("components cost"), default=Decimal("0"), **MONEY)
    cost_operations = models.DecimalField(_("work center cost"), default=Decimal("0"), **MONEY)
    cost_piece_pay = models.DecimalField(_("piece-rate pay"), default=Decimal("0"), **MONEY)
    cost_by_products = models.DecimalField(_("by-product credit"), default=Decimal("0"), **MONEY)
    unit_cost = models.DecimalField(_("unit cost"), default=Decimal("0"), **MONEY)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", db_constraint=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        indexes = [
            models.Index(fields=["status", "planned_end"], name="workorder_status_end_idx"),
            models.Index(fields=["item", "status"], name="workorder_item_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="workorder_quantity_positive"),
            models.CheckConstraint(condition=models.Q(quantity_produced__gte=0), name="workorder_produced_nonnegative"),
            models.CheckConstraint(
                condition=models.Q(planned_start__isnull=True) | models.Q(planned_end__isnull=True)
                | models.Q(planned_end__gte=models.F("planned_start")), name="workorder_dates_ordered"),
        ]

    def __str__(self):
        return self.number

    def get_absolute_url(self) -> str:
        return f"/production/work-orders/{self.pk}/"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def cost_total(self) -> Decimal:
        return self.cost_components + self.cost_operations + self.cost_piece_pay - self.cost_by_products


class WorkOrderComponent(models.Model):
    """One line of material: a component to issue, or a by-product to receive at completion.
    Computed from ONE level of the BOM at creation; kit lines are replaced by the kit's own components."""

    class LineType(models.TextChoices):
        COMPONENT = "component", _("component")
        BY_PRODUCT = "by_product", _("by-product")

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="components")
    sequence = models.PositiveIntegerField(_("sequence"), default=10)
    line_type = models.CharField(_("line type"), max_length=10, choices=LineType.choices, default=LineType.COMPONENT)
    item = models.ForeignKey("catalog.Item", on_delete=models.PROTECT, related_name="+", verbose_name=_("item"))
    bom_line = models.ForeignKey("catalog.BomLine", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kit = models.ForeignKey("catalog.Item", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                            verbose_name=_("from kit"))
    scrap_pct = models.DecimalField(_("scrap %"), max_digits=5, decimal_places=2, default=Decimal("0"))
    quantity_required = models.DecimalField(_("required"), **QTY)
    quantity_issued = models.DecimalField(_("issued"), default=Decimal("0"), **QTY)  # received, for by-products
    value_issued = models.DecimalField(_("value issued"), default=Decimal("0"), **MONEY)

    class Meta:
        ordering = ["work_order", "line_type", "sequence", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity_required__gt=0), name="wocomponent_required_positive"),
            models.CheckConstraint(condition=models.Q(quantity_issued__gte=0), name="wocomponent_issued_nonnegative"),
        ]

    def __str__(self):
        return f"{self.work_order.number} · {self.item.code}"

    @property
    def quantity_remaining(self) -> Decimal:
        return max(self.quantity_required - self.quantity_issued, Decimal("0"))


class WorkOrderOperation(models.Model):
    """An operation copied from the routing (rates are frozen when the work order is created);
    the reported totals are kept up to date by `work_order_report_operation`."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="operations")
    sequence = models.PositiveIntegerField(_("sequence"))
    name = models.CharField(_("operation"), max_length=100)
    work_center = models.ForeignKey("catalog.WorkCenter", on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("work center"))
    routing_operation = models.ForeignKey("catalog.RoutingOperation", null=True, blank=True,
                                          on_delete=models.SET_NULL, related_name="+")
    setup_minutes = models.DecimalField(_("setup (min)"), max_digits=10, decimal_places=2, default=Decimal("0"))
    run_minutes_per_unit = models.DecimalField(_("run time per unit (min)"), max_digits=10, decimal_places=3,
                                               default=Decimal("0"))
    planned_minutes = models.DecimalField(_("planned minutes"), max_digits=14, decimal_places=2, default=Decimal("0"))
    piece_rate = models.DecimalField(_("piece rate"), default=Decimal("0"), **MONEY)
    cost_per_hour = models.DecimalField(_("cost per hour"), default=Decimal("0"), **MONEY)
    quantity_good = models.DecimalField(_("good"), default=Decimal("0"), **QTY)
    quantity_scrap = models.DecimalField(_("scrap"), default=Decimal("0"), **QTY)
    minutes = models.DecimalField(_("minutes"), max_digits=14, decimal_places=2, default=Decimal("0"))
    cost = models.DecimalField(_("work center cost"), default=Decimal("0"), **MONEY)
    pay = models.DecimalField(_("piece-rate pay"), default=Decimal("0"), **MONEY)

    class Meta:
        ordering = ["work_order", "sequence", "id"]
        constraints = [
            models.UniqueConstraint(fields=["work_order", "sequence"], name="woop_sequence_unique"),
            models.CheckConstraint(condition=models.Q(quantity_good__gte=0, quantity_scrap__gte=0),
                                   name="woop_quantities_nonnegative"),
        ]

    def __str__(self):
        return f"{self.sequence} {self.name}"


class Worker(models.Model):
    """A person who reports work and is paid piece rates: a shop-floor worker without a login, or a member
    of the enterprise (``user_id``: the platform user, a public row kept as a plain id)."""

    code = models.CharField(_("worker number"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    work_center = models.ForeignKey("catalog.WorkCenter", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("team / work center"))
    user_id = models.BigIntegerField(null=True, blank=True, unique=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("worker")
        verbose_name_plural = _("workers")

    def __str__(self):
        return f"{self.code} {self.name}"


class OperationReport(models.Model):
    """What an operator did on an operation: good and scrap output, pieces handled, minutes worked.
    Pay = good quantity × the operation's piece rate. Scrap never reaches stock."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="reports")
    operation = models.ForeignKey(WorkOrderOperation, on_delete=models.CASCADE, related_name="reports",
                                  verbose_name=_("operation"))
    work_date = models.DateField(_("work date"))
    operator_name = models.CharField(_("operator"), max_length=100)  # the worker's name when reported
    worker = models.ForeignKey(Worker, null=True, blank=True, on_delete=models.PROTECT, related_name="reports",
                               verbose_name=_("worker"))
    quantity_good = models.DecimalField(_("good"), **QTY)
    quantity_scrap = models.DecimalField(_("scrap"), default=Decimal("0"), **QTY)
    piece_count = models.DecimalField(_("pieces"), default=Decimal("0"), **QTY)
    minutes = models.DecimalField(_("minutes"), max_digits=14, decimal_places=2, default=Decimal("0"))
    piece_rate = models.DecimalField(_("piece rate"), **MONEY)
    pay = models.DecimalField(_("piece-rate pay"), **MONEY)
    cost = models.DecimalField(_("work center cost"), **MONEY)
    note = models.CharField(_("note"), max_length=200, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+", db_constraint=False)
    created_at = models.DateTimeField(_("reported at"), auto_now_add=True)

    class Meta:
        ordering = ["-work_date", "-id"]
        verbose_name = _("operation report")
        verbose_name_plural = _("operation reports")
        indexes = [models.Index(fields=["work_date", "operator_name"], name="opreport_date_operator_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity_good__gte=0, quantity_scrap__gte=0, piece_count__gte=0,
                                                      minutes__gte=0), name="opreport_nonnegative"),
        ]

    def __str__(self):
        return f"{self.work_order.number} {self.operation.name} {self.operator_name}"
