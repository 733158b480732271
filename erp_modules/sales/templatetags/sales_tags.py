"""Number formatting for the sales pages: money with 2 decimals and grouping, quantities without trailing zeros."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def money(value) -> str:
    """1234.5 → "1,234.50"."""
    try:
        return f"{Decimal(value).quantize(Decimal('0.01'), ROUND_HALF_UP):,.2f}"
    except (InvalidOperation, TypeError, ValueError):
        return ""


@register.filter
def qty(value) -> str:
    """3.0000 → "3", 2.5000 → "2.5", 1234 → "1,234"."""
    try:
        value = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return ""
    if value == value.to_integral():
        return f"{value.quantize(Decimal(1)):,f}"
    return f"{value.normalize():,f}"


@register.filter
def price(value) -> str:
    """Unit prices: 2 decimals, more only when the price has them (0.0125 stays 0.0125)."""
    try:
        value = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return ""
    return f"{value:,.2f}" if value == value.quantize(Decimal("0.01")) else f"{value.normalize():,f}"


@register.filter
def pct(value) -> str:
    try:
        return f"{qty(value)} %"
    except Exception:
        return ""


STATUS_CLASSES = {
    "draft": "secondary", "sent": "info", "ordered": "success", "cancelled": "dark", "confirmed": "primary",
    "partial": "warning", "delivered": "success", "closed": "dark", "done": "success", "issued": "primary",
    "paid": "success",
}


@register.inclusion_tag("sales/_status.html")
def status_badge(document):
    return {"label": document.get_status_display(), "css": STATUS_CLASSES.get(document.status, "secondary"),
            "status": document.status}
