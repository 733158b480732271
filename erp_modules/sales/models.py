"""TENANT schema: the sales flow quotation → sales order → delivery → invoice.

Amounts are in the document's currency (CNY unless the customer says otherwise), excluding VAT
per line (`amount_excl_vat`), with the VAT of each line computed and rounded on the line
(`vat_amount`, ROUND_HALF_UP to the cent); document totals are the sums of the rounded lines.
Stock is promised through inventory reservations (reference_type "sales_order") when an order
is confirmed and leaves through ledger rows of type DELIVERY when a delivery is posted.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.jobs import BackgroundJob, LockKey, one_active_constraint
from erp_modules.common.models import CURRENCY_DEFAULT, MONEY, QTY

ZERO = Decimal("0")
RATE = {"max_digits": 5, "decimal_places": 2}

RESERVATION_REFERENCE = "sales_order"  # Reservation.reference_type of an order's reservations
DELIVERY_REFERENCE = "sales_delivery"  # StockMove.reference_type of a delivery's ledger rows


class SalesDocument(models.Model):
    """What quotations, orders and invoices share: number, customer, currency and totals."""

    number = models.CharField(_("number"), max_length=30, unique=True)
    customer = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("customer"))
    customer_reference = models.CharField(_("customer reference"), max_length=60, blank=True,
                                          help_text=_("The customer's enquiry or purchase order number."))
    currency = models.CharField(_("currency"), max_length=3, default=CURRENCY_DEFAULT)
    amount_excl_vat = models.DecimalField(_("amount excl. VAT"), default=ZERO, **MONEY)
    vat_amount = models.DecimalField(_("VAT"), default=ZERO, **MONEY)
    amount_incl_vat = models.DecimalField(_("total incl. VAT"), default=ZERO, **MONEY)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", db_constraint=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def __str__(self):
        return self.number


class PricedLine(models.Model):
    """A line with a price: quantity × unit price (excl. VAT) less the discount, VAT per line."""

    sequence = models.PositiveIntegerField(_("line"), default=1)
    item = models.ForeignKey("catalog.Item", on_delete=models.PROTECT, related_name="+", verbose_name=_("item"))
    description = models.CharField(_("description"), max_length=300, blank=True)
    quantity = models.DecimalField(_("quantity"), **QTY)
    unit_price = models.DecimalField(_("unit price excl. VAT"), **MONEY)
    discount_pct = models.DecimalField(_("discount %"), default=ZERO, **RATE)
    vat_rate = models.DecimalField(_("VAT rate %"), **RATE)
    amount_excl_vat = models.DecimalField(_("amount excl. VAT"), default=ZERO, **MONEY)
    vat_amount = models.DecimalField(_("VAT"), default=ZERO, **MONEY)

    class Meta:
        abstract = True

    @property
    def amount_incl_vat(self) -> Decimal:
        return self.amount_excl_vat + self.vat_amount

    @staticmethod
    def priced_line_constraints(prefix: str) -> list:
        return [
            models.CheckConstraint(condition=Q(quantity__gt=0), name=f"{prefix}_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name=f"{prefix}_price_nonnegative"),
            models.CheckConstraint(condition=Q(discount_pct__gte=0, discount_pct__lte=100),
                                   name=f"{prefix}_discount_range"),
            models.CheckConstraint(condition=Q(vat_rate__gte=0, vat_rate__lte=100), name=f"{prefix}_vat_range"),
        ]


# ---- quotations ------------------------------------------------------------------------------


class Quotation(SalesDocument):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SENT = "sent", _("sent")
        ORDERED = "ordered", _("ordered")
        CANCELLED = "cancelled", _("cancelled")

    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    quote_date = models.DateField(_("quotation date"), default=timezone.localdate)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    class Meta:
        ordering = ["-quote_date", "-id"]
        verbose_name = _("quotation")
        verbose_name_plural = _("quotations")
        indexes = [models.Index(fields=["status", "-quote_date"], name="sales_quote_status_idx")]

    def get_absolute_url(self):
        return reverse("sales:quotation_detail", args=[self.pk])

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.SENT)


REVISION_HELP = _("The part's engineering revision the customer wants (e.g. B); empty: the one in force.")


class QuotationLine(PricedLine):
    quotation = models.ForeignKey(Quotation, on_delete=models.CASCADE, related_name="lines")
    revision = models.CharField(_("revision"), max_length=8, blank=True, help_text=REVISION_HELP)

    class Meta:
        ordering = ["quotation", "sequence", "id"]
        constraints = PricedLine.priced_line_constraints("sales_quoteline")


# ---- orders ----------------------------------------------------------------------------------


class SalesOrder(SalesDocument):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        CONFIRMED = "confirmed", _("confirmed")
        PARTIALLY_DELIVERED = "partial", _("partially delivered")
        DELIVERED = "delivered", _("delivered")
        CLOSED = "closed", _("closed (rest cancelled)")
        CANCELLED = "cancelled", _("cancelled")

    OPEN_STATUSES = (Status.CONFIRMED, Status.PARTIALLY_DELIVERED)
    INVOICEABLE_STATUSES = (Status.CONFIRMED, Status.PARTIALLY_DELIVERED, Status.DELIVERED, Status.CLOSED)

    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    quotation = models.ForeignKey(Quotation, null=True, blank=True, on_delete=models.PROTECT, related_name="orders",
                                  verbose_name=_("quotation"))
    order_date = models.DateField(_("order date"), default=timezone.localdate)
    delivery_date = models.DateField(_("requested delivery date"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    # made from a quotation the customer accepted on the boards (public rows, plain ids; one per quotation)
    board_listing_id = models.BigIntegerField(null=True, blank=True)
    board_quotation_id = models.BigIntegerField(null=True, blank=True)
    credit_override_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                           related_name="+", db_constraint=False,
                                           verbose_name=_("credit warning overridden by"))
    credit_override_reason = models.CharField(_("reason for overriding the credit warning"), max_length=300,
                                              blank=True)

    class Meta:
        ordering = ["-order_date", "-id"]
        verbose_name = _("sales order")
        verbose_name_plural = _("sales orders")
        indexes = [
            models.Index(fields=["status", "-order_date"], name="sales_order_status_idx"),
            # deliveries_due(): open statuses by requested date. Not a partial index: PostgreSQL prints an
            # IN (…) condition differently once re-created, and provisioning clones indexes by definition.
            models.Index(fields=["status", "delivery_date"], name="sales_order_status_due_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["board_quotation_id"], condition=models.Q(board_quotation_id__isnull=False),
                                    name="so_one_per_board_quotation"),
        ]

    def get_absolute_url(self):
        return reverse("sales:order_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class SalesOrderLine(PricedLine):
    order = models.ForeignKey(SalesOrder, on_delete=models.CASCADE, related_name="lines")
    revision = models.CharField(_("revision"), max_length=8, blank=True, help_text=REVISION_HELP)
    location = models.ForeignKey("inventory.Location", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("ship from"),
                                 help_text=_("Where the stock is reserved and taken from; empty for services."))
    delivered_qty = models.DecimalField(_("delivered"), default=ZERO, **QTY)
    invoiced_qty = models.DecimalField(_("invoiced"), default=ZERO, **QTY)

    class Meta:
        ordering = ["order", "sequence", "id"]
        constraints = PricedLine.priced_line_constraints("sales_orderline") + [
            models.CheckConstraint(condition=Q(delivered_qty__gte=0, delivered_qty__lte=F("quantity")),
                                   name="sales_orderline_delivered_range"),
            models.CheckConstraint(condition=Q(invoiced_qty__gte=0, invoiced_qty__lte=F("delivered_qty")),
                                   name="sales_orderline_invoiced_range"),
        ]

    @property
    def open_qty(self) -> Decimal:
        """Still to deliver (the backorder once something was delivered)."""
        return self.quantity - self.delivered_qty

    @property
    def to_invoice_qty(self) -> Decimal:
        return self.delivered_qty - self.invoiced_qty


class SalesOrderKitComponent(models.Model):
    """A stocked item a kit line stands for, as the BOM in force said when the order was confirmed.

    `quantity` is for the line's whole quantity. Reservations, top-ups ("check availability") and
    deliveries of the kit follow these proportions even if the BOM changes later. A kit line may
    be reserved in part (confirmed with a shortage), and a component that could not be reserved at
    all has no reservation row to say what it needs: this row does."""

    line = models.ForeignKey(SalesOrderLine, on_delete=models.CASCADE, related_name="kit_components")
    item = models.ForeignKey("catalog.Item", on_delete=models.PROTECT, related_name="+", verbose_name=_("component"))
    quantity = models.DecimalField(_("quantity"), **QTY)

    class Meta:
        ordering = ["line", "item__code"]
        constraints = [
            models.UniqueConstraint(fields=["line", "item"], name="sales_kitcomponent_unique"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="sales_kitcomponent_qty_positive"),
        ]


# ---- deliveries ------------------------------------------------------------------------------


class Delivery(models.Model):
    class Status(models.TextChoices):
        DONE = "done", _("delivered")

    number = models.CharField(_("number"), max_length=30, unique=True)
    order = models.ForeignKey(SalesOrder, on_delete=models.PROTECT, related_name="deliveries",
                              verbose_name=_("sales order"))
    customer = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("customer"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DONE)
    delivery_date = models.DateField(_("delivery date"), default=timezone.localdate)
    ship_to = models.CharField(_("ship to"), max_length=255, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", db_constraint=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-delivery_date", "-id"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("sales:delivery_detail", args=[self.pk])


class DeliveryLine(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(SalesOrderLine, on_delete=models.PROTECT, related_name="delivery_lines")
    item = models.ForeignKey("catalog.Item", on_delete=models.PROTECT, related_name="+", verbose_name=_("item"))
    quantity = models.DecimalField(_("quantity"), **QTY)
    location = models.ForeignKey("inventory.Location", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("from"))
    lot = models.ForeignKey("inventory.Lot", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                            verbose_name=_("lot"))
    serials = models.TextField(_("serial numbers"), blank=True)

    class Meta:
        ordering = ["delivery", "order_line__sequence", "id"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="sales_deliveryline_qty_positive")]


# ---- invoices --------------------------------------------------------------------------------


class Invoice(SalesDocument):
    class Status(models.TextChoices):
        ISSUED = "issued", _("issued")
        PAID = "paid", _("paid")
        CANCELLED = "cancelled", _("cancelled")

    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ISSUED)
    order = models.ForeignKey(SalesOrder, on_delete=models.PROTECT, related_name="invoices",
                              verbose_name=_("sales order"))
    invoice_date = models.DateField(_("invoice date"), default=timezone.localdate)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    tax_invoice_number = models.CharField(_("fapiao number"), max_length=30, blank=True,
                                          help_text=_("The number of the official VAT invoice (发票), once issued."))
    paid_on = models.DateField(_("paid on"), null=True, blank=True)

    class Meta:
        ordering = ["-invoice_date", "-id"]
        verbose_name = _("sales invoice")
        verbose_name_plural = _("sales invoices")
        indexes = [models.Index(fields=["status", "invoice_date"], name="sales_inv_status_date_idx")]

    def get_absolute_url(self):
        return reverse("sales:invoice_detail", args=[self.pk])


class InvoiceLine(PricedLine):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(SalesOrderLine, on_delete=models.PROTECT, related_name="invoice_lines")

    class Meta:
        ordering = ["invoice", "sequence", "id"]
        constraints = PricedLine.priced_line_constraints("sales_invline")


# ---- "check availability" for all open orders ---------------------------------------------------


class AvailabilityCheck(BackgroundJob):
    """One run of "Check availability for all": a background job of the enterprise (core.jobs: one
    queued or running at a time, the worker's advisory lock, a safe error text, pruning) that tops up
    the reservations of every open order that is short, by priority, one order per transaction
    (services.`availability_check_execute`). `orders_done` of `orders_total` is what the page shows
    of its progress (`progress` follows them); `results` says per order what was reserved, what is
    still short, or why it failed."""

    lock_key = LockKey.AVAILABILITY_CHECK
    kept = 20
    stale_message = _("The background worker stopped before finishing this check.")

    orders_total = models.PositiveIntegerField(_("orders to check"), default=0)
    orders_done = models.PositiveIntegerField(_("orders checked"), default=0)
    lines_reserved = models.PositiveIntegerField(_("lines reserved"), default=0)
    lines_short = models.PositiveIntegerField(_("lines still short"), default=0)
    orders_failed = models.PositiveIntegerField(_("orders failed"), default=0)
    results = models.JSONField(_("results"), default=list, blank=True, editable=False)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("availability check")
        verbose_name_plural = _("availability checks")
        constraints = [
            one_active_constraint("sales_availcheck_one_active"),
            models.CheckConstraint(condition=Q(progress__lte=100), name="sales_availcheck_progress_range"),
        ]

    def __str__(self):
        return f"#{self.pk}"

    def get_absolute_url(self):
        return reverse("sales:availability_check_detail", args=[self.pk])

    @property
    def percent(self) -> int:
        if not self.is_active:
            return 100
        return min(99, 100 * self.orders_done // self.orders_total) if self.orders_total else 0

    @property
    def summary(self) -> str:
        """"3 orders checked, 4 lines reserved, 2 lines still short" (and how many failed)."""
        parts = [ngettext("%(n)d order checked", "%(n)d orders checked", self.orders_done) % {"n": self.orders_done},
                 ngettext("%(n)d line reserved", "%(n)d lines reserved", self.lines_reserved)
                 % {"n": self.lines_reserved},
                 ngettext("%(n)d line still short", "%(n)d lines still short", self.lines_short)
                 % {"n": self.lines_short}]
        if self.orders_failed:
            parts.append(ngettext("%(n)d order failed", "%(n)d orders failed", self.orders_failed)
                         % {"n": self.orders_failed})
        return ", ".join(parts)
