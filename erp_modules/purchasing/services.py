"""Writes of purchasing: purchase orders, goods receipts and supplier invoices.

Rules (the ones a clerk meets):
- Suppliers are active partners with `is_supplier`. Kits are never purchased (buy their components);
  services are purchased and "received" (the receipt confirms the work) without a stock move.
- Orders are changed only as drafts; a manager approves them (the view checks the role).
- Receipts may be partial. A line may receive more than ordered only within the enterprise's
  `over_receipt_tolerance_pct` (0 by default: never more than ordered).
- A supplier invoice may bill, per PO line and over all its invoices, at most the quantity received
  so far: goods are paid for once they are in. Over-deliveries accepted within the receipt tolerance
  are therefore billable; nothing is billable before it is received. The invoice price may differ
  from the order price (it defaults to it); the 3-way match shows the difference.
- Cancel only while nothing has been received; close (short) an order that received part or all.
Every write is all-or-nothing, re-reads the order under a row lock, and leaves an audit entry.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from erp_modules.catalog.models import Item
from erp_modules.common.services import audit_record, document_number_next, erp_settings_get, model_changes
from erp_modules.inventory.models import Location, MoveType, SerialNumber
from erp_modules.inventory.selectors import location_default, location_for_item
from erp_modules.inventory.services import MoveLine, lot_get_or_create, stock_moves_post
from erp_modules.partners.models import Partner
from erp_modules.partners.selectors import price_for
from erp_modules.purchasing.error_codes import PurchasingErrorCode as Code
from erp_modules.purchasing.models import (ZERO, PurchaseOrder, PurchaseOrderLine, Receipt, ReceiptLine,
                                           SupplierInvoice, SupplierInvoiceLine, line_amounts, money_round)

HUNDRED = Decimal("100")
HEADER_FIELDS = ["supplier", "order_date", "expected_date", "location", "currency", "note"]
RECEIPT_REFERENCE_TYPE = "purchase_receipt"


# ---- helpers -----------------------------------------------------------------------------------


class _Errors:
    """Collects every problem of an input so that the clerk sees them all at once."""

    def __init__(self) -> None:
        self.errors: dict[str, list[ValidationError]] = {}

    def add(self, key: str | None, message: str, code: Code) -> None:
        self.errors.setdefault(key or NON_FIELD_ERRORS, []).append(ValidationError(message, code=str(code)))

    def has(self, key: str) -> bool:
        return key in self.errors

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def _error(message: str, code: Code, field: str | None = None) -> ValidationError:
    error = ValidationError(message, code=str(code))
    return ValidationError({field: error}) if field else error


def _decimal(value) -> Decimal | None:
    """A finite Decimal from user input, else None ('' and None are None too)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        result = value if isinstance(value, Decimal) else Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        return None
    return result if result.is_finite() else None


def _places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def fmt_qty(value: Decimal) -> str:
    value = Decimal(value)
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value:f}".rstrip("0")


def _where(line_no: int, item: Item | None) -> str:
    if item is None:
        return _("Line %(n)d") % {"n": line_no}
    return _("Line %(n)d (%(item)s)") % {"n": line_no, "item": item.code}


def _user(user):
    return user if getattr(user, "is_authenticated", False) else None


def _lock(order: PurchaseOrder) -> PurchaseOrder:
    return PurchaseOrder.objects.select_for_update(of=("self",)).select_related("supplier", "location").get(
        pk=order.pk)


def _wrong_status(order: PurchaseOrder, action: str) -> ValidationError:
    return _error(_("%(number)s is %(status)s; it cannot be %(action)s.")
                  % {"number": order.number, "status": order.get_status_display(), "action": action},
                  Code.WRONG_STATUS)


def _line_ref(data: dict) -> int | None:
    ref = data.get("line")
    if isinstance(ref, PurchaseOrderLine):
        return ref.pk
    try:
        return int(ref)
    except (TypeError, ValueError):
        return None


# ---- orders ------------------------------------------------------------------------------------


def _clean_header(order: PurchaseOrder, errors: _Errors, first_stocked: Item | None) -> None:
    supplier: Partner | None = order.supplier if order.supplier_id else None
    if supplier is None:
        errors.add("supplier", _("Choose a supplier."), Code.NOT_SUPPLIER)
    elif not (supplier.is_supplier and supplier.active):
        errors.add("supplier", _("%(partner)s is not an active supplier.") % {"partner": supplier}, Code.NOT_SUPPLIER)
    if order.expected_date and order.order_date and order.expected_date < order.order_date:
        errors.add("expected_date", _("The expected date cannot be before the order date."), Code.DATE)
    if not order.location_id:
        location = location_for_item(item=first_stocked) if first_stocked is not None else None
        location = location or location_default()
        if location is None:
            errors.add("location", _("Create a warehouse to receive into first."), Code.NO_LOCATION)
        else:
            order.location = location
    elif not order.location.active:
        errors.add("location", _("Location %(loc)s is inactive.") % {"loc": order.location}, Code.NO_LOCATION)
    currency = (order.currency or (supplier.currency if supplier else "") or erp_settings_get().currency).strip()
    order.currency = currency.upper()


def _prepare_lines(*, lines: list[dict], supplier: Partner | None, order_date, expected_date,
                   errors: _Errors) -> list[PurchaseOrderLine]:
    """Validate the lines (every problem, named by line and item) and fill in the defaults:
    price from the supplier's / default purchase price list, else the item's standard cost;
    VAT rate from the ERP settings; expected date from the order."""
    settings = erp_settings_get()
    prepared: list[PurchaseOrderLine] = []
    if not lines:
        errors.add("lines", _("Add at least one line."), Code.NO_LINES)
    for n, data in enumerate(lines, start=1):
        key = f"line_{n}"
        item: Item | None = data.get("item")
        if item is None:
            errors.add(key, _("%(where)s: choose an item.") % {"where": _where(n, None)}, Code.ITEM_REQUIRED)
            continue
        where = _where(n, item)
        if item.item_type == Item.Type.KIT:
            errors.add(key, _("%(where)s: kits are not purchased; order their components instead.") % {"where": where},
                       Code.KIT_NOT_PURCHASABLE)
        elif not item.active:
            errors.add(key, _("%(where)s: the item is inactive.") % {"where": where}, Code.ITEM_INACTIVE)
        quantity = _decimal(data.get("quantity"))
        if quantity is None or quantity <= 0:
            errors.add(key, _("%(where)s: the quantity must be more than zero.") % {"where": where}, Code.QUANTITY)
        elif _places(quantity) > item.uom.decimals:
            errors.add(key, _("%(where)s: quantities in %(unit)s have at most %(d)d decimals.")
                       % {"where": where, "unit": item.uom, "d": item.uom.decimals}, Code.QUANTITY)
        raw_price = data.get("unit_price")
        if raw_price is None or raw_price == "":
            price = price_for(item=item, kind="purchase", partner=supplier,
                              quantity=quantity if quantity and quantity > 0 else Decimal("1"), on=order_date)
            price = item.standard_cost if price is None else price
        else:
            price = _decimal(raw_price)
        if price is None or price < 0 or _places(price) > 4:
            errors.add(key, _("%(where)s: give a unit price of zero or more (at most 4 decimals).")
                       % {"where": where}, Code.PRICE)
        raw_vat = data.get("vat_rate")
        vat_rate = settings.vat_rate if raw_vat is None or raw_vat == "" else _decimal(raw_vat)
        if vat_rate is None or not (ZERO <= vat_rate <= HUNDRED) or _places(vat_rate) > 2:
            errors.add(key, _("%(where)s: the VAT rate must be between 0 and 100 %%.") % {"where": where},
                       Code.VAT_RATE)
        own_date = data.get("expected_date")
        line_expected = own_date or expected_date
        if own_date and order_date and own_date < order_date:
            errors.add(key, _("%(where)s: the expected date cannot be before the order date.") % {"where": where},
                       Code.DATE)
        if errors.has(key):
            continue
        net, vat = line_amounts(quantity, price, vat_rate)
        prepared.append(PurchaseOrderLine(
            line_no=n, item=item, description=(data.get("description") or "").strip()[:200], quantity=quantity,
            uom_id=item.uom_id, unit_price=price, vat_rate=vat_rate, net_amount=net, vat_amount=vat,
            expected_date=line_expected))
    return prepared


def _set_totals(order: PurchaseOrder, lines: list[PurchaseOrderLine]) -> None:
    order.amount_net = sum((line.net_amount for line in lines), ZERO)
    order.amount_vat = sum((line.vat_amount for line in lines), ZERO)
    order.amount_total = order.amount_net + order.amount_vat


def _save_lines(order: PurchaseOrder, lines: list[PurchaseOrderLine]) -> None:
    for line in lines:
        line.order = order
        line.full_clean(exclude=["order"], validate_unique=False)
    PurchaseOrderLine.objects.bulk_create(lines)


def _first_stocked(lines: list[dict]) -> Item | None:
    return next((d["item"] for d in lines if d.get("item") is not None and d["item"].is_stocked), None)


@transaction.atomic
def purchase_order_create(*, supplier: Partner | None, lines: list[dict], order_date=None, expected_date=None,
                          location: Location | None = None, currency: str = "", note: str = "",
                          user=None) -> PurchaseOrder:
    """A draft order. `lines`: dicts with item, quantity and optional unit_price, vat_rate,
    description, expected_date (blank price/VAT/date take the defaults)."""
    errors = _Errors()
    order = PurchaseOrder(supplier=supplier, order_date=order_date or timezone.localdate(),
                          expected_date=expected_date, location=location, currency=currency or "",
                          note=(note or "").strip(), created_by=_user(user))
    _clean_header(order, errors, _first_stocked(lines))
    prepared = _prepare_lines(lines=lines, supplier=supplier, order_date=order.order_date,
                              expected_date=expected_date, errors=errors)
    errors.raise_if_any()
    order.number = document_number_next(code="purchase_order", prefix="PO-")
    _set_totals(order, prepared)
    order.full_clean()
    order.save()
    _save_lines(order, prepared)
    audit_record(obj=order, action="create", user=user,
                 changes=model_changes(None, order, ["supplier", "order_date", "expected_date", "amount_total"]),
                 message=_("%(n)d lines") % {"n": len(prepared)})
    return order


@transaction.atomic
def purchase_order_update(*, order: PurchaseOrder, lines: list[dict] | None = None, user=None,
                          **fields) -> PurchaseOrder:
    """Change a draft: header fields (supplier, order_date, expected_date, location, currency, note)
    and, when `lines` is given, replace all lines (same dicts as purchase_order_create)."""
    unknown = set(fields) - set(HEADER_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown order fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    before = _lock(order)
    if before.status != PurchaseOrder.Status.DRAFT:
        raise _wrong_status(before, _("changed (only drafts can)"))
    order = _lock(order)
    for name, value in fields.items():
        setattr(order, name, value.strip() if isinstance(value, str) else value)
    errors = _Errors()
    _clean_header(order, errors, _first_stocked(lines or []))
    prepared = None
    if lines is not None:
        prepared = _prepare_lines(lines=lines, supplier=order.supplier if order.supplier_id else None,
                                  order_date=order.order_date, expected_date=order.expected_date, errors=errors)
    errors.raise_if_any()
    if prepared is not None:
        order.lines.all().delete()
        _save_lines(order, prepared)
        _set_totals(order, prepared)
    order.full_clean()
    order.save()
    changes = model_changes(before, order, HEADER_FIELDS + ["amount_total"])
    if "amount_total" in changes:
        changes["amount_total"] = [money_round(v) for v in changes["amount_total"]]
        if changes["amount_total"][0] == changes["amount_total"][1]:
            del changes["amount_total"]
    if changes or prepared is not None:
        audit_record(obj=order, action="update", user=user, changes=changes,
                     message=_("lines replaced (%(n)d)") % {"n": len(prepared)} if prepared is not None else "")
    return order


def _set_status(order: PurchaseOrder, status: str, *, user, message: str = "", action: str = "status") -> None:
    old = order.status
    order.status = status
    order.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    audit_record(obj=order, action=action, user=user, changes={"status": [old, status]}, message=message)


@transaction.atomic
def purchase_order_approve(*, order: PurchaseOrder, user=None) -> PurchaseOrder:
    """Draft → approved: the order may now be sent, received and invoiced (manager role, checked by the view)."""
    order = _lock(order)
    if order.status != PurchaseOrder.Status.DRAFT:
        raise _wrong_status(order, _("approved"))
    if not order.lines.exists():
        raise _error(_("An order without lines cannot be approved."), Code.NO_LINES)
    if not (order.supplier.is_supplier and order.supplier.active):
        raise _error(_("%(partner)s is not an active supplier.") % {"partner": order.supplier}, Code.NOT_SUPPLIER,
                     "supplier")
    order.approved_by = _user(user)
    order.approved_at = timezone.now()
    _set_status(order, PurchaseOrder.Status.APPROVED, user=user)
    return order


@transaction.atomic
def purchase_order_close(*, order: PurchaseOrder, user=None, note: str = "") -> PurchaseOrder:
    """Partially received / received → closed: nothing more will come (what is open is dropped)."""
    order = _lock(order)
    if not order.can_close:
        if order.status == PurchaseOrder.Status.APPROVED:
            raise _error(_("%(number)s has received nothing yet; cancel it instead of closing it.")
                         % {"number": order.number}, Code.WRONG_STATUS)
        raise _wrong_status(order, _("closed"))
    _set_status(order, PurchaseOrder.Status.CLOSED, user=user, message=(note or "").strip())
    return order


@transaction.atomic
def purchase_order_cancel(*, order: PurchaseOrder, user=None, note: str = "") -> PurchaseOrder:
    """Draft / approved → cancelled, only while nothing has been received."""
    order = _lock(order)
    if order.receipts.exists():
        raise _error(_("%(number)s has goods receipts; close it instead of cancelling it.")
                     % {"number": order.number}, Code.HAS_RECEIPTS)
    if not order.can_cancel:
        raise _wrong_status(order, _("cancelled"))
    _set_status(order, PurchaseOrder.Status.CANCELLED, user=user, message=(note or "").strip())
    return order


# ---- receipts ----------------------------------------------------------------------------------


def _split_serials(text: str) -> list[str]:
    return [s for s in (text or "").replace(",", " ").replace("，", " ").replace(";", " ").split() if s]


@transaction.atomic
def purchase_order_receive(*, order: PurchaseOrder, lines: list[dict], user=None, location: Location | None = None,
                           note: str = "", posted_at=None) -> Receipt:
    """Post a goods receipt. `lines`: dicts with line (a PurchaseOrderLine or its id), quantity
    (0/blank lines are skipped) and lot (the lot code of a lot-tracked item; for serial-tracked
    items the serial numbers, separated by spaces or commas). A line may appear twice (two lots).
    Stocked items go into the ledger at the order price (excl. VAT) as RECEIPT moves with
    reference = the receipt number; services are marked received without a stock move."""
    order = _lock(order)
    if not order.can_receive:
        raise _wrong_status(order, _("received"))
    location = location or order.location
    po_lines = {line.pk: line for line in
                order.lines.select_for_update().select_related("item", "item__uom").order_by("line_no")}
    tolerance = erp_settings_get().over_receipt_tolerance_pct
    errors = _Errors()
    todo: list[tuple[PurchaseOrderLine, Decimal, str, list[str]]] = []
    totals: dict[int, Decimal] = {}
    seen_serials: set[tuple[int, str]] = set()
    for data in lines:
        line = po_lines.get(_line_ref(data))
        if line is None:
            errors.add(None, _("A line is not on order %(number)s.") % {"number": order.number}, Code.UNKNOWN_LINE)
            continue
        item = line.item
        key, where = f"line_{line.line_no}", _where(line.line_no, item)
        quantity = _decimal(data.get("quantity"))
        raw = data.get("quantity")
        if quantity is None and (raw is None or str(raw).strip() == ""):
            continue
        if quantity is None or quantity < 0:
            errors.add(key, _("%(where)s: give a quantity of zero or more.") % {"where": where}, Code.QUANTITY)
            continue
        if quantity == 0:
            continue
        if _places(quantity) > item.uom.decimals:
            errors.add(key, _("%(where)s: quantities in %(unit)s have at most %(d)d decimals.")
                       % {"where": where, "unit": item.uom, "d": item.uom.decimals}, Code.QUANTITY)
            continue
        lot_code, serials = "", []
        if item.is_stocked and item.tracking == Item.Tracking.LOT:
            lot_code = (data.get("lot") or "").strip()
            if not lot_code:
                errors.add(key, _("%(where)s: this item is tracked by lot; give the lot number.") % {"where": where},
                           Code.LOT_REQUIRED)
        elif item.is_stocked and item.tracking == Item.Tracking.SERIAL:
            serials = _split_serials(data.get("serials") or data.get("lot") or "")
            if quantity != quantity.to_integral() or len(serials) != quantity or len(set(serials)) != len(serials):
                errors.add(key, _("%(where)s: this item is tracked by serial number; give %(q)s different serial "
                                  "numbers (%(n)d given).") % {"where": where, "q": fmt_qty(quantity),
                                                               "n": len(serials)}, Code.SERIAL_COUNT)
            else:
                known = set(SerialNumber.objects.filter(item=item, serial__in=serials).values_list("serial", flat=True))
                taken = sorted(known | {s for s in serials if (item.pk, s) in seen_serials})
                if taken:
                    errors.add(key, _("%(where)s: serial numbers already known: %(s)s.")
                               % {"where": where, "s": ", ".join(taken)}, Code.SERIAL_TAKEN)
                seen_serials.update((item.pk, s) for s in serials)
        totals[line.pk] = totals.get(line.pk, ZERO) + quantity
        todo.append((line, quantity, lot_code, serials))
    for line_id, quantity in totals.items():
        line = po_lines[line_id]
        allowed = line.quantity * (1 + tolerance / HUNDRED)
        if line.received_quantity + quantity > allowed:
            errors.add(f"line_{line.line_no}", _(
                "%(where)s: receiving %(q)s %(uom)s would bring the received quantity to %(total)s of %(ordered)s "
                "ordered; at most %(max)s may be received (over-receipt tolerance %(tol)s %%).") % {
                "where": _where(line.line_no, line.item), "q": fmt_qty(quantity), "uom": line.item.uom,
                "total": fmt_qty(line.received_quantity + quantity), "ordered": fmt_qty(line.quantity),
                "max": fmt_qty(allowed), "tol": fmt_qty(tolerance)}, Code.OVER_RECEIPT)
    if not todo and not errors.errors:
        errors.add(None, _("Enter a quantity to receive on at least one line."), Code.NOTHING_TO_RECEIVE)
    if todo and not location.active:
        errors.add("location", _("Location %(loc)s is inactive.") % {"loc": location}, Code.NO_LOCATION)
    errors.raise_if_any()

    posted_at = posted_at or timezone.now()
    receipt = Receipt(number=document_number_next(code="purchase_receipt", prefix="GR-"), order=order,
                      location=location, posted_at=posted_at, user=_user(user), note=(note or "").strip()[:300])
    receipt.full_clean()
    receipt.save()
    move_lines: list[MoveLine] = []
    for line, quantity, lot_code, serials in todo:
        item = line.item
        lot = lot_get_or_create(item=item, code=lot_code) if lot_code else None
        receipt_line = ReceiptLine.objects.create(receipt=receipt, order_line=line, item=item, quantity=quantity,
                                                  unit_cost=line.unit_price, lot=lot, serial_numbers=" ".join(serials),
                                                  stocked=item.is_stocked)
        if item.is_stocked and serials:
            for serial in serials:
                unit = SerialNumber.objects.create(item=item, serial=serial)
                move_lines.append(MoveLine(item, location, Decimal("1"), serial=unit, unit_cost=line.unit_price,
                                           reference_line_id=receipt_line.pk))
        elif item.is_stocked:
            move_lines.append(MoveLine(item, location, quantity, lot=lot, unit_cost=line.unit_price,
                                       reference_line_id=receipt_line.pk))
        line.received_quantity += quantity
    if move_lines:
        stock_moves_post(move_type=MoveType.RECEIPT, lines=move_lines, reference=receipt.number,
                         reference_type=RECEIPT_REFERENCE_TYPE, reference_id=receipt.pk, user=user,
                         posted_at=posted_at, note=order.number)
    PurchaseOrderLine.objects.bulk_update([po_lines[i] for i in totals], ["received_quantity"])
    complete = all(line.received_quantity >= line.quantity for line in po_lines.values())
    status = PurchaseOrder.Status.RECEIVED if complete else PurchaseOrder.Status.PARTIALLY_RECEIVED
    message = _("%(receipt)s: %(n)d lines received") % {"receipt": receipt.number, "n": len(todo)}
    if status != order.status:
        _set_status(order, status, user=user, message=message, action="post")
    else:
        audit_record(obj=order, action="post", user=user, message=message)
    audit_record(obj=receipt, action="post", user=user, message=order.number)
    return receipt


# ---- supplier invoices -------------------------------------------------------------------------


@transaction.atomic
def supplier_invoice_create(*, order: PurchaseOrder, invoice_number: str, lines: list[dict], invoice_date=None,
                            note: str = "", user=None) -> SupplierInvoice:
    """Record the supplier's invoice against an approved (or later) order. `lines`: dicts with
    line (PurchaseOrderLine or id), quantity (0/blank skipped), optional unit_price and vat_rate
    (default: the order line's). Per PO line, all invoices together may bill at most the
    quantity received so far (see the module docstring)."""
    order = _lock(order)
    if not order.can_invoice:
        raise _wrong_status(order, _("invoiced"))
    errors = _Errors()
    invoice_number = (invoice_number or "").strip()
    if not invoice_number:
        errors.add("invoice_number", _("Give the supplier's invoice number."), Code.INVOICE_NUMBER_REQUIRED)
    elif SupplierInvoice.objects.filter(supplier=order.supplier, invoice_number__iexact=invoice_number).exists():
        errors.add("invoice_number", _("Invoice %(no)s of %(supplier)s is already recorded.")
                   % {"no": invoice_number, "supplier": order.supplier}, Code.INVOICE_NUMBER_TAKEN)
    invoice_date = invoice_date or timezone.localdate()
    po_lines = {line.pk: line for line in
                order.lines.select_for_update().select_related("item", "item__uom").order_by("line_no")}
    todo: list[SupplierInvoiceLine] = []
    totals: dict[int, Decimal] = {}
    for data in lines:
        line = po_lines.get(_line_ref(data))
        if line is None:
            errors.add(None, _("A line is not on order %(number)s.") % {"number": order.number}, Code.UNKNOWN_LINE)
            continue
        key, where = f"line_{line.line_no}", _where(line.line_no, line.item)
        raw = data.get("quantity")
        quantity = _decimal(raw)
        if quantity is None and (raw is None or str(raw).strip() == ""):
            continue
        if quantity is None or quantity < 0:
            errors.add(key, _("%(where)s: give a quantity of zero or more.") % {"where": where}, Code.QUANTITY)
            continue
        if quantity == 0:
            continue
        raw_price = data.get("unit_price")
        price = line.unit_price if raw_price is None or raw_price == "" else _decimal(raw_price)
        if price is None or price < 0 or _places(price) > 4:
            errors.add(key, _("%(where)s: give a unit price of zero or more (at most 4 decimals).")
                       % {"where": where}, Code.PRICE)
            continue
        raw_vat = data.get("vat_rate")
        vat_rate = line.vat_rate if raw_vat is None or raw_vat == "" else _decimal(raw_vat)
        if vat_rate is None or not (ZERO <= vat_rate <= HUNDRED) or _places(vat_rate) > 2:
            errors.add(key, _("%(where)s: the VAT rate must be between 0 and 100 %%.") % {"where": where},
                       Code.VAT_RATE)
            continue
        net, vat = line_amounts(quantity, price, vat_rate)
        totals[line.pk] = totals.get(line.pk, ZERO) + quantity
        todo.append(SupplierInvoiceLine(order_line=line, quantity=quantity, unit_price=price, vat_rate=vat_rate,
                                        net_amount=net, vat_amount=vat))
    for line_id, quantity in totals.items():
        line = po_lines[line_id]
        if line.invoiced_quantity + quantity > line.received_quantity:
            errors.add(f"line_{line.line_no}", _(
                "%(where)s: invoicing %(q)s %(uom)s would bring the invoiced quantity to %(total)s, but only "
                "%(received)s have been received (already invoiced %(invoiced)s). Post the receipt first.") % {
                "where": _where(line.line_no, line.item), "q": fmt_qty(quantity), "uom": line.item.uom,
                "total": fmt_qty(line.invoiced_quantity + quantity), "received": fmt_qty(line.received_quantity),
                "invoiced": fmt_qty(line.invoiced_quantity)}, Code.OVER_INVOICE)
    if not todo and not errors.errors:
        errors.add(None, _("Enter a quantity to invoice on at least one line."), Code.NOTHING_TO_INVOICE)
    errors.raise_if_any()

    invoice = SupplierInvoice(
        number=document_number_next(code="supplier_invoice", prefix="PINV-"), invoice_number=invoice_number,
        invoice_date=invoice_date, order=order, supplier=order.supplier, currency=order.currency,
        amount_net=sum((x.net_amount for x in todo), ZERO), amount_vat=sum((x.vat_amount for x in todo), ZERO),
        note=(note or "").strip()[:300], created_by=_user(user))
    invoice.amount_total = money_round(invoice.amount_net + invoice.amount_vat)
    invoice.full_clean()
    invoice.save()
    for invoice_line in todo:
        invoice_line.invoice = invoice
    SupplierInvoiceLine.objects.bulk_create(todo)
    for line_id, quantity in totals.items():
        po_lines[line_id].invoiced_quantity += quantity
    PurchaseOrderLine.objects.bulk_update([po_lines[i] for i in totals], ["invoiced_quantity"])
    audit_record(obj=invoice, action="create", user=user,
                 changes=model_changes(None, invoice, ["invoice_number", "invoice_date", "amount_total"]),
                 message=order.number)
    audit_record(obj=order, action="post", user=user,
                 message=_("supplier invoice %(no)s recorded (%(number)s)")
                 % {"no": invoice_number, "number": invoice.number})
    return invoice
