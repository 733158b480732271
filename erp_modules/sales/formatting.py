"""How sales writes numbers as text, in one place: money with 2 decimals and grouping, unit prices
with more decimals only when they have them, quantities without trailing zeros. The pages use these
through the template filters (templatetags/sales_tags.py), the PDFs and the history messages directly."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def money(value: Decimal) -> str:
    """1234.5 → "1,234.50"."""
    return f"{Decimal(value).quantize(CENT, ROUND_HALF_UP):,.2f}"


def price(value: Decimal) -> str:
    """Unit prices: 1299 → "1,299.00"; 0.0125 stays "0.0125"."""
    value = Decimal(value)
    return f"{value:,.2f}" if value == value.quantize(CENT) else f"{value.normalize():,f}"


def qty(value: Decimal, *, grouping: bool = False) -> str:
    """3.0000 → "3", 2.5000 → "2.5"; with grouping 1234 → "1,234" (pages), without "1234" (messages, PDFs)."""
    value = Decimal(value)
    spec = ",f" if grouping else "f"
    if value == value.to_integral():
        return format(value.quantize(Decimal(1)), spec)
    return format(value.normalize(), spec)
