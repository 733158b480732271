"""Number formatting for the sales pages (erp_modules.sales.formatting): money with 2 decimals and
grouping, quantities without trailing zeros; a value that is not a number shows as nothing."""

from decimal import InvalidOperation

from django import template

from erp_modules.sales import formatting

register = template.Library()


@register.filter
def money(value) -> str:
    """1234.5 → "1,234.50"."""
    try:
        return formatting.money(value)
    except (InvalidOperation, TypeError, ValueError):
        return ""


@register.filter
def qty(value) -> str:
    """3.0000 → "3", 2.5000 → "2.5", 1234 → "1,234"."""
    try:
        return formatting.qty(value, grouping=True)
    except (InvalidOperation, TypeError, ValueError):
        return ""


@register.filter
def price(value) -> str:
    """Unit prices: 2 decimals, more only when the price has them (0.0125 stays 0.0125)."""
    try:
        return formatting.price(value)
    except (InvalidOperation, TypeError, ValueError):
        return ""


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
