"""Writes of shipments: create (stand-alone, from a sales delivery, for a purchase receipt), parcels with
their waybill numbers, the rate quote and its choice, booking, cancelling, the status derived from the
parcels, the actual freight, and proofs of delivery.

=============================  ===========================  ==========================================
service                        from status                  to status
=============================  ===========================  ==========================================
shipment_create / _from_…      —                            draft
parcel_add / _update / _remove draft                        draft
shipment_quote_choose          draft                        draft (carrier, contract, quoted freight,
                                                            promised date filled)
shipment_book                  draft                        booked (a carrier: the shipment's, else the
                                                            one all its parcels have; every parcel a
                                                            waybill number; hooks.parcels_booked_run
                                                            on commit: the tracking app subscribes)
shipment_cancel                draft, booked                cancelled
shipment_status_refresh        booked … returned            derived from the parcels' statuses
shipment_freight_record        any but cancelled            (actual freight)
proof_upload                   any but draft / cancelled    (a proof of delivery)
=============================  ===========================  ==========================================

Waybill numbers are checked with logistics.shipments.waybills: a number that does not fit the carrier's
known patterns is kept (the page warns), one that cannot be a waybill number is refused; a carrier's
number is on one parcel only. Numbers of shipments come from the enterprise's document sequence
(SH-00001 …, like the sales documents). Locks: the shipment's row (``select_for_update``) for every change
of it or of its parcels.
"""

from __future__ import annotations

import os
import struct
import unicodedata
import zlib
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import field_error
from erp_modules.common.models import AuditEntry
from erp_modules.common.services import audit_entry_new, audit_record, document_number_next
from erp_modules.purchasing.models import Receipt
from erp_modules.sales.models import Delivery
from logistics.carriers.models import Carrier, Contract
from logistics.carriers.quotes import Quote, QuoteRequest, quote
from logistics.carriers.regions import address_parse
from logistics.carriers.selectors import contracts_for_quoting
from logistics.shipments import hooks, waybills
from logistics.shipments.error_codes import ShipmentsErrorCode as Code
from logistics.shipments.models import Parcel, ParcelStatus, ProofOfDelivery, Shipment

Status = Shipment.Status
Direction = Shipment.Direction
ZERO = Decimal("0")
CENT = Decimal("0.01")
MAX_MONEY = Decimal("1e12")
MAX_WEIGHT = Decimal("1e7")
MAX_DIM = Decimal("1e7")
PROOF_MAX_BYTES = 10 * 1024 * 1024
PROOF_MAX_PIXELS = 50_000_000

# parcel statuses that make the shipment an exception
EXCEPTION_STATUSES = {ParcelStatus.PROBLEM, ParcelStatus.REFUSED, ParcelStatus.RETURNING}


def _user(user):
    return user if getattr(user, "is_authenticated", False) else None


def _decimal(value, *, field: str, places: Decimal, maximum: Decimal, required: bool = True) -> Decimal | None:
    if value is None or value == "":
        if required:
            raise field_error(field, _("Enter a number."), Code.INVALID_VALUE)
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise field_error(field, _("Enter a number."), Code.INVALID_VALUE) from None
    if not number.is_finite() or abs(number) >= maximum:
        raise field_error(field, _("Enter a number."), Code.INVALID_VALUE)
    if number < 0:
        raise field_error(field, _("The value cannot be negative."), Code.INVALID_VALUE)
    return number.quantize(places)


def _status_error(shipment: Shipment, action: str) -> ValidationError:
    return ValidationError(_("%(number)s is %(status)s; it cannot be %(action)s.")
                           % {"number": shipment.number, "status": shipment.get_status_display(), "action": action},
                           code=str(Code.WRONG_STATUS))


def _locked(shipment: Shipment) -> Shipment:
    return Shipment.objects.select_for_update().get(pk=shipment.pk)


def _address_fill(shipment: Shipment) -> None:
    """The address parsed into GB/T 2260 codes (logistics.carriers.regions); a ValidationError on
    ``address`` when it cannot be."""
    parsed = address_parse(shipment.address)
    shipment.province_code = parsed.province_code or ""
    shipment.city_code = parsed.city_code or ""
    shipment.district_code = parsed.district_code or ""
    shipment.region_name = " ".join(p for p in (parsed.province, parsed.city, parsed.district) if p)[:100]


def _active_shipment_of(**lookup) -> Shipment | None:
    return Shipment.objects.filter(**lookup).exclude(status=Status.CANCELLED).first()


# ---- shipments ----------------------------------------------------------------------------------


@transaction.atomic
def shipment_create(*, direction: str, delivery: Delivery | None = None, receipt: Receipt | None = None,
                    purchase_order=None, partner=None, consignee_name: str, consignee_phone: str, address: str,
                    carrier: Carrier | None = None, contract: Contract | None = None, goods_value,
                    pickup_at=None, note: str = "", user) -> Shipment:
    """A draft shipment; the address is parsed into province/city/district codes (refused when it cannot be)."""
    if direction not in Direction.values:
        raise field_error("direction", _("Choose a direction."), Code.INVALID_VALUE)
    if delivery is not None and direction != Direction.OUTBOUND:
        raise field_error("delivery", _("A sales delivery is shipped outbound."), Code.DIRECTION_MISMATCH)
    if (receipt is not None or purchase_order is not None) and direction != Direction.INBOUND:
        raise field_error("receipt", _("A purchase receipt is shipped inbound."), Code.DIRECTION_MISMATCH)
    if delivery is not None:
        Delivery.objects.select_for_update().filter(pk=delivery.pk).first()
        taken = _active_shipment_of(delivery=delivery)
        if taken is not None:
            raise field_error("delivery", _("Delivery %(delivery)s is already shipped with %(shipment)s.")
                              % {"delivery": delivery.number, "shipment": taken.number}, Code.ALREADY_SHIPPED)
    if receipt is not None:
        Receipt.objects.select_for_update().filter(pk=receipt.pk).first()
        taken = _active_shipment_of(receipt=receipt)
        if taken is not None:
            raise field_error("receipt", _("Goods receipt %(receipt)s already has shipment %(shipment)s.")
                              % {"receipt": receipt.number, "shipment": taken.number}, Code.ALREADY_SHIPPED)
        purchase_order = purchase_order or receipt.order
    if contract is not None and carrier is not None and contract.carrier_id != carrier.pk:
        raise field_error("contract", _("The contract is not with this carrier."), Code.INVALID_VALUE)
    if contract is not None and carrier is None:
        carrier = contract.carrier
    consignee_name = (consignee_name or "").strip()
    if not consignee_name:
        raise field_error("consignee_name", _("Enter the consignee."), Code.CONSIGNEE_REQUIRED)
    shipment = Shipment(
        direction=direction, delivery=delivery, receipt=receipt, purchase_order=purchase_order, partner=partner,
        consignee_name=consignee_name[:100], consignee_phone=(consignee_phone or "").strip()[:40],
        address=(address or "").strip()[:255], carrier=carrier, contract=contract,
        goods_value=_decimal(goods_value, field="goods_value", places=CENT, maximum=MAX_MONEY),
        pickup_at=pickup_at, note=(note or "").strip()[:300], created_by=_user(user))
    _address_fill(shipment)
    shipment.number = document_number_next(code="logistics_shipment", prefix="SH-")
    shipment.full_clean()
    shipment.save()
    audit_record(obj=shipment, action="create", user=_user(user))
    return shipment


def _delivered_value(delivery: Delivery) -> Decimal:
    """What the delivered goods are worth: each line's share of its order line's amount incl. VAT."""
    total = ZERO
    for line in delivery.lines.select_related("order_line"):
        order_line = line.order_line
        if not order_line.quantity:
            continue
        amount = order_line.amount_excl_vat + order_line.vat_amount
        total += amount * line.quantity / order_line.quantity
    return total.quantize(CENT)


@transaction.atomic
def shipment_from_delivery(*, delivery: Delivery, user, address: str | None = None) -> Shipment:
    """An outbound draft for a sales delivery: the consignee is the customer, the address the delivery's
    ship-to (else the customer's address; ``address`` when given), the goods value that of the delivered
    order lines. The address is parsed into region codes (refused on ``address`` when it cannot be)."""
    customer = delivery.customer
    consignee = customer.name if not customer.contact_name else f"{customer.name} {customer.contact_name}"
    return shipment_create(
        direction=Direction.OUTBOUND, delivery=delivery, partner=customer, consignee_name=consignee[:100],
        consignee_phone=customer.phone, address=address or delivery.ship_to or customer.address,
        goods_value=_delivered_value(delivery), note=delivery.order.number, user=user)


@transaction.atomic
def shipment_for_receipt(*, receipt: Receipt, user) -> Shipment:
    """An inbound draft for a purchase receipt: the consignee is the enterprise itself (its contact), the
    address the receiving warehouse's (else the enterprise's), the value that of the received lines."""
    enterprise = connection.tenant
    warehouse = receipt.location.warehouse
    value = sum((line.quantity * line.unit_cost for line in receipt.lines.all()), ZERO)
    name = getattr(enterprise, "name", "") or warehouse.name
    contact = getattr(enterprise, "contact_name", "")
    return shipment_create(
        direction=Direction.INBOUND, receipt=receipt, purchase_order=receipt.order, partner=receipt.order.supplier,
        consignee_name=(f"{name} {contact}" if contact else name)[:100],
        consignee_phone=getattr(enterprise, "contact_phone", ""),
        address=warehouse.address or getattr(enterprise, "address", ""), goods_value=value, note=receipt.number,
        user=user)


@transaction.atomic
def shipment_update(*, shipment: Shipment, user, **fields) -> Shipment:
    """Change a draft's consignee, address, carrier, contract, value, pickup time or note."""
    allowed = {"consignee_name", "consignee_phone", "address", "carrier", "contract", "goods_value", "pickup_at",
               "note"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    shipment = _locked(shipment)
    if shipment.status != Status.DRAFT:
        raise _status_error(shipment, _("changed"))
    for name, value in fields.items():
        if name == "goods_value":
            value = _decimal(value, field="goods_value", places=CENT, maximum=MAX_MONEY)
        elif isinstance(value, str):
            value = value.strip()
        setattr(shipment, name, value)
    if not shipment.consignee_name:
        raise field_error("consignee_name", _("Enter the consignee."), Code.CONSIGNEE_REQUIRED)
    if shipment.contract_id and shipment.carrier_id and shipment.contract.carrier_id != shipment.carrier_id:
        raise field_error("contract", _("The contract is not with this carrier."), Code.INVALID_VALUE)
    if "address" in fields:
        before = (shipment.province_code, shipment.city_code, shipment.district_code)
        _address_fill(shipment)
        if (shipment.province_code, shipment.city_code, shipment.district_code) != before:
            # The quote was for the old destination: choose again (the zone, the price and the days may differ).
            shipment.quoted_freight = shipment.promised_date = None
    shipment.full_clean()
    shipment.save()
    audit_record(obj=shipment, action="update", user=_user(user))
    return shipment


@transaction.atomic
def shipment_book(*, shipment: Shipment, user) -> Shipment:
    """Book a draft: it needs a carrier and at least one parcel, each with a waybill number. Then every hook
    of logistics.shipments.hooks runs on commit with the parcels' ids (the tracking app subscribes them)."""
    shipment = _locked(shipment)
    if shipment.status != Status.DRAFT:
        raise _status_error(shipment, _("booked"))
    parcels = list(shipment.parcels.order_by("seq"))
    if shipment.carrier_id is None:
        # the parcels' carrier (given or guessed from their numbers) when they all have the same one
        carriers = {p.carrier_id for p in parcels}
        if len(carriers) != 1 or None in carriers:
            raise field_error("carrier", _("Choose the carrier before booking."), Code.CARRIER_REQUIRED)
        shipment.carrier_id = carriers.pop()
    if not parcels:
        raise ValidationError(_("Add at least one parcel before booking."), code=str(Code.NO_PARCELS))
    missing = [p.seq for p in parcels if not p.waybill_number]
    if missing:
        raise field_error("waybill_number", _("Parcels %(seqs)s have no waybill number yet.")
                          % {"seqs": ", ".join(str(s) for s in missing)}, Code.WAYBILL_REQUIRED)
    now = timezone.now()
    for parcel in parcels:
        if parcel.carrier_id is None:
            parcel.carrier_id = shipment.carrier_id
            _waybill_unique(parcel)
        parcel.status_at = parcel.status_at or now
        parcel.save(update_fields=["carrier", "status_at"])
    shipment.status = Status.BOOKED
    shipment.save(update_fields=["status", "carrier"])
    audit_record(obj=shipment, action="status", user=_user(user), changes={"status": [Status.DRAFT, Status.BOOKED]})
    ids = [p.pk for p in parcels]
    transaction.on_commit(lambda: hooks.parcels_booked_run(ids))
    return shipment


@transaction.atomic
def shipment_cancel(*, shipment: Shipment, user) -> Shipment:
    shipment = _locked(shipment)
    if shipment.status not in (Status.DRAFT, Status.BOOKED):
        raise _status_error(shipment, _("cancelled"))
    old = shipment.status
    shipment.status = Status.CANCELLED
    shipment.save(update_fields=["status"])
    audit_record(obj=shipment, action="status", user=_user(user), changes={"status": [old, Status.CANCELLED]})
    return shipment


def shipment_status_derive(statuses: list[str]) -> str | None:
    """The shipment status its parcels' statuses make (None: no parcel moved yet, the status stays)."""
    if not statuses:
        return None
    if all(s == ParcelStatus.DELIVERED for s in statuses):
        return Status.DELIVERED
    if all(s == ParcelStatus.RETURNED for s in statuses):
        return Status.RETURNED
    if any(s in EXCEPTION_STATUSES or s == ParcelStatus.RETURNED for s in statuses):
        return Status.EXCEPTION
    if any(s != ParcelStatus.CREATED for s in statuses):
        return Status.IN_TRANSIT
    return None


@transaction.atomic
def shipment_status_refresh(*, shipment: Shipment) -> str:
    """Derive a booked shipment's status from its parcels (the tracking app calls it after merging events):
    all delivered → delivered (delivered_at: the last parcel's); all returned → returned; any problem,
    refused, returning (or some returned) → exception; any beyond created → in transit. A draft or a
    cancelled shipment is left as it is. Returns the status (and sets it on ``shipment``)."""
    status = shipments_status_refresh(shipment_ids=[shipment.pk])[shipment.pk]
    shipment.refresh_from_db(fields=["status", "delivered_at"])
    return status


@transaction.atomic
def shipments_status_refresh(*, shipment_ids) -> dict[int, str]:
    """``shipment_status_refresh`` for many shipments at once (the tracking app, after merging a batch of
    pushes): the shipments locked in one query (in id order), their parcels read in one, the changed ones
    written with one update and their history with one insert. Returns {shipment id: status}."""
    shipments = list(Shipment.objects.select_for_update().filter(pk__in=set(shipment_ids)).order_by("pk"))
    parcels: dict[int, list] = {}
    for parcel in Parcel.objects.filter(shipment_id__in=[s.pk for s in shipments]).only(
            "shipment_id", "status", "status_at", "last_event_at"):
        parcels.setdefault(parcel.shipment_id, []).append(parcel)
    changed, history = [], []
    for shipment in shipments:
        if shipment.status in (Status.DRAFT, Status.CANCELLED):
            continue
        mine = parcels.get(shipment.pk, [])
        derived = shipment_status_derive([p.status for p in mine]) or Status.BOOKED
        delivered_at = None
        if derived == Status.DELIVERED:
            moments = [p.status_at or p.last_event_at for p in mine if (p.status_at or p.last_event_at)]
            delivered_at = max(moments) if moments else timezone.now()
        if derived == shipment.status and delivered_at == shipment.delivered_at:
            continue
        if derived != shipment.status:
            history.append(audit_entry_new(obj=shipment, action="status", changes={"status": [shipment.status, derived]}))
        shipment.status, shipment.delivered_at = derived, delivered_at
        changed.append(shipment)
    if changed:
        # one UPDATE … FROM unnest: bulk_update's CASE WHEN per row costs ~2 ms a shipment in Python alone
        table = connection.ops.quote_name(Shipment._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} AS s SET status = u.st, delivered_at = u.da FROM"
                " unnest(%s::bigint[], %s::text[], %s::timestamptz[]) AS u(id, st, da) WHERE s.id = u.id",
                [[s.pk for s in changed], [s.status for s in changed], [s.delivered_at for s in changed]])
        AuditEntry.objects.bulk_create(history)
    return {s.pk: s.status for s in shipments}


@transaction.atomic
def shipment_freight_record(*, shipment: Shipment, actual_freight, user) -> Shipment:
    """The freight the carrier charged (from its bill); compared with the quote by the selectors."""
    shipment = _locked(shipment)
    if shipment.status == Status.CANCELLED:
        raise _status_error(shipment, _("charged"))
    before = shipment.actual_freight
    shipment.actual_freight = _decimal(actual_freight, field="actual_freight", places=CENT, maximum=MAX_MONEY)
    shipment.full_clean()
    shipment.save(update_fields=["actual_freight"])
    audit_record(obj=shipment, action="update", user=_user(user),
                 changes={"actual_freight": [before, shipment.actual_freight]})
    hooks.freight_recorded_run(shipment=shipment, user=user)  # landed cost of inbound freight (freight app)
    return shipment


# ---- quotes -------------------------------------------------------------------------------------


def _quote_request(shipment: Shipment) -> QuoteRequest:
    parcels = [(p.weight_kg, p.length_cm, p.width_cm, p.height_cm) for p in shipment.parcels.order_by("seq")]
    return QuoteRequest(province_code=shipment.province_code, city_code=shipment.city_code, parcels=parcels,
                        goods_value=shipment.goods_value)


def shipment_quote(*, shipment: Shipment) -> list[Quote]:
    """The quotes of every contract in force today for the shipment's destination and parcels (in the
    order logistics.carriers.quotes.quote gives them: cheapest first)."""
    if not shipment.province_code:
        return []
    today = timezone.localdate()
    return list(quote(_quote_request(shipment), contracts_for_quoting(on=today), on=today))


@transaction.atomic
def shipment_quote_choose(*, shipment: Shipment, contract: Contract, user) -> Shipment:
    """Choose a contract's quote: fills the carrier, the contract, the quoted freight and the promised date
    (today + the zone's promised days)."""
    shipment = _locked(shipment)
    if shipment.status != Status.DRAFT:
        raise _status_error(shipment, _("quoted"))
    chosen = next((q for q in shipment_quote(shipment=shipment) if q.contract_id == contract.pk), None)
    if chosen is None:
        raise field_error("contract", _("Contract %(contract)s does not quote this shipment.")
                          % {"contract": contract}, Code.QUOTE_UNAVAILABLE)
    shipment.contract = contract
    shipment.carrier_id = contract.carrier_id
    shipment.quoted_freight = Decimal(chosen.price).quantize(CENT)
    shipment.promised_date = timezone.localdate() + timedelta(days=int(chosen.promised_days))
    shipment.full_clean()
    shipment.save(update_fields=["contract", "carrier", "quoted_freight", "promised_date"])
    shipment.parcels.filter(carrier__isnull=True).update(carrier_id=contract.carrier_id)
    audit_record(obj=shipment, action="update", user=_user(user),
                 changes={"quoted_freight": [None, shipment.quoted_freight]}, message=str(contract)[:300])
    return shipment


# ---- parcels ------------------------------------------------------------------------------------


@dataclass
class WaybillResult:
    number: str
    carrier: Carrier | None
    warning: str | None


def _waybill(number: str, carrier: Carrier | None) -> WaybillResult:
    number = (number or "")
    if not number.strip():
        return WaybillResult("", carrier, None)
    check = waybills.waybill_check(number, carrier.code if carrier is not None else None)
    if check.error:
        raise field_error("waybill_number", check.error, Code.WAYBILL_INVALID)
    if carrier is None and check.guesses:
        known = {c.code: c for c in Carrier.objects.filter(code__in=check.guesses, active=True)}
        carrier = next((known[code] for code in check.guesses if code in known), None)
    return WaybillResult(check.normalized, carrier, check.warning)


def _waybill_unique(parcel: Parcel) -> None:
    if not parcel.waybill_number:
        return
    others = Parcel.objects.select_related("shipment").filter(waybill_number=parcel.waybill_number)
    others = others.filter(carrier_id=parcel.carrier_id) if parcel.carrier_id else others.filter(carrier__isnull=True)
    other = others.exclude(pk=parcel.pk).first()
    if other is not None:
        raise field_error("waybill_number", _("Waybill number %(number)s is already on parcel %(seq)d of %(shipment)s.")
                          % {"number": parcel.waybill_number, "seq": other.seq, "shipment": other.shipment.number},
                          Code.WAYBILL_TAKEN)


def _parcel_fill(parcel: Parcel, *, weight_kg, length_cm, width_cm, height_cm, waybill_number: str,
                 carrier: Carrier | None, description: str, shipment: Shipment) -> Parcel:
    parcel.weight_kg = _decimal(weight_kg, field="weight_kg", places=Decimal("0.001"), maximum=MAX_WEIGHT)
    parcel.length_cm = _decimal(length_cm, field="length_cm", places=Decimal("0.1"), maximum=MAX_DIM, required=False)
    parcel.width_cm = _decimal(width_cm, field="width_cm", places=Decimal("0.1"), maximum=MAX_DIM, required=False)
    parcel.height_cm = _decimal(height_cm, field="height_cm", places=Decimal("0.1"), maximum=MAX_DIM, required=False)
    result = _waybill(waybill_number, carrier or shipment.carrier)
    parcel.waybill_number = result.number
    parcel.carrier = result.carrier
    parcel.description = (description or "").strip()[:200]
    parcel.waybill_warning = result.warning
    _waybill_unique(parcel)
    parcel.full_clean(exclude=["shipment"])
    parcel.save()
    return parcel


@transaction.atomic
def parcel_add(*, shipment: Shipment, weight_kg, length_cm=None, width_cm=None, height_cm=None,
               waybill_number: str = "", carrier: Carrier | None = None, description: str = "", user) -> Parcel:
    """A parcel of a draft (its number the next ``seq``). The waybill number is checked with
    waybills.waybill_check (refused: not a waybill number; kept with ``parcel.waybill_warning``: does not fit
    the carrier's patterns); the carrier is the given one, else the shipment's, else the one guessed from
    the number. A carrier's waybill number is on one parcel only (WAYBILL_TAKEN names the parcel)."""
    shipment = _locked(shipment)
    if shipment.status != Status.DRAFT:
        raise _status_error(shipment, _("changed"))
    seq = (shipment.parcels.order_by("-seq").values_list("seq", flat=True).first() or 0) + 1
    parcel = Parcel(shipment=shipment, seq=seq)
    parcel = _parcel_fill(parcel, weight_kg=weight_kg, length_cm=length_cm, width_cm=width_cm, height_cm=height_cm,
                          waybill_number=waybill_number, carrier=carrier, description=description,
                          shipment=shipment)
    audit_record(obj=shipment, action="update", user=_user(user),
                 message=_("Parcel %(seq)d added") % {"seq": parcel.seq})
    return parcel


@transaction.atomic
def parcel_update(*, parcel: Parcel, weight_kg, length_cm=None, width_cm=None, height_cm=None,
                  waybill_number: str = "", carrier: Carrier | None = None, description: str = "", user) -> Parcel:
    shipment = _locked(parcel.shipment)
    if shipment.status != Status.DRAFT:
        raise _status_error(shipment, _("changed"))
    parcel = Parcel.objects.select_for_update().get(pk=parcel.pk, shipment=shipment)
    parcel = _parcel_fill(parcel, weight_kg=weight_kg, length_cm=length_cm, width_cm=width_cm, height_cm=height_cm,
                          waybill_number=waybill_number, carrier=carrier, description=description,
                          shipment=shipment)
    audit_record(obj=shipment, action="update", user=_user(user),
                 message=_("Parcel %(seq)d changed") % {"seq": parcel.seq})
    return parcel


@transaction.atomic
def parcel_remove(*, parcel: Parcel, user) -> None:
    shipment = _locked(parcel.shipment)
    if shipment.status != Status.DRAFT:
        raise _status_error(shipment, _("changed"))
    seq = parcel.seq
    Parcel.objects.filter(pk=parcel.pk, shipment=shipment).delete()
    audit_record(obj=shipment, action="update", user=_user(user), message=_("Parcel %(seq)d removed") % {"seq": seq})


# ---- proofs of delivery -------------------------------------------------------------------------

_IMAGE_SIGNATURES = [(b"\xff\xd8\xff", "image/jpeg", "JPEG"), (b"\x89PNG\r\n\x1a\n", "image/png", "PNG"),
                     (b"GIF87a", "image/gif", "GIF"), (b"GIF89a", "image/gif", "GIF")]
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, IndexError, struct.error, zlib.error)


def _file_error(message: str, code: Code) -> ValidationError:
    return field_error("file", message, code)


def _safe_name(name: str) -> str:
    name = unicodedata.normalize("NFC", os.path.basename(str(name or ""))).strip()
    name = "".join(c for c in name if c not in '\\/:*?"<>|' and ord(c) >= 32 and not 0x7f <= ord(c) <= 0x9f)
    return name[:200] or "proof"


def proof_file_check(file) -> str:
    """The content type of an acceptable proof: a JPEG/PNG/GIF/WebP image that decodes wholly within the
    pixel budget, or a PDF; at most 10 MB. A ValidationError on ``file`` otherwise."""
    if file is None:
        raise _file_error(_("Choose a photo or a PDF."), Code.FILE_REQUIRED)
    if file.size > PROOF_MAX_BYTES:
        raise _file_error(_("The file is %(size).1f MB; the limit is %(limit).0f MB.")
                          % {"size": file.size / 1048576, "limit": PROOF_MAX_BYTES / 1048576}, Code.FILE_TOO_LARGE)
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    kind = next(((ct, fmt) for sig, ct, fmt in _IMAGE_SIGNATURES if head.startswith(sig)), None)
    if kind is None and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        kind = ("image/webp", "WEBP")
    if kind is None:
        raise _file_error(_("Only photos (JPEG, PNG, GIF, WebP) and PDF files are accepted."), Code.FILE_TYPE)
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(file) as img:
            if img.format != kind[1]:
                raise UnidentifiedImageError
            width, height = img.size
            if width * height > PROOF_MAX_PIXELS:
                raise _file_error(_("The image is too large (%(w)d × %(h)d pixels).") % {"w": width, "h": height},
                                  Code.FILE_TOO_LARGE)
            img.verify()
    except (UnidentifiedImageError, Image.DecompressionBombError, *_DECODE_ERRORS):
        raise _file_error(_("The file is not a readable image."), Code.FILE_TYPE) from None
    finally:
        file.seek(0)
    try:  # verify() reads only the structure: a truncated JPEG or a corrupt PNG passes it
        with Image.open(file) as img:
            img.load()
    except (Image.DecompressionBombError, *_DECODE_ERRORS):
        raise _file_error(_("The image cannot be decoded: the file is damaged or incomplete. Take the photo again."),
                          Code.FILE_DAMAGED) from None
    finally:
        file.seek(0)
    return kind[0]


@transaction.atomic
def proof_upload(*, shipment: Shipment, parcel: Parcel | None = None, kind: str, file, user,
                 note: str = "") -> ProofOfDelivery:
    """A photo or a signed receipt (签回单) of a booked (or later) shipment, optionally of one parcel."""
    shipment = _locked(shipment)
    if shipment.status in (Status.DRAFT, Status.CANCELLED):
        raise _status_error(shipment, _("given a proof of delivery"))
    if parcel is not None and parcel.shipment_id != shipment.pk:
        raise field_error("parcel", _("The parcel is not one of this shipment's."), Code.NOT_FOUND)
    if kind not in ProofOfDelivery.Kind.values:
        raise field_error("kind", _("Choose the kind of proof."), Code.INVALID_VALUE)
    content_type = proof_file_check(file)
    name = _safe_name(getattr(file, "name", ""))
    proof = ProofOfDelivery(shipment=shipment, parcel=parcel, kind=kind, original_name=name,
                            content_type=content_type, size=file.size, note=(note or "").strip()[:300],
                            uploaded_by=_user(user))
    proof.file.save(name, file, save=False)
    proof.full_clean()
    proof.save()
    audit_record(obj=shipment, action="update", user=_user(user),
                 message=_("Proof of delivery %(name)s uploaded") % {"name": name})
    return proof
