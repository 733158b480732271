"""TENANT schema: shipments, their parcels (each with its own waybill number and status), proofs of delivery.

A shipment is outbound (from a sales delivery), inbound (for a purchase receipt) or stand-alone. Each
parcel carries its own waybill number and tracking status (one waybill per shipment is the common
complaint in ERPNext, erpnext#46140); the shipment's status is derived from its parcels'. The buyer
follows it on a public page reached by the unguessable ``tracking_token``.
"""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


def new_tracking_token() -> str:
    return secrets.token_urlsafe(24)


class ParcelStatus(models.TextChoices):
    """Tracking states in the order a parcel moves through them (RANK: status never moves backwards)."""

    CREATED = "created", pgettext_lazy("parcel status", "created")
    PICKED_UP = "picked_up", pgettext_lazy("parcel status", "picked up")  # 揽收
    IN_TRANSIT = "in_transit", pgettext_lazy("parcel status", "in transit")  # 在途
    OUT_FOR_DELIVERY = "out_for_delivery", pgettext_lazy("parcel status", "out for delivery")  # 派件
    PROBLEM = "problem", pgettext_lazy("parcel status", "problem")  # 疑难
    DELIVERED = "delivered", pgettext_lazy("parcel status", "delivered")  # 签收
    RETURNING = "returning", pgettext_lazy("parcel status", "returning")  # 退回
    REFUSED = "refused", pgettext_lazy("parcel status", "refused")  # 拒签
    RETURNED = "returned", pgettext_lazy("parcel status", "returned to sender")  # 退签


class Shipment(models.Model):
    class Direction(models.TextChoices):
        OUTBOUND = "out", _("outbound")
        INBOUND = "in", _("inbound")
        STANDALONE = "standalone", _("stand-alone")

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("shipment status", "draft")
        BOOKED = "booked", pgettext_lazy("shipment status", "booked")
        IN_TRANSIT = "in_transit", pgettext_lazy("shipment status", "in transit")
        DELIVERED = "delivered", pgettext_lazy("shipment status", "delivered")
        EXCEPTION = "exception", pgettext_lazy("shipment status", "exception")
        RETURNED = "returned", pgettext_lazy("shipment status", "returned")
        CANCELLED = "cancelled", pgettext_lazy("shipment status", "cancelled")

    number = models.CharField(_("number"), max_length=30, unique=True)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices, default=Direction.OUTBOUND)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    delivery = models.ForeignKey("sales.Delivery", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="shipments", verbose_name=_("delivery"))
    receipt = models.ForeignKey("purchasing.Receipt", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="shipments", verbose_name=_("goods receipt"))
    purchase_order = models.ForeignKey("purchasing.PurchaseOrder", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="shipments", verbose_name=_("purchase order"))
    partner = models.ForeignKey("partners.Partner", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+", verbose_name=_("partner"))
    carrier = models.ForeignKey("logistics_carriers.Carrier", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="shipments", verbose_name=_("carrier"))
    contract = models.ForeignKey("logistics_carriers.Contract", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="shipments", verbose_name=_("contract"))
    # the consignee (outbound: the customer; inbound: our own warehouse)
    consignee_name = models.CharField(_("consignee"), max_length=100, blank=True)
    consignee_phone = models.CharField(_("consignee phone"), max_length=40, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    province_code = models.CharField(_("province code"), max_length=6, blank=True)
    city_code = models.CharField(_("city code"), max_length=6, blank=True)
    district_code = models.CharField(_("district code"), max_length=6, blank=True)
    region_name = models.CharField(_("region"), max_length=100, blank=True)  # 浙江省 宁波市 慈溪市
    goods_value = models.DecimalField(_("goods value"), max_digits=14, decimal_places=2, default=Decimal("0"))
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    pickup_at = models.DateTimeField(_("pickup time"), null=True, blank=True)
    promised_date = models.DateField(_("promised delivery date"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    quoted_freight = models.DecimalField(_("quoted freight"), max_digits=12, decimal_places=2, null=True, blank=True)
    actual_freight = models.DecimalField(_("actual freight"), max_digits=12, decimal_places=2, null=True, blank=True)
    tracking_token = models.CharField(max_length=64, unique=True, default=new_tracking_token, editable=False)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", db_constraint=False, verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        indexes = [models.Index(fields=["status", "-created_at"], name="logistics_shipment_status_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(goods_value__gte=0), name="logistics_shipment_value_nonnegative"),
            models.CheckConstraint(condition=models.Q(actual_freight__isnull=True) | models.Q(actual_freight__gte=0),
                                   name="logistics_shipment_freight_nonnegative"),
        ]

    def __str__(self):
        return self.number


class Parcel(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="parcels", verbose_name=_("shipment"))
    seq = models.PositiveSmallIntegerField(_("parcel no."))
    waybill_number = models.CharField(_("waybill number"), max_length=32, blank=True)
    # the carrier of this parcel (defaults to the shipment's; guessed from the waybill number when not given)
    carrier = models.ForeignKey("logistics_carriers.Carrier", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="parcels", verbose_name=_("carrier"))
    weight_kg = models.DecimalField(_("weight (kg)"), max_digits=10, decimal_places=3, default=Decimal("0"))
    length_cm = models.DecimalField(_("length (cm)"), max_digits=8, decimal_places=1, null=True, blank=True)
    width_cm = models.DecimalField(_("width (cm)"), max_digits=8, decimal_places=1, null=True, blank=True)
    height_cm = models.DecimalField(_("height (cm)"), max_digits=8, decimal_places=1, null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=ParcelStatus.choices, default=ParcelStatus.CREATED)
    status_at = models.DateTimeField(_("status since"), null=True, blank=True)
    last_event_at = models.DateTimeField(_("last tracking event"), null=True, blank=True)
    description = models.CharField(_("contents"), max_length=200, blank=True)

    class Meta:
        ordering = ["shipment", "seq"]
        verbose_name = _("parcel")
        verbose_name_plural = _("parcels")
        constraints = [
            models.UniqueConstraint(fields=["shipment", "seq"], name="logistics_parcel_seq_unique"),
            models.UniqueConstraint(fields=["carrier", "waybill_number"], condition=~models.Q(waybill_number=""),
                                    name="logistics_parcel_waybill_unique"),
            models.CheckConstraint(condition=models.Q(weight_kg__gte=0), name="logistics_parcel_weight_nonnegative"),
        ]
        indexes = [models.Index(fields=["waybill_number"], name="logistics_parcel_waybill_idx")]

    def __str__(self):
        return self.waybill_number or f"{self.shipment.number}-{self.seq}"


def proof_path(instance, filename: str) -> str:
    return f"logistics/proofs/{secrets.token_hex(16)}/{filename}"


class ProofOfDelivery(models.Model):
    class Kind(models.TextChoices):
        PHOTO = "photo", _("photo")
        SIGNED_RECEIPT = "signed_receipt", _("signed receipt (签回单)")

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="proofs", verbose_name=_("shipment"))
    parcel = models.ForeignKey(Parcel, null=True, blank=True, on_delete=models.CASCADE, related_name="proofs",
                               verbose_name=_("parcel"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.PHOTO)
    file = models.FileField(_("file"), upload_to=proof_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    note = models.CharField(_("note"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", db_constraint=False, verbose_name=_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("proof of delivery")
        verbose_name_plural = _("proofs of delivery")

    def __str__(self):
        return self.original_name
