"""TENANT schema: a shipment's need posted on the freight board (物流运力) and what came back.

The listing (an RFQ, kind demand) lives in the public schema (ecommerce); this row keeps its id as a plain
number (a tenant table may point at a public row, never the other way round). When the buyer accepts a
quotation on that listing, logistics.freight.services.freight_quotation_accepted (an ecommerce hook) switches
into this enterprise's schema, fills the shipment's carrier and quoted freight and marks the request.
"""

from __future__ import annotations

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
