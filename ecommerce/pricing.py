"""Quotations on one basis: what a unit costs the buyer with VAT and delivery to its plant.

Suppliers quote on different terms: ¥1.55 excluding VAT, ex works (the buyer pays the freight), is
dearer than ¥1.62 including VAT, delivered, once the 13 % VAT and the freight are added. The buyer's
comparison ranks every quotation by

    unit price × (1 + VAT rate)          when the price excludes VAT
              + freight / quantity       when ex works (the freight the supplier estimates for the order)

and says how it got there, one sentence per quotation (its figures written with the decimals the supplier
quoted in, 2 to 4; the ranking uses 4). Pure: no ORM, no I/O (the texts are translated in the active
language).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from core.templatetags.db_extras import money, qty
from ecommerce.models import Quotation

HUNDRED = Decimal("100")
PLACES = Decimal("0.0001")  # the unit prices' own precision (ecommerce.models.MONEY)


class LandedPrice(NamedTuple):
    unit_price: Decimal  # per unit, VAT included, delivered to the buyer (4 decimals)
    explanation: str  # "¥1.55 excl. VAT + 13% VAT = ¥1.75 incl. VAT, ex works + freight ¥200.00 / 1,000 件 = …"


def price_places(unit_price: Decimal) -> int:
    """The decimals a quoted unit price is written with, 2 to 4: 1.55 → 2, 0.0345 → 4, 100 → 2."""
    exponent = Decimal(unit_price).normalize().as_tuple().exponent
    return max(2, min(4, -exponent if isinstance(exponent, int) else 2))


def unit_money(value: Decimal, places: int = 2) -> str:
    """A unit price with `places` decimals (2 to 4), rounded half up: ¥1.95, ¥0.0345."""
    value = Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return "¥" + number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)


def rate_text(rate: Decimal) -> str:
    """13 → "13%", 1.5 → "1.5%"."""
    rate = Decimal(rate)
    return f"{rate.quantize(Decimal(1)) if rate == rate.to_integral_value() else rate.normalize()}%"


def quotation_landed_unit_price(*, unit_price: Decimal, quantity: Decimal, price_includes_vat: bool = True,
                                vat_rate: Decimal = Decimal("13"), delivery_terms: str = Quotation.Terms.DELIVERED,
                                freight: Decimal = Decimal("0"), unit: str = "") -> LandedPrice:
    """The unit price with VAT included and delivered, and the sentence that explains it.

    A delivered price includes the freight (its `freight` is not added); an ex-works price adds the
    freight of the whole order spread over the quoted quantity. Rounded half up to 4 decimals once, at
    the end."""
    unit_price, vat_rate, freight = Decimal(unit_price), Decimal(vat_rate), Decimal(freight or 0)
    quantity = Decimal(quantity)
    if quantity <= 0:
        raise ValueError("quantity must be positive")
    ex_works = str(delivery_terms) == Quotation.Terms.EX_WORKS
    gross = unit_price if price_includes_vat else unit_price * (1 + vat_rate / HUNDRED)
    freight_per_unit = freight / quantity if ex_works else Decimal("0")
    landed = (gross + freight_per_unit).quantize(PLACES, rounding=ROUND_HALF_UP)

    places = price_places(unit_price)
    if price_includes_vat:
        tax = _("%(price)s incl. %(rate)s VAT") % {"price": unit_money(unit_price, places),
                                                    "rate": rate_text(vat_rate)}
    else:
        tax = _("%(price)s excl. VAT + %(rate)s VAT = %(gross)s incl. VAT") % {
            "price": unit_money(unit_price, places), "rate": rate_text(vat_rate), "gross": unit_money(gross, places)}
    if ex_works:
        delivery = _("ex works + freight %(freight)s / %(qty)s %(unit)s = %(per_unit)s") % {
            "freight": money(freight), "qty": qty(quantity), "unit": unit or _("units"),
            "per_unit": unit_money(freight_per_unit, places)}
    else:
        delivery = _("delivered (freight included)")
    explanation = _("%(tax)s, %(delivery)s → %(landed)s delivered, incl. VAT") % {
        "tax": tax, "delivery": delivery, "landed": unit_money(landed, places)}
    return LandedPrice(landed, explanation)


def quotation_landed(quotation: Quotation, *, unit: str = "") -> LandedPrice:
    """quotation_landed_unit_price of a quotation's own terms."""
    return quotation_landed_unit_price(
        unit_price=quotation.unit_price, quantity=quotation.quantity, price_includes_vat=quotation.price_includes_vat,
        vat_rate=quotation.vat_rate, delivery_terms=quotation.delivery_terms, freight=quotation.freight, unit=unit)


def quotation_landed_total(quotation: Quotation) -> Decimal:
    """What the whole quotation costs the buyer with VAT and delivery: quantity × the unit price with VAT,
    plus the freight when ex works (rounded to the fen once)."""
    gross = quotation.unit_price if quotation.price_includes_vat else (
        quotation.unit_price * (1 + Decimal(quotation.vat_rate) / HUNDRED))
    freight = quotation.freight if quotation.delivery_terms == Quotation.Terms.EX_WORKS else Decimal("0")
    return (gross * quotation.quantity + freight).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def quotation_basis_text(quotation: Quotation) -> str:
    """The terms a quotation's price is on, in a few words: "excl. 13% VAT, ex works, freight ¥200.00"."""
    if quotation.price_includes_vat:
        tax = _("incl. %(rate)s VAT") % {"rate": rate_text(quotation.vat_rate)}
    else:
        tax = _("excl. %(rate)s VAT") % {"rate": rate_text(quotation.vat_rate)}
    if quotation.delivery_terms == Quotation.Terms.EX_WORKS:
        return _("%(tax)s, ex works, freight %(freight)s") % {"tax": tax, "freight": money(quotation.freight)}
    return _("%(tax)s, delivered") % {"tax": tax}
