"""Lines of quotations, orders and invoices: their amounts (VAT per line, rounded per line) and the
line input of quotations and orders, validated before anything is written."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from core.errors import field_error
from core.parsing import to_decimal
from erp_modules.catalog.models import Item
from erp_modules.catalog.revision_source import RevisionError, revision_resolve
from erp_modules.common.services import audit_record, erp_settings_get
from erp_modules.inventory.models import Location
from erp_modules.inventory.selectors import location_for_item
from erp_modules.partners.models import Partner
from erp_modules.partners.selectors import price_for
from erp_modules.sales.error_codes import SalesErrorCode
from erp_modules.sales.formatting import CENT
from erp_modules.sales.services._common import HUNDRED, MAX_VALUE, ZERO, _line_label


# ---- amounts ---------------------------------------------------------------------------------


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
    revision: str = ""


def _revision_clean(item: Item, value, label: str) -> str:
    """The revision a line names ("" when none), as the registry knows it; refused with the line's label."""
    code = (value or "").strip().upper()
    if not code:
        return ""
    try:
        return revision_resolve(item=item, code=code).code
    except RevisionError as exc:
        raise field_error("lines", _("%(where)s: revision “%(code)s”: %(reason)s.")
                          % {"where": label, "code": code[:8], "reason": exc.messages[0]}, exc.code) from None


def _as_decimal(value, label: str, field: str) -> Decimal | None:
    if value is None or value == "":
        return None
    result = to_decimal(value, max_digits=14)
    if result is None:
        raise field_error("lines", _("%(where)s: %(field)s “%(value)s” is not a number.")
                          % {"where": label, "field": field, "value": value}, SalesErrorCode.INVALID_NUMBER)
    return result


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
        revision = _revision_clean(item, raw.get("revision"), label)
        result.append(_Line(item=item, quantity=quantity, unit_price=unit_price, discount_pct=discount,
                            vat_rate=vat_rate, description=(raw.get("description") or "").strip()[:300],
                            location=location, revision=revision))
    return result


def _write_lines(document, model, parent_field: str, cleaned: list[_Line], with_location: bool) -> list:
    rows = []
    for n, line in enumerate(cleaned, start=1):
        row = model(**{parent_field: document}, sequence=n, item=line.item, description=line.description,
                    quantity=line.quantity, unit_price=line.unit_price, discount_pct=line.discount_pct,
                    vat_rate=line.vat_rate, revision=line.revision)
        if with_location:
            row.location = line.location
        _set_amounts(row)
        row.full_clean(exclude=[parent_field])
        rows.append(row)
    return model.objects.bulk_create(rows)


def _document_update_finish(document, model, parent_field: str, cleaned: list[_Line], *, with_location: bool,
                            customer: Partner, before: dict, customer_reference: str, note: str, user) -> None:
    """The rest of the update of a quotation or an order whose customer and dates are set: its texts, its currency,
    its lines replaced by `cleaned`, validated and saved; the change of customer and total (from `before`) on
    record."""
    document.customer_reference = customer_reference.strip()
    document.note = note.strip()
    document.currency = customer.currency or document.currency
    document.lines.all().delete()
    _set_totals(document, _write_lines(document, model, parent_field, cleaned, with_location=with_location))
    document.full_clean()
    document.save()
    changes = {k: v for k, v in {"customer": [before["customer"], str(customer)],
                                 "total": [before["total"], document.amount_incl_vat]}.items() if v[0] != v[1]}
    audit_record(obj=document, action="update", user=user, changes=changes,
                 message=_("%(n)d lines") % {"n": len(cleaned)})
