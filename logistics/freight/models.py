"""TENANT schema: a shipment's need posted on the freight board (物流运力) and what came back.

The listing (an RFQ, kind demand) lives in the public schema (ecommerce); this row keeps its id as a plain
number (a tenant table may point at a public row, never the other way round). When the buyer accepts a
quotation on that listing, logistics.freight.services.freight_quotation_accepted (an ecommerce hook) switches
into this enterprise's schema, fills the shipment's carrier and quoted freight and marks the request.
"""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class FreightRequest(models.Model):
    class Status(models.TextChoices):
        POSTED = "posted", pgettext_lazy("freight request", "posted")  # on the board, waiting for quotations
        ACCEPTED = "accepted", pgettext_lazy("freight request", "accepted")  # carrier and price on the shipment
        NOT_APPLIED = "not_applied", pgettext_lazy("freight request", "accepted, not applied")  # shipment moved on

    shipment = models.ForeignKey("logistics_shipments.Shipment", on_delete=models.CASCADE,
                                 related_name="freight_requests", verbose_name=_("shipment"))
    # the id of the RFQ listing on the public boards (ecommerce.Listing, public schema): a plain number
    listing_id = models.BigIntegerField(_("listing"), unique=True)
    title = models.CharField(_("lane"), max_length=120)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.POSTED)
    # the accepted quotation (public id) and what it brought
    quotation_id = models.BigIntegerField(_("quotation"), null=True, blank=True)
    supplier_name = models.CharField(_("logistics company"), max_length=200, blank=True)
    carrier = models.ForeignKey("logistics_carriers.Carrier", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+", verbose_name=_("carrier"))
    price = models.DecimalField(_("accepted price"), max_digits=12, decimal_places=2, null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", db_constraint=False, verbose_name=_("posted by"))
    created_at = models.DateTimeField(_("posted at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("freight request")
        verbose_name_plural = _("freight requests")
        constraints = [
            # one request waiting for quotations per shipment (a double click posts once)
            models.UniqueConstraint(fields=["shipment"], condition=models.Q(status="posted"),
                                    name="logistics_freight_one_open_per_shipment"),
            models.CheckConstraint(condition=models.Q(price__isnull=True) | models.Q(price__gte=0),
                                   name="logistics_freight_price_nonnegative"),
        ]

    def __str__(self):
        return self.title


def bill_path(instance, filename: str) -> str:
    return f"logistics/freight-bills/{secrets.token_hex(16)}/{filename}"


class FreightBill(models.Model):
    """A carrier's bill (对账单) uploaded as .xlsx/.csv: previewed (every row checked, nothing written), then
    applied (each matched shipment's actual freight set to the sum of its parcels' amounts, in one
    transaction). The file is kept so that the applied figures can be traced back to it."""

    class Status(models.TextChoices):
        PREVIEW = "preview", pgettext_lazy("freight bill", "checked, not applied")
        APPLIED = "applied", pgettext_lazy("freight bill", "applied")

    original_name = models.CharField(_("file name"), max_length=255)
    file = models.FileField(_("file"), upload_to=bill_path, max_length=300)
    carrier = models.ForeignKey("logistics_carriers.Carrier", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+", verbose_name=_("carrier"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PREVIEW)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    shipment_count = models.PositiveIntegerField(_("shipments"), default=0)
    flagged_count = models.PositiveIntegerField(_("flagged"), default=0)
    total_amount = models.DecimalField(_("billed amount"), max_digits=14, decimal_places=2, default=Decimal("0"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", db_constraint=False, verbose_name=_("uploaded by"))
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("carrier bill")
        verbose_name_plural = _("carrier bills")

    def __str__(self):
        return self.original_name


class FreightBillLine(models.Model):
    """What an applied bill did to one shipment (its parcels' rows summed)."""

    bill = models.ForeignKey(FreightBill, on_delete=models.CASCADE, related_name="lines", verbose_name=_("bill"))
    shipment = models.ForeignKey("logistics_shipments.Shipment", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("shipment"))
    waybills = models.CharField(_("waybill numbers"), max_length=500)
    rows = models.CharField(_("rows"), max_length=200)
    amount = models.DecimalField(_("billed freight"), max_digits=12, decimal_places=2)
    previous = models.DecimalField(_("previous actual freight"), max_digits=12, decimal_places=2, null=True,
                                   blank=True)
    quoted = models.DecimalField(_("quoted freight"), max_digits=12, decimal_places=2, null=True, blank=True)
    difference_pct = models.DecimalField(_("difference %"), max_digits=12, decimal_places=1, null=True, blank=True)
    flagged = models.BooleanField(_("flagged"), default=False)

    class Meta:
        ordering = ["bill", "id"]
        verbose_name = _("carrier bill line")
        verbose_name_plural = _("carrier bill lines")


class LandedCost(models.Model):
    """The share of an inbound shipment's actual freight allocated to one line of its goods receipt, and how
    much of it went into the stock value (capitalised) or not (variance: the units had been issued). The
    figures are cumulative: a changed freight moves only the difference."""

    shipment = models.ForeignKey("logistics_shipments.Shipment", on_delete=models.PROTECT,
                                 related_name="landed_costs", verbose_name=_("shipment"))
    receipt_line = models.ForeignKey("purchasing.ReceiptLine", on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("receipt line"))
    item = models.ForeignKey("catalog.Item", on_delete=models.PROTECT, related_name="+", verbose_name=_("item"))
    amount = models.DecimalField(_("allocated freight"), max_digits=18, decimal_places=4, default=Decimal("0"))
    capitalised = models.DecimalField(_("added to stock value"), max_digits=18, decimal_places=4,
                                      default=Decimal("0"))
    variance = models.DecimalField(_("variance (already issued)"), max_digits=18, decimal_places=4,
                                   default=Decimal("0"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["shipment", "receipt_line"]
        verbose_name = _("landed cost")
        verbose_name_plural = _("landed costs")
        constraints = [models.UniqueConstraint(fields=["shipment", "receipt_line"],
                                               name="logistics_landed_cost_line_unique")]
