"""Writes of the sales flow: quotation → sales order → delivery → invoice.

Every service runs in one transaction and is all-or-nothing (but "check availability" for all
orders: one transaction per order). Actions on an order lock the
order row first (SELECT … FOR UPDATE) and re-read its status, so two clerks cannot confirm,
deliver or invoice the same order twice. Stock goes through erp_modules.inventory only:
`reservation_create` on confirmation (all or nothing, or what is available when confirmed with
a shortage, i.e. made to order) and on "check availability" (`sales_order_reserve_available`; for
every short order by priority `sales_orders_reserve_available`, which the Celery task of
`availability_check_request` runs), `stock_moves_post(move_type=DELIVERY)` on delivery, which takes
reserved stock only.

Line input (`lines=[{...}]`) for quotations and orders:
    item (catalog Item, required), quantity (required, > 0),
    unit_price (excl. VAT; None → the customer's sales price list, else the default list),
    discount_pct (0), vat_rate (None → ErpSettings.vat_rate), description (""),
    location (orders only; None → the item's default location; services have none).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from contextlib import nullcontext
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.errors import field_error, job_error_text
from core.locks import job_is_stale, schema_advisory_lock
from erp_modules.catalog.models import BomLine, Item
from erp_modules.catalog.selectors import bom_explode
from erp_modules.common.services import audit_record, document_number_next, erp_settings_get
from erp_modules.inventory.models import Location, Lot, MoveType, Reservation, SerialNumber
from erp_modules.inventory.selectors import location_for_item, stock_available
from erp_modules.inventory.services import (MoveLine, items_lock, reservation_create, reservations_release_for,
                                            stock_moves_post)
from erp_modules.partners.models import Partner
from erp_modules.partners.selectors import price_for
from erp_modules.sales.error_codes import SalesErrorCode
from erp_modules.sales.models import (DELIVERY_REFERENCE, RESERVATION_REFERENCE, AvailabilityCheck, Delivery,
                                      DeliveryLine, Invoice, InvoiceLine, Quotation, QuotationLine, SalesOrder,
                                      SalesOrderKitComponent, SalesOrderLine)
from erp_modules.sales.selectors import StockNeed, kits_reserved, order_line_needs, sales_orders_short

log = logging.getLogger(__name__)

ZERO = Decimal("0")
HUNDRED = Decimal("100")
CENT = Decimal("0.01")
QTY_PLACES = Decimal("0.0001")


def _error(message: str, code: SalesErrorCode) -> ValidationError:
    return ValidationError(message, code=str(code))


def _fmt(quantity: Decimal) -> str:
    """3.0000 → "3", 2.5000 → "2.5" (quantities in messages)."""
    quantity = Decimal(quantity)
    return f"{quantity.quantize(Decimal(1)):f}" if quantity == quantity.to_integral() else f"{quantity.normalize():f}"


def _line_label(n: int, item: Item) -> str:
    return _("Line %(n)d (%(item)s)") % {"n": n, "item": f"{item.code} {item.name}"}


# ---- money -----------------------------------------------------------------------------------


def line_amounts(*, quantity: Decimal, unit_price: Decimal, discount_pct: Decimal = ZERO,
                 vat_rate: Decimal = ZERO) -> tuple[Decimal, Decimal]:
    """(amount excl. VAT, VAT) of one line, each rounded to the cent (ROUND_HALF_UP).

    3 × 1,299.00 at 13 % → (3,897.00, 506.61)."""
    net = Decimal(quantity) * Decimal(unit_price) * (HUNDRED - Decimal(discount_pct)) / HUNDRED
    amount = net.quantize(CENT, ROUND_HALF_UP)
    vat = (amount * Decimal(vat_rate) / HUNDRED).quantize(CENT, ROUND_HALF_UP)
    return amount, vat


def _set_amounts(line) -> None:
    line.amount_excl_vat, line.vat_amount = line_amounts(quantity=line.quantity, unit_price=line.unit_price,
                                                         discount_pct=line.discount_pct, vat_rate=line.vat_rate)


def _set_totals(document, lines) -> None:
    document.amount_excl_vat = sum((line.amount_excl_vat for line in lines), ZERO)
    document.vat_amount = sum((line.vat_amount for line in lines), ZERO)
    document.amount_incl_vat = document.amount_excl_vat + document.vat_amount


# ---- line input ------------------------------------------------------------------------------


@dataclass
class _Line:
    item: Item
    quantity: Decimal
    unit_price: Decimal
    discount_pct: Decimal
    vat_rate: Decimal
    description: str
    location: Location | None


def _as_decimal(value, label: str, field: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        result = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        result = None
    if result is None or not result.is_finite():
        raise field_error("lines", _("%(where)s: %(field)s “%(value)s” is not a number.")
                          % {"where": label, "field": field, "value": value}, SalesErrorCode.INVALID_NUMBER)
    return result


MAX_VALUE = Decimal("1e12")  # QTY / MONEY fields hold 14 digits before the point; amounts must fit too


def _check_size(value: Decimal, places: int, label: str, field: str, code: SalesErrorCode) -> None:
    if abs(value) >= MAX_VALUE:
        raise field_error("lines", _("%(where)s: the %(field)s is too large.") % {"where": label, "field": field}, code)
    if value != value.quantize(Decimal(1).scaleb(-places)):
        raise field_error("lines", _("%(where)s: use at most %(places)d decimals for the %(field)s.")
                          % {"where": label, "places": places, "field": field}, code)


def _customer_check(customer: Partner | None) -> Partner:
    if customer is None:
        raise field_error("customer", _("Choose a customer."), SalesErrorCode.REQUIRED)
    if not customer.is_customer or not customer.active:
        raise field_error("customer", _("%(partner)s is not an active customer.") % {"partner": customer},
                          SalesErrorCode.NOT_CUSTOMER)
    return customer


def _lines_clean(*, lines: list[dict], customer: Partner, with_location: bool, on: date) -> list[_Line]:
    """Validate every line before anything is written; errors name the line and the item."""
    if not lines:
        raise field_error("lines", _("Add at least one line."), SalesErrorCode.EMPTY)
    default_vat = erp_settings_get().vat_rate
    result = []
    for n, raw in enumerate(lines, start=1):
        item = raw.get("item")
        if item is None:
            raise field_error("lines", _("Line %(n)d: choose an item.") % {"n": n}, SalesErrorCode.REQUIRED)
        label = _line_label(n, item)
        if not item.active:
            raise field_error("lines", _("%(where)s: the item is inactive.") % {"where": label},
                              SalesErrorCode.ITEM_INACTIVE)
        quantity = _as_decimal(raw.get("quantity"), label, _("quantity"))
        if quantity is None or quantity <= 0:
            raise field_error("lines", _("%(where)s: the quantity must be greater than zero.") % {"where": label},
                              SalesErrorCode.QUANTITY)
        _check_size(quantity, 4, label, _("quantity"), SalesErrorCode.QUANTITY)
        unit_price = _as_decimal(raw.get("unit_price"), label, _("unit price"))
        if unit_price is None:
            unit_price = price_for(item=item, kind="sales", partner=customer, quantity=quantity, on=on)
            if unit_price is None:
                raise field_error("lines", _("%(where)s: no sales price list has a price for this item; enter a "
                                             "unit price.") % {"where": label}, SalesErrorCode.PRICE_REQUIRED)
        if unit_price < 0:
            raise field_error("lines", _("%(where)s: the unit price cannot be negative.") % {"where": label},
                              SalesErrorCode.PRICE)
        _check_size(unit_price, 4, label, _("unit price"), SalesErrorCode.PRICE)
        discount = _as_decimal(raw.get("discount_pct"), label, _("discount %")) or ZERO
        if not ZERO <= discount <= HUNDRED:
            raise field_error("lines", _("%(where)s: the discount must be between 0 and 100 %%.") % {"where": label},
                              SalesErrorCode.DISCOUNT)
        _check_size(discount, 2, label, _("discount %"), SalesErrorCode.DISCOUNT)
        vat_rate = _as_decimal(raw.get("vat_rate"), label, _("VAT rate"))
        vat_rate = default_vat if vat_rate is None else vat_rate
        if not ZERO <= vat_rate <= HUNDRED:
            raise field_error("lines", _("%(where)s: the VAT rate must be between 0 and 100 %%.") % {"where": label},
                              SalesErrorCode.VAT_RATE)
        _check_size(vat_rate, 2, label, _("VAT rate"), SalesErrorCode.VAT_RATE)
        amount, vat = line_amounts(quantity=quantity, unit_price=unit_price, discount_pct=discount, vat_rate=vat_rate)
        _check_size(amount + vat, 2, label, _("amount"), SalesErrorCode.PRICE)
        location = None
        if with_location and item.item_type != Item.Type.SERVICE:
            location = raw.get("location") or location_for_item(item=item)
            if location is None:
                raise field_error("lines", _("%(where)s: there is no warehouse location to ship it from; create a "
                                             "warehouse first.") % {"where": label}, SalesErrorCode.NO_LOCATION)
        result.append(_Line(item=item, quantity=quantity, unit_price=unit_price, discount_pct=discount,
                            vat_rate=vat_rate, description=(raw.get("description") or "").strip()[:300],
                            location=location))
    return result


def _write_lines(document, model, parent_field: str, cleaned: list[_Line], with_location: bool) -> list:
    rows = []
    for n, line in enumerate(cleaned, start=1):
        row = model(**{parent_field: document}, sequence=n, item=line.item, description=line.description,
                    quantity=line.quantity, unit_price=line.unit_price, discount_pct=line.discount_pct,
                    vat_rate=line.vat_rate)
        if with_location:
            row.location = line.location
        _set_amounts(row)
        row.full_clean(exclude=[parent_field])
        rows.append(row)
    return model.objects.bulk_create(rows)


def _status_error(document, action: str) -> ValidationError:
    return _error(_("%(number)s is %(status)s; it cannot be %(action)s.")
                  % {"number": document.number, "status": document.get_status_display(), "action": action},
                  SalesErrorCode.STATUS)


# ---- quotations ------------------------------------------------------------------------------


@transaction.atomic
def quotation_create(*, customer: Partner | None, lines: list[dict], quote_date: date | None = None,
                     valid_until: date | None = None, customer_reference: str = "", note: str = "",
                     user=None) -> Quotation:
    customer = _customer_check(customer)
    quote_date = quote_date or timezone.localdate()
    if valid_until is not None and valid_until < quote_date:
        raise field_error("valid_until", _("“Valid until” cannot be before the quotation date."), SalesErrorCode.DATE)
    cleaned = _lines_clean(lines=lines, customer=customer, with_location=False, on=quote_date)
    quotation = Quotation(number=document_number_next(code="sales_quotation", prefix="QT-"), customer=customer,
                          quote_date=quote_date, valid_until=valid_until,
                          currency=customer.currency or erp_settings_get().currency,
                          customer_reference=customer_reference.strip(), note=note.strip(), created_by=_user(user))
    quotation.full_clean()
    quotation.save()
    _set_totals(quotation, _write_lines(quotation, QuotationLine, "quotation", cleaned, with_location=False))
    quotation.save(update_fields=["amount_excl_vat", "vat_amount", "amount_incl_vat"])
    audit_record(obj=quotation, action="create", user=user, message=_("%(n)d lines, total %(total)s")
                 % {"n": len(cleaned), "total": money(quotation.amount_incl_vat)})
    return quotation


@transaction.atomic
def quotation_update(*, quotation: Quotation, customer: Partner | None, lines: list[dict],
                     quote_date: date | None = None, valid_until: date | None = None, customer_reference: str = "",
                     note: str = "", user=None) -> Quotation:
    """Replace the header and the lines of a draft or sent quotation."""
    quotation = Quotation.objects.select_for_update().get(pk=quotation.pk)
    if not quotation.is_editable:
        raise _status_error(quotation, _("changed"))
    customer = _customer_check(customer)
    before = {"customer": str(quotation.customer), "total": quotation.amount_incl_vat}
    quotation.customer = customer
    quotation.quote_date = quote_date or quotation.quote_date
    quotation.valid_until = valid_until
    if valid_until is not None and valid_until < quotation.quote_date:
        raise field_error("valid_until", _("“Valid until” cannot be before the quotation date."), SalesErrorCode.DATE)
    cleaned = _lines_clean(lines=lines, customer=customer, with_location=False, on=quotation.quote_date)
    quotation.customer_reference = customer_reference.strip()
    quotation.note = note.strip()
    quotation.currency = customer.currency or quotation.currency
    quotation.lines.all().delete()
    _set_totals(quotation, _write_lines(quotation, QuotationLine, "quotation", cleaned, with_location=False))
    quotation.full_clean()
    quotation.save()
    changes = {k: v for k, v in {"customer": [before["customer"], str(customer)],
                                 "total": [before["total"], quotation.amount_incl_vat]}.items() if v[0] != v[1]}
    audit_record(obj=quotation, action="update", user=user, changes=changes,
                 message=_("%(n)d lines") % {"n": len(cleaned)})
    return quotation


def _status_change(document, new_status: str, *, user, message: str = "", fields: list[str] | None = None) -> None:
    old = document.status
    document.status = new_status
    document.save(update_fields=["status", "updated_at", *(fields or [])])
    audit_record(obj=document, action="status", user=user, changes={"status": [old, new_status]}, message=message)


@transaction.atomic
def quotation_mark_sent(*, quotation: Quotation, user=None) -> Quotation:
    quotation = Quotation.objects.select_for_update().get(pk=quotation.pk)
    if quotation.status != Quotation.Status.DRAFT:
        raise _status_error(quotation, _("sent"))
    _status_change(quotation, Quotation.Status.SENT, user=user)
    return quotation


@transaction.atomic
def quotation_cancel(*, quotation: Quotation, user=None, reason: str = "") -> Quotation:
    quotation = Quotation.objects.select_for_update().get(pk=quotation.pk)
    if not quotation.is_editable:
        raise _status_error(quotation, _("cancelled"))
    _status_change(quotation, Quotation.Status.CANCELLED, user=user, message=reason.strip())
    return quotation


@transaction.atomic
def quotation_convert(*, quotation: Quotation, user=None, delivery_date: date | None = None,
                      customer_reference: str | None = None) -> SalesOrder:
    """Turn a draft or sent quotation into a draft sales order with the same lines and prices."""
    quotation = Quotation.objects.select_for_update().get(pk=quotation.pk)
    if not quotation.is_editable:
        raise _status_error(quotation, _("turned into an order"))
    lines = [{"item": line.item, "quantity": line.quantity, "unit_price": line.unit_price,
              "discount_pct": line.discount_pct, "vat_rate": line.vat_rate, "description": line.description}
             for line in quotation.lines.select_related("item", "item__default_warehouse")]
    order = sales_order_create(
        customer=quotation.customer, lines=lines, delivery_date=delivery_date, quotation=quotation, user=user,
        customer_reference=quotation.customer_reference if customer_reference is None else customer_reference,
        note=quotation.note)
    _status_change(quotation, Quotation.Status.ORDERED, user=user, message=order.number)
    return order


# ---- sales orders ----------------------------------------------------------------------------


@transaction.atomic
def sales_order_create(*, customer: Partner | None, lines: list[dict], order_date: date | None = None,
                       delivery_date: date | None = None, customer_reference: str = "", note: str = "",
                       quotation: Quotation | None = None, user=None) -> SalesOrder:
    customer = _customer_check(customer)
    order_date = order_date or timezone.localdate()
    if delivery_date is not None and delivery_date < order_date:
        raise field_error("delivery_date", _("The delivery date cannot be before the order date."),
                          SalesErrorCode.DATE)
    cleaned = _lines_clean(lines=lines, customer=customer, with_location=True, on=order_date)
    order = SalesOrder(number=document_number_next(code="sales_order", prefix="SO-"), customer=customer,
                       quotation=quotation, order_date=order_date, delivery_date=delivery_date,
                       currency=customer.currency or erp_settings_get().currency,
                       customer_reference=customer_reference.strip(),
                       note=note.strip(), created_by=_user(user))
    order.full_clean()
    order.save()
    _set_totals(order, _write_lines(order, SalesOrderLine, "order", cleaned, with_location=True))
    order.save(update_fields=["amount_excl_vat", "vat_amount", "amount_incl_vat"])
    message = _("%(n)d lines, total %(total)s") % {"n": len(cleaned), "total": money(order.amount_incl_vat)}
    if quotation is not None:
        message = _("from %(quotation)s; %(rest)s") % {"quotation": quotation.number, "rest": message}
    audit_record(obj=order, action="create", user=user, message=message)
    return order


@transaction.atomic
def sales_order_update(*, order: SalesOrder, customer: Partner | None, lines: list[dict],
                       order_date: date | None = None, delivery_date: date | None = None,
                       customer_reference: str = "", note: str = "", user=None) -> SalesOrder:
    """Replace the header and the lines of a draft order (a confirmed order holds stock: cancel it first)."""
    order = SalesOrder.objects.select_for_update().get(pk=order.pk)
    if order.status != SalesOrder.Status.DRAFT:
        raise _status_error(order, _("changed"))
    customer = _customer_check(customer)
    before = {"customer": str(order.customer), "total": order.amount_incl_vat}
    order.customer = customer
    order.order_date = order_date or order.order_date
    order.delivery_date = delivery_date
    if delivery_date is not None and delivery_date < order.order_date:
        raise field_error("delivery_date", _("The delivery date cannot be before the order date."),
                          SalesErrorCode.DATE)
    cleaned = _lines_clean(lines=lines, customer=customer, with_location=True, on=order.order_date)
    order.customer_reference = customer_reference.strip()
    order.note = note.strip()
    order.currency = customer.currency or order.currency
    order.lines.all().delete()
    _set_totals(order, _write_lines(order, SalesOrderLine, "order", cleaned, with_location=True))
    order.full_clean()
    order.save()
    changes = {k: v for k, v in {"customer": [before["customer"], str(customer)],
                                 "total": [before["total"], order.amount_incl_vat]}.items() if v[0] != v[1]}
    audit_record(obj=order, action="update", user=user, changes=changes, message=_("%(n)d lines") % {"n": len(cleaned)})
    return order


def kit_components(*, item: Item, quantity: Decimal, on: date | None = None) -> list[tuple[Item, Decimal]]:
    """The stocked items a kit (phantom) stands for: its BOM exploded through nested kits, down to
    the first stocked item on each branch (services and by-products are left out), summed per item."""
    rows = bom_explode(item=item, quantity=quantity, on=on)
    if not rows:
        raise _error(_("Kit %(item)s has no released bill of materials; release one before selling it.")
                     % {"item": f"{item.code} {item.name}"}, SalesErrorCode.KIT_WITHOUT_BOM)
    by_path = {tuple(row.path): row for row in rows}
    totals: dict[int, list] = {}
    for row in rows:
        if row.line.line_type != BomLine.LineType.COMPONENT:
            continue
        ancestors = [by_path.get(tuple(row.path[:k])) for k in range(2, len(row.path))]
        if not all(a is not None and a.is_kit for a in ancestors):
            continue  # below a stocked item: that item is what we ship
        if row.is_kit:
            if not row.has_bom:
                raise _error(_("Kit %(item)s has no released bill of materials; release one before selling it.")
                             % {"item": f"{row.item.code} {row.item.name}"}, SalesErrorCode.KIT_WITHOUT_BOM)
            continue
        if not row.item.is_stocked:
            continue
        entry = totals.setdefault(row.item.pk, [row.item, ZERO])
        entry[1] += row.quantity
    return [(component, qty.quantize(QTY_PLACES, ROUND_HALF_UP)) for component, qty in totals.values()]


@transaction.atomic
def sales_order_confirm(*, order: SalesOrder, user=None, allow_shortage: bool = False) -> SalesOrder:
    """Reserve the stock of every line (kits: their components) in the line's location.

    By default all or nothing: a line that cannot be reserved fails the whole confirmation with
    code `insufficient_stock` and a message naming the line and the item; no reservation is left
    behind. With `allow_shortage` (make to order) every line reserves what is available now, in
    part or not at all, and the order is confirmed anyway; its history records what is short.
    `sales_order_reserve_available` tops the reservations up once the goods are in, and MRP plans
    the rest (it nets the open quantity against stock on hand). A location that allows negative
    stock reserves the whole quantity either way.

    The components of a kit line are recorded (SalesOrderKitComponent) from the BOM in force today,
    so that later top-ups and deliveries keep these proportions."""
    order = SalesOrder.objects.select_for_update().get(pk=order.pk)
    if order.status != SalesOrder.Status.DRAFT:
        raise _status_error(order, _("confirmed"))
    lines = list(order.lines.select_related("item", "item__uom", "location", "location__warehouse"))
    if not lines:
        raise _error(_("%(number)s has no lines.") % {"number": order.number}, SalesErrorCode.EMPTY)
    reserved = 0
    shortages: list[str] = []
    plan: list[tuple[SalesOrderLine, str, list[tuple[Item, Decimal]]]] = []
    for line in lines:
        if line.item.item_type == Item.Type.SERVICE:
            continue
        label = _line_label(line.sequence, line.item)
        if line.location is None:
            raise _error(_("%(where)s: choose the location to ship it from.") % {"where": label},
                         SalesErrorCode.NO_LOCATION)
        if line.item.item_type == Item.Type.KIT:
            wanted = kit_components(item=line.item, quantity=line.quantity)  # the BOM in force today
            SalesOrderKitComponent.objects.bulk_create([SalesOrderKitComponent(line=line, item=item, quantity=quantity)
                                                        for item, quantity in wanted if quantity > 0])
        else:
            wanted = [(line.item, line.quantity)]
        plan.append((line, label, wanted))
    # every item of the order locked at once, in id order: two orders with the same items in another
    # order of lines wait for each other instead of deadlocking
    items_lock(item.pk for _line, _label, wanted in plan for item, _q in wanted)
    for line, label, wanted in plan:
        for item, quantity in wanted:
            if quantity <= 0:
                continue
            if allow_shortage:
                got = _reserve_up_to(order=order, line=line, item=item, quantity=quantity)
                reserved += 1 if got > 0 else 0
                if got < quantity:
                    shortages.append(_quantity_text(line, item, quantity - got))
                continue
            try:
                reservation_create(item=item, location=line.location, quantity=quantity,
                                   reference_type=RESERVATION_REFERENCE, reference_id=order.pk,
                                   reference_line_id=line.pk, reference=order.number)
            except ValidationError as exc:
                code = _first_code(exc) or str(SalesErrorCode.INSUFFICIENT_STOCK)
                detail = " ".join(exc.messages)
                if item.pk != line.item.pk:
                    detail = _("component %(component)s: %(detail)s") % {"component": item.code, "detail": detail}
                message = _("%(where)s cannot be reserved: %(detail)s") % {"where": label, "detail": detail}
                raise ValidationError(message, code=code) from exc
            reserved += 1
    order.confirmed_at = timezone.now()
    message = ngettext("%(n)d reservation", "%(n)d reservations", reserved) % {"n": reserved}
    if shortages:
        message = ngettext("%(n)d reservation; short, to make or buy: %(short)s",
                           "%(n)d reservations; short, to make or buy: %(short)s", reserved) % {
            "n": reserved, "short": "; ".join(shortages)}
    _status_change(order, SalesOrder.Status.CONFIRMED, user=user, fields=["confirmed_at"], message=message)
    return order


def _quantity_text(line: SalesOrderLine, item: Item, quantity: Decimal) -> str:
    """"Line 2 (KIT-900 油烟机套装), component FLT-01: 4 个" (history messages)."""
    where = _line_label(line.sequence, line.item)
    if item.pk != line.item.pk:
        where = _("%(where)s, component %(component)s") % {"where": where, "component": item.code}
    return f"{where}: {_fmt(quantity)} {item.uom}"


def _reserve_up_to(*, order: SalesOrder, line: SalesOrderLine, item: Item, quantity: Decimal) -> Decimal:
    """Reserve for an order line as much of `quantity` as is available in the line's location now
    (all of it where the location allows negative stock); return what was reserved. The item row
    is locked before availability is read, so that the figure cannot change before it is used."""
    items_lock([item.pk])
    if not line.location.allow_negative:
        quantity = min(quantity, max(stock_available(item=item, location=line.location), ZERO))
    if quantity <= 0:
        return ZERO
    reservation_create(item=item, location=line.location, quantity=quantity, reference_type=RESERVATION_REFERENCE,
                       reference_id=order.pk, reference_line_id=line.pk, reference=order.number)
    return quantity


def _order_reservations(order: SalesOrder) -> dict[int, list[Reservation]]:
    """The order's reservations (any status) per order line, oldest first, locked (rows of the
    reservation table only) for the rest of the transaction."""
    result: dict[int, list[Reservation]] = {}
    for reservation in (Reservation.objects.select_for_update(of=("self",))
                        .filter(reference_type=RESERVATION_REFERENCE, reference_id=order.pk)
                        .select_related("item", "item__uom").order_by("pk")):
        result.setdefault(reservation.reference_line_id, []).append(reservation)
    return result


def _order_kit_components(order: SalesOrder) -> dict[int, list[SalesOrderKitComponent]]:
    result: dict[int, list[SalesOrderKitComponent]] = {}
    for component in SalesOrderKitComponent.objects.filter(line__order=order).select_related("item", "item__uom"):
        result.setdefault(component.line_id, []).append(component)
    return result


@dataclass
class OrderCheck:
    """What "check availability" did to one order: the reservations it added and what is still
    short (texts as in the order's history: "Line 1 (HOOD-900 油烟机 CXW-900): 3 个"), the number
    of lines that got something and that are still short; or why it failed (nothing of it kept)."""

    order_id: int
    number: str
    reserved: list[str]
    still_short: list[str]
    lines_reserved: int = 0
    lines_short: int = 0
    error: str = ""

    def as_dict(self) -> dict:
        return {"order_id": self.order_id, "number": self.number, "reserved": "; ".join(self.reserved),
                "still_short": "; ".join(self.still_short), "lines_reserved": self.lines_reserved,
                "lines_short": self.lines_short, "error": self.error}


def _order_reserve_available(*, order: SalesOrder, user=None) -> tuple[SalesOrder, OrderCheck]:
    """The body of `sales_order_reserve_available`, in the caller's transaction."""
    order = SalesOrder.objects.select_for_update().get(pk=order.pk)
    if order.status not in SalesOrder.OPEN_STATUSES:
        raise _status_error(order, _("checked for availability"))
    reservations = _order_reservations(order)
    components = _order_kit_components(order)
    wanted: list[tuple[SalesOrderLine, StockNeed]] = []
    for line in order.lines.select_related("item", "item__uom", "location", "location__warehouse"):
        if line.open_qty <= 0 or line.location is None:
            continue
        for need in order_line_needs(line=line, reservations=reservations.get(line.pk, []),
                                     kit_components=components.get(line.pk, [])):
            if need.short > 0:
                wanted.append((line, need))
    items_lock(need.item.pk for _line, need in wanted)
    added: list[str] = []
    still_short: list[str] = []
    lines_added: set[int] = set()
    lines_short: set[int] = set()
    for line, need in wanted:
        got = _reserve_up_to(order=order, line=line, item=need.item, quantity=need.short)
        if got > 0:
            added.append(_quantity_text(line, need.item, got))
            lines_added.add(line.pk)
        if got < need.short:
            still_short.append(_quantity_text(line, need.item, need.short - got))
            lines_short.add(line.pk)
    if added:
        message = _("Availability checked, reserved %(added)s") % {"added": "; ".join(added)}
        if still_short:
            message = _("%(message)s; still short: %(short)s") % {"message": message, "short": "; ".join(still_short)}
        audit_record(obj=order, action="update", user=user, message=message)
    return order, OrderCheck(order_id=order.pk, number=order.number, reserved=added, still_short=still_short,
                             lines_reserved=len(lines_added), lines_short=len(lines_short))


@transaction.atomic
def sales_order_reserve_available(*, order: SalesOrder, user=None) -> SalesOrder:
    """"Check availability": top up the reservations of an open order from the stock available
    now (after a production or purchase receipt, say), up to what each line still needs to
    deliver; kits per component, in the proportions recorded at confirmation.

    Idempotent: a fully reserved line, or stock that is not there, reserves nothing and writes
    nothing; the history records what was added and what is still short. Concurrency: the order
    row is locked first (as by every action on an order), then the items in id order, and each
    reservation goes through `reservation_create`, which checks availability under the item lock."""
    order, _check = _order_reserve_available(order=order, user=user)
    return order


@dataclass
class AvailabilityReport:
    """What `sales_orders_reserve_available` did, per order in the order it served them."""

    orders: list[OrderCheck]

    @property
    def orders_checked(self) -> int:
        return len(self.orders)

    @property
    def lines_reserved(self) -> int:
        return sum(o.lines_reserved for o in self.orders)

    @property
    def lines_short(self) -> int:
        return sum(o.lines_short for o in self.orders)

    @property
    def orders_failed(self) -> int:
        return sum(1 for o in self.orders if o.error)


def _by_priority(order_ids) -> list[tuple[int, str]]:
    """(id, number) of the orders, earliest requested delivery date first (none last), then
    order date, then number: who gets scarce stock first."""
    return list(SalesOrder.objects.filter(pk__in=set(order_ids))
                .order_by(F("delivery_date").asc(nulls_last=True), "order_date", "number", "pk")
                .values_list("pk", "number"))


def sales_orders_reserve_available(*, user=None, orders=None, progress=None) -> AvailabilityReport:
    """"Check availability" for all open orders that are short (`orders=None`), or for the given
    orders (SalesOrder objects or ids), served by priority — earliest requested delivery date
    first, then order date, then number — so that when stock is scarce the most urgent order gets
    it. Each order goes through `sales_order_reserve_available` in its own transaction (a savepoint
    inside the caller's), with its locks: an order that fails (say, cancelled meanwhile) is
    reported with the reason and leaves nothing behind, and the others keep what they reserved.

    Deliberately not one transaction: every order is committed (and its locks released) as soon
    as it is done, so clerks delivering other orders are not held up while a long run goes on.
    `progress(done, total)` is called after each order."""
    if orders is None:
        ids = sales_orders_short()
    else:
        ids = [getattr(o, "pk", o) for o in orders]
    queue = _by_priority(ids)
    missing = set(ids) - {pk for pk, _number in queue}
    results: list[OrderCheck] = []
    for pk, number in queue:
        try:
            with transaction.atomic():
                _order, check = _order_reserve_available(order=SalesOrder(pk=pk), user=user)
        except ValidationError as exc:
            check = OrderCheck(order_id=pk, number=number, reserved=[], still_short=[], error=" ".join(exc.messages))
        except SalesOrder.DoesNotExist:  # deleted since the queue was read
            check = OrderCheck(order_id=pk, number=number, reserved=[], still_short=[],
                               error=_("%(number)s no longer exists.") % {"number": number})
        except DatabaseError as exc:  # a deadlock or a lock timeout, say: this order only
            log.warning("availability check of %s failed", number, exc_info=True)
            check = OrderCheck(order_id=pk, number=number, reserved=[], still_short=[],
                               error=_("The database was busy with this order (%(kind)s); try it again.")
                               % {"kind": type(exc).__name__})  # the details are in the worker's log
        results.append(check)
        if progress is not None:
            progress(len(results), len(queue))
    for pk in sorted(missing):
        results.append(OrderCheck(order_id=pk, number="", reserved=[], still_short=[],
                                  error=_("There is no sales order %(id)s.") % {"id": pk}))
    return AvailabilityReport(orders=results)


# ---- "check availability" for all, as a background job ---------------------------------------------
#
# As MRP runs: a unique partial index (`sales_availcheck_one_active`) lets one check be queued or
# running per enterprise, and the worker holds a PostgreSQL session advisory lock (keyed by the
# schema) while it works, so that a "running" row whose lock is free belongs to a worker that died:
# the next request marks it failed instead of refusing for ever.

CHECK_LOCK_CLASS = 4_243  # first key of the advisory lock (MRP uses 4_242); second: hashtext(schema)
CHECK_QUEUED_STALE_AFTER = timedelta(minutes=30)
CHECKS_KEPT = 20
RESULTS_KEPT = 2_000  # orders reported per check (the counts cover all)


def _check_lock():
    return schema_advisory_lock(CHECK_LOCK_CLASS)


def _check_is_stale(check: AvailabilityCheck) -> bool:
    return job_is_stale(check, lock_class=CHECK_LOCK_CLASS, running=AvailabilityCheck.Status.RUNNING,
                        queued_stale_after=CHECK_QUEUED_STALE_AFTER)


@transaction.atomic
def availability_check_request(*, user=None) -> AvailabilityCheck:
    """Queue "check availability" for all open orders of the current enterprise (the Celery task
    is sent when this commits). Refused with code `check_in_progress` while another is queued or
    running."""
    active = AvailabilityCheck.objects.select_for_update().filter(status__in=AvailabilityCheck.ACTIVE_STATUSES).first()
    if active is not None:
        if not _check_is_stale(active):
            raise _error(_("An availability check is already %(status)s; wait for it to finish.")
                         % {"status": active.get_status_display()}, SalesErrorCode.CHECK_IN_PROGRESS)
        AvailabilityCheck.objects.filter(pk=active.pk).update(
            status=AvailabilityCheck.Status.FAILED, finished_at=timezone.now(),
            error=_("The background worker stopped before finishing this check."))
    check = AvailabilityCheck(created_by=_user(user))
    try:
        with transaction.atomic():
            check.save()
    except IntegrityError:  # another request won the race (sales_availcheck_one_active)
        raise _error(_("Another availability check has just started; wait for it to finish."),
                     SalesErrorCode.CHECK_IN_PROGRESS)
    from erp_modules.sales.tasks import availability_check_task

    check_id = check.pk
    transaction.on_commit(lambda: availability_check_task.delay(check_id))
    return check


def availability_check_execute(*, check_id: int) -> AvailabilityCheck | None:
    """Run a queued check (what the Celery task does): `sales_orders_reserve_available` for every
    open order that is short, publishing the progress per order. Idempotent: a check that is done
    or failed, or that another worker is running, is left alone. Runs outside a transaction: each
    order is committed as soon as it is done (see `sales_orders_reserve_available`)."""
    check = AvailabilityCheck.objects.filter(pk=check_id).first()
    if check is None or not check.is_active:
        return check
    with _check_lock() as got:
        if not got:
            return check
        rows = AvailabilityCheck.objects.filter(pk=check.pk)
        # re-read under the lock: a second delivery of the task may come after the first finished,
        # or after the row was given up as stale; then there is nothing to do
        if not rows.filter(status__in=AvailabilityCheck.ACTIVE_STATUSES).update(
                status=AvailabilityCheck.Status.RUNNING, started_at=timezone.now()):
            check.refresh_from_db()
            return check
        requester = _requester(check)
        # the history lines and the report are written once: in the language of whoever asked for them
        # (a worker's own language is the site's default, zh-Hans)
        language = getattr(requester, "language", "") or None
        try:
            with translation.override(language) if language else nullcontext():
                _availability_check_run(rows, requester)
        except Exception as exc:  # what was reserved before stays (each order was committed)
            log.exception("availability check %s failed", check.pk)
            rows.update(status=AvailabilityCheck.Status.FAILED, finished_at=timezone.now(),
                        error=job_error_text(exc))
    _checks_prune()
    check.refresh_from_db()
    return check


def _availability_check_run(rows, requester) -> None:
    order_ids = sales_orders_short()
    rows.update(orders_total=len(order_ids))
    report = sales_orders_reserve_available(
        user=requester, orders=order_ids, progress=lambda done, total: rows.update(orders_done=done,
                                                                                  orders_total=total))
    rows.update(status=AvailabilityCheck.Status.DONE, finished_at=timezone.now(),
                orders_done=report.orders_checked, orders_total=report.orders_checked,
                lines_reserved=report.lines_reserved, lines_short=report.lines_short,
                orders_failed=report.orders_failed, results=[o.as_dict() for o in report.orders[:RESULTS_KEPT]])


def _requester(check: AvailabilityCheck):
    """Who asked for the check (for the orders' history), if that user still exists."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(pk=check.created_by_id).first() if check.created_by_id else None


def _checks_prune() -> None:
    """Keep the last CHECKS_KEPT finished checks."""
    old = list(AvailabilityCheck.objects.exclude(status__in=AvailabilityCheck.ACTIVE_STATUSES)
               .order_by("-id").values_list("pk", flat=True)[CHECKS_KEPT:])
    if old:
        AvailabilityCheck.objects.filter(pk__in=old).delete()


@transaction.atomic
def sales_order_cancel(*, order: SalesOrder, user=None, reason: str = "") -> SalesOrder:
    """Cancel an order and release its reservations. An order with deliveries is closed instead:
    what was delivered stays (and can still be invoiced), the rest is no longer owed."""
    order = SalesOrder.objects.select_for_update().get(pk=order.pk)
    if order.status not in (SalesOrder.Status.DRAFT, *SalesOrder.OPEN_STATUSES):
        raise _status_error(order, _("cancelled"))
    released = reservations_release_for(reference_type=RESERVATION_REFERENCE, reference_id=order.pk)
    delivered = order.lines.filter(delivered_qty__gt=0).exists()
    new_status = SalesOrder.Status.CLOSED if delivered else SalesOrder.Status.CANCELLED
    message = ngettext("%(n)d reservation released", "%(n)d reservations released", released) % {"n": released}
    if reason.strip():
        message = f"{reason.strip()} · {message}"
    _status_change(order, new_status, user=user, message=message)
    return order


# ---- deliveries ------------------------------------------------------------------------------


def _split_serials(text: str) -> list[str]:
    return [s for s in re.split(r"[\s,;，；]+", text or "") if s]


def _action_quantity(value, label: str) -> Decimal:
    """A quantity to deliver or invoice: empty is 0; else a number ≥ 0 with at most 4 decimals."""
    if value is None or value == "":
        return ZERO
    try:
        quantity = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        quantity = None
    if quantity is None or not quantity.is_finite() or abs(quantity) >= MAX_VALUE:
        raise _error(_("%(where)s: “%(value)s” is not a number.") % {"where": label, "value": value},
                     SalesErrorCode.INVALID_NUMBER)
    if quantity < 0:
        raise _error(_("%(where)s: the quantity cannot be negative.") % {"where": label}, SalesErrorCode.QUANTITY)
    if quantity != quantity.quantize(QTY_PLACES):
        raise _error(_("%(where)s: use at most 4 decimals for the quantity.") % {"where": label},
                     SalesErrorCode.QUANTITY)
    return quantity


def _consume(item: Item, location: Location, quantity: Decimal, reservations: list[Reservation],
             reference_line_id: int, lot: Lot | None = None, serial: SerialNumber | None = None) -> list[MoveLine]:
    """Outgoing move lines for `quantity`, each consuming the reservations of the item in turn."""
    result = []
    remaining = quantity
    for reservation in reservations:
        if reservation.item_id != item.pk or remaining <= 0:
            continue
        take = min(remaining, reservation.open_quantity)
        if take <= 0:
            continue
        result.append(MoveLine(item, location, -take, lot=lot, serial=serial, reference_line_id=reference_line_id,
                               reservation=reservation))
        reservation.consumed += take  # local view only: stock_moves_post writes the real figure
        remaining -= take
    if remaining > 0:
        result.append(MoveLine(item, location, -remaining, lot=lot, serial=serial, reference_line_id=reference_line_id))
    return result


@transaction.atomic
def delivery_create(*, order: SalesOrder, lines: list[dict] | None = None, delivery_date: date | None = None,
                    ship_to: str | None = None, note: str = "", user=None) -> Delivery:
    """Deliver (part of) a confirmed order and post the stock out of the lines' locations.

    lines: [{"order_line": SalesOrderLine or its id, "quantity": Decimal, "lot": Lot | lot code | "",
    "serials": "SN1, SN2"}]; None delivers every open quantity that is reserved (services: every
    open quantity). Stocked items leave only out of the order's reservations: a line asked for
    more than is reserved for it is refused with code `not_reserved`, naming the line and its
    reserved quantity (an order confirmed with a shortage delivers the rest after "check
    availability"). Lot-tracked items need a lot, serial-tracked items one serial number per
    unit. Ledger rows have type DELIVERY and consume the reservations; what is not delivered stays
    open (the backorder), unless the enterprise does not allow partial deliveries."""
    order = SalesOrder.objects.select_for_update().get(pk=order.pk)
    if order.status not in SalesOrder.OPEN_STATUSES:
        raise _status_error(order, _("delivered"))
    order_lines = {line.pk: line for line in order.lines.select_related("item", "item__uom", "location",
                                                                        "location__warehouse")}
    reservations = _order_reservations(order)
    components = _order_kit_components(order)
    needs = {pk: order_line_needs(line=line, reservations=reservations.get(pk, []),
                                  kit_components=components.get(pk, [])) for pk, line in order_lines.items()}
    nothing_reserved = False
    if lines is None:
        lines = [{"order_line": line, "quantity": _deliverable(line, needs[line.pk])}
                 for line in order_lines.values() if line.open_qty > 0 and _deliverable(line, needs[line.pk]) > 0]
        nothing_reserved = not lines and any(line.open_qty > 0 for line in order_lines.values())
    wanted: list[tuple[SalesOrderLine, Decimal, dict]] = []
    seen: set[int] = set()
    for raw in lines:
        ref = raw.get("order_line")
        line = order_lines.get(getattr(ref, "pk", ref))
        if line is None:
            raise _error(_("A delivery line does not belong to %(number)s.") % {"number": order.number},
                         SalesErrorCode.NOT_FOUND)
        label = _line_label(line.sequence, line.item)
        if line.pk in seen:
            raise _error(_("%(where)s is given twice.") % {"where": label}, SalesErrorCode.QUANTITY)
        seen.add(line.pk)
        quantity = _action_quantity(raw.get("quantity"), label)
        if quantity == 0:
            continue
        if quantity > line.open_qty:
            raise _error(_("%(where)s: %(wanted)s to deliver but only %(open)s %(uom)s still open.")
                         % {"where": label, "wanted": _fmt(quantity), "open": _fmt(line.open_qty),
                            "uom": line.item.uom}, SalesErrorCode.OVER_DELIVERY)
        _reserved_check(line, quantity, needs[line.pk], label)
        wanted.append((line, quantity, raw))
    if nothing_reserved:
        raise _error(_("Nothing of %(number)s is reserved yet; use “Check availability” once the goods are in.")
                     % {"number": order.number}, SalesErrorCode.EMPTY)
    if not wanted:
        raise _error(_("Enter a quantity to deliver on at least one line."), SalesErrorCode.EMPTY)
    if not erp_settings_get().allow_partial_delivery:
        delivering = {line.pk: quantity for line, quantity, _raw in wanted}
        for line in order_lines.values():
            if line.open_qty > 0 and delivering.get(line.pk, ZERO) != line.open_qty:
                raise _error(_("%(where)s: partial deliveries are switched off in the settings; deliver all "
                               "%(open)s %(uom)s.") % {"where": _line_label(line.sequence, line.item),
                                                       "open": _fmt(line.open_qty), "uom": line.item.uom},
                             SalesErrorCode.PARTIAL_NOT_ALLOWED)
    delivery = Delivery(number=document_number_next(code="sales_delivery", prefix="DN-"), order=order,
                        customer=order.customer, delivery_date=delivery_date or timezone.localdate(),
                        ship_to=(order.customer.address if ship_to is None else ship_to).strip()[:255],
                        note=note.strip()[:300], created_by=_user(user))
    delivery.full_clean()
    delivery.save()
    move_lines: list[MoveLine] = []
    for line, quantity, raw in wanted:
        label = _line_label(line.sequence, line.item)
        item = line.item
        delivery_line = DeliveryLine(delivery=delivery, order_line=line, item=item, quantity=quantity,
                                     location=line.location if item.item_type != Item.Type.SERVICE else None)
        serials: list[SerialNumber] = []
        if item.is_stocked and item.tracking == Item.Tracking.LOT:
            delivery_line.lot = _lot_for(item, raw.get("lot"), label)
        elif item.is_stocked and item.tracking == Item.Tracking.SERIAL:
            serials = _serials_for(item, line.location, quantity, raw.get("serials") or raw.get("lot") or "", label)
            delivery_line.serials = ", ".join(s.serial for s in serials)
        delivery_line.full_clean(exclude=["delivery", "order_line", "item", "location", "lot"])
        delivery_line.save()
        if item.item_type == Item.Type.SERVICE:
            continue
        active = [r for r in reservations.get(line.pk, []) if r.status == Reservation.Status.ACTIVE]
        if item.item_type == Item.Type.KIT:
            move_lines += _kit_move_lines(line, quantity, needs[line.pk], active, delivery_line, label)
        elif serials:
            for serial in serials:
                move_lines += _consume(item, line.location, Decimal("1"), active, delivery_line.pk,
                                       lot=serial.lot, serial=serial)
        else:
            move_lines += _consume(item, line.location, quantity, active, delivery_line.pk, lot=delivery_line.lot)
    if move_lines:
        stock_moves_post(move_type=MoveType.DELIVERY, lines=move_lines, reference=delivery.number,
                         reference_type=DELIVERY_REFERENCE, reference_id=delivery.pk, user=user,
                         note=order.number)
    for line, quantity, _raw in wanted:
        line.delivered_qty += quantity
        line.save(update_fields=["delivered_qty"])
    all_done = all(line.delivered_qty >= line.quantity for line in order_lines.values())
    new_status = SalesOrder.Status.DELIVERED if all_done else SalesOrder.Status.PARTIALLY_DELIVERED
    audit_record(obj=delivery, action="post", user=user,
                 message=_("%(order)s: %(n)d lines") % {"order": order.number, "n": len(wanted)})
    backorder = sum((line.open_qty for line in order_lines.values()), ZERO)
    message = delivery.number if all_done else _("%(delivery)s; backorder %(qty)s") % {
        "delivery": delivery.number, "qty": _fmt(backorder)}
    if new_status != order.status:
        _status_change(order, new_status, user=user, message=message)
    else:
        audit_record(obj=order, action="update", user=user, message=message)
    return delivery


def _lot_for(item: Item, value, label: str) -> Lot:
    if isinstance(value, Lot):
        if value.item_id != item.pk:
            raise _error(_("%(where)s: lot %(lot)s belongs to another item.") % {"where": label, "lot": value},
                         SalesErrorCode.LOT_NOT_FOUND)
        return value
    code = (value or "").strip()
    if not code:
        raise _error(_("%(where)s: this item is tracked by lot; give the lot number.") % {"where": label},
                     SalesErrorCode.LOT_REQUIRED)
    lot = Lot.objects.filter(item=item, code=code).first()
    if lot is None:
        raise _error(_("%(where)s: there is no lot %(lot)s of this item.") % {"where": label, "lot": code},
                     SalesErrorCode.LOT_NOT_FOUND)
    return lot


def _serials_for(item: Item, location: Location, quantity: Decimal, text: str, label: str) -> list[SerialNumber]:
    numbers = _split_serials(text)
    if quantity != quantity.to_integral() or len(numbers) != int(quantity):
        raise _error(_("%(where)s: this item is tracked by serial number; give %(n)s serial numbers, one per unit.")
                     % {"where": label, "n": _fmt(quantity)}, SalesErrorCode.LOT_REQUIRED)
    found = {s.serial: s for s in SerialNumber.objects.select_related("lot").filter(item=item, serial__in=numbers)}
    result = []
    for number in numbers:
        serial = found.get(number)
        if serial is None or serial.location_id != location.pk:
            raise _error(_("%(where)s: serial number %(serial)s is not in stock in %(loc)s.")
                         % {"where": label, "serial": number, "loc": location}, SalesErrorCode.SERIAL_NOT_FOUND)
        result.append(serial)
    if len(set(numbers)) != len(numbers):
        raise _error(_("%(where)s: a serial number is given twice.") % {"where": label}, SalesErrorCode.LOT_REQUIRED)
    return result


def _deliverable(line: SalesOrderLine, needs: list[StockNeed]) -> Decimal:
    """What a delivery can take of a line now: its reserved open quantity (kits: complete kits;
    services and other lines with nothing to reserve: all that is open)."""
    if not needs:
        return line.open_qty
    if line.item.item_type == Item.Type.KIT:
        return kits_reserved(line=line, needs=needs)
    return min(line.open_qty, needs[0].reserved)


def _kit_takes(line: SalesOrderLine, quantity: Decimal, needs: list[StockNeed]) -> list[tuple[StockNeed, Decimal]]:
    """How much of each component `quantity` kits take, in the proportions recorded at
    confirmation. The last delivery takes whatever the components still need, so no rounding
    remainder is left."""
    final = quantity == line.open_qty
    result = []
    for need in needs:
        if final:
            take = need.open
        else:
            take = min((need.required * quantity / line.quantity).quantize(QTY_PLACES, ROUND_HALF_UP), need.open)
        result.append((need, take))
    return result


def _reserved_check(line: SalesOrderLine, quantity: Decimal, needs: list[StockNeed], label: str) -> None:
    """A stocked line delivers only what is reserved for it (kits: complete kits, and each
    component's share out of its own reservations)."""
    if not needs:
        return
    is_kit = line.item.item_type == Item.Type.KIT
    reserved = kits_reserved(line=line, needs=needs) if is_kit else needs[0].reserved
    for need, take in _kit_takes(line, quantity, needs) if is_kit else []:
        if take > need.reserved:
            raise _error(_("%(where)s: %(wanted)s to deliver but only %(reserved)s %(uom)s reserved (component "
                           "%(component)s: %(component_reserved)s of %(component_wanted)s %(component_uom)s); use "
                           "“Check availability” once more stock is in.")
                         % {"where": label, "wanted": _fmt(quantity), "uom": line.item.uom, "reserved": _fmt(reserved),
                            "component": need.item.code, "component_reserved": _fmt(need.reserved),
                            "component_wanted": _fmt(take), "component_uom": need.item.uom},
                         SalesErrorCode.NOT_RESERVED)
    if quantity > reserved:
        raise _error(_("%(where)s: %(wanted)s to deliver but only %(reserved)s %(uom)s reserved; use “Check "
                       "availability” once more stock is in.")
                     % {"where": label, "wanted": _fmt(quantity), "reserved": _fmt(reserved), "uom": line.item.uom},
                     SalesErrorCode.NOT_RESERVED)


def _kit_move_lines(line: SalesOrderLine, quantity: Decimal, needs: list[StockNeed], reservations: list[Reservation],
                    delivery_line: DeliveryLine, label: str) -> list[MoveLine]:
    """Components of `quantity` kits, out of the components' reservations (see `_kit_takes`)."""
    result = []
    for need, take in _kit_takes(line, quantity, needs):
        component = need.item
        if component.tracking != Item.Tracking.NONE:
            raise _error(_("%(where)s: component %(component)s is tracked by lot or serial number; kits with tracked "
                           "components cannot be delivered as a kit.") % {"where": label, "component": component.code},
                         SalesErrorCode.LOT_REQUIRED)
        if take > 0:
            result += _consume(component, line.location, take, reservations, delivery_line.pk)
    return result


# ---- invoices --------------------------------------------------------------------------------


@transaction.atomic
def invoice_create(*, order: SalesOrder, lines: list[dict] | None = None, invoice_date: date | None = None,
                   tax_invoice_number: str = "", note: str = "", user=None) -> Invoice:
    """Invoice delivered quantities of an order, never more than delivered and not yet invoiced.

    lines: [{"order_line": SalesOrderLine or its id, "quantity": Decimal}]; None invoices everything
    delivered and not yet invoiced. Prices, discounts and VAT rates come from the order lines."""
    order = SalesOrder.objects.select_for_update().get(pk=order.pk)
    if order.status not in SalesOrder.INVOICEABLE_STATUSES:
        raise _status_error(order, _("invoiced"))
    order_lines = {line.pk: line for line in order.lines.select_related("item", "item__uom")}
    if lines is None:
        lines = [{"order_line": line, "quantity": line.to_invoice_qty} for line in order_lines.values()
                 if line.to_invoice_qty > 0]
    wanted: list[tuple[SalesOrderLine, Decimal]] = []
    seen: set[int] = set()
    for raw in lines:
        ref = raw.get("order_line")
        line = order_lines.get(getattr(ref, "pk", ref))
        if line is None:
            raise _error(_("An invoice line does not belong to %(number)s.") % {"number": order.number},
                         SalesErrorCode.NOT_FOUND)
        label = _line_label(line.sequence, line.item)
        if line.pk in seen:
            raise _error(_("%(where)s is given twice.") % {"where": label}, SalesErrorCode.QUANTITY)
        seen.add(line.pk)
        quantity = _action_quantity(raw.get("quantity"), label)
        if quantity == 0:
            continue
        if quantity > line.to_invoice_qty:
            raise _error(_("%(where)s: %(wanted)s to invoice but only %(open)s %(uom)s delivered and not yet invoiced.")
                         % {"where": label, "wanted": _fmt(quantity), "open": _fmt(line.to_invoice_qty),
                            "uom": line.item.uom}, SalesErrorCode.OVER_INVOICE)
        wanted.append((line, quantity))
    if not wanted:
        raise _error(_("Nothing to invoice: invoice delivered quantities only."), SalesErrorCode.EMPTY)
    invoice_date = invoice_date or timezone.localdate()
    invoice = Invoice(number=document_number_next(code="sales_invoice", prefix="INV-"), order=order,
                      customer=order.customer, currency=order.currency, invoice_date=invoice_date,
                      due_date=invoice_date + timedelta(days=order.customer.payment_terms_days),
                      customer_reference=order.customer_reference, tax_invoice_number=tax_invoice_number.strip(),
                      note=note.strip(), created_by=_user(user))
    invoice.full_clean()
    invoice.save()
    rows = []
    for n, (line, quantity) in enumerate(wanted, start=1):
        row = InvoiceLine(invoice=invoice, order_line=line, sequence=n, item=line.item, description=line.description,
                          quantity=quantity, unit_price=line.unit_price, discount_pct=line.discount_pct,
                          vat_rate=line.vat_rate)
        _set_amounts(row)
        rows.append(row)
        line.invoiced_qty += quantity
        line.save(update_fields=["invoiced_qty"])
    InvoiceLine.objects.bulk_create(rows)
    _set_totals(invoice, rows)
    invoice.save(update_fields=["amount_excl_vat", "vat_amount", "amount_incl_vat"])
    audit_record(obj=invoice, action="create", user=user,
                 message=_("%(order)s: %(n)d lines, total %(total)s")
                 % {"order": order.number, "n": len(rows), "total": money(invoice.amount_incl_vat)})
    audit_record(obj=order, action="update", user=user,
                 message=_("invoiced in %(invoice)s") % {"invoice": invoice.number})
    return invoice


@transaction.atomic
def invoice_mark_paid(*, invoice: Invoice, paid_on: date | None = None, user=None) -> Invoice:
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.status != Invoice.Status.ISSUED:
        raise _status_error(invoice, _("marked as paid"))
    invoice.paid_on = paid_on or timezone.localdate()
    _status_change(invoice, Invoice.Status.PAID, user=user, fields=["paid_on"])
    return invoice


@transaction.atomic
def invoice_cancel(*, invoice: Invoice, user=None, reason: str = "") -> Invoice:
    """Cancel an unpaid invoice; its quantities can be invoiced again."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.status != Invoice.Status.ISSUED:
        raise _status_error(invoice, _("cancelled"))
    SalesOrder.objects.select_for_update().get(pk=invoice.order_id)
    for row in invoice.lines.select_related("order_line"):
        line = row.order_line
        line.invoiced_qty -= row.quantity
        line.save(update_fields=["invoiced_qty"])
    _status_change(invoice, Invoice.Status.CANCELLED, user=user, message=reason.strip())
    return invoice


# ---- helpers ---------------------------------------------------------------------------------


def money(value: Decimal) -> str:
    """1234.5 → "1,234.50" (messages and PDFs)."""
    return f"{Decimal(value).quantize(CENT, ROUND_HALF_UP):,.2f}"


def _first_code(exc: ValidationError) -> str | None:
    errors = exc.error_list if hasattr(exc, "error_list") else [e for v in exc.error_dict.values() for e in v]
    return next((str(e.code) for e in errors if e.code), None)


def _user(user):
    return user if getattr(user, "is_authenticated", False) else None
