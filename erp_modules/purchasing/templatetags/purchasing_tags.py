"""Display helpers for the purchasing pages: money with 2 decimals and its symbol, plain quantities."""

from decimal import Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()

SYMBOLS = {"CNY": "¥", "RMB": "¥", "USD": "$", "EUR": "€", "JPY": "JP¥", "HKD": "HK$", "GBP": "£"}
STATUS_CLASSES = {"draft": "secondary", "approved": "primary", "partially_received": "info", "received": "success",
                  "closed": "dark", "cancelled": "danger", "ok": "success", "short": "warning", "over": "danger"}


def format_money(value, currency: str = "CNY") -> str:
    if value is None or value == "":
        return "—"
    amount = Decimal(value).quantize(Decimal("0.01"))
    symbol = SYMBOLS.get((currency or "CNY").upper(), f"{currency} ")
    sign = "-" if amount < 0 else ""
    return f"{sign}{symbol}{number_format(abs(amount), decimal_pos=2, use_l10n=True, force_grouping=True)}"


def format_qty(value) -> str:
    if value is None or value == "":
        return "—"
    value = Decimal(value)
    text = f"{value.normalize():f}" if value == value.to_integral() else f"{value:f}".rstrip("0")
    return number_format(Decimal(text), decimal_pos=max(0, -Decimal(text).as_tuple().exponent), use_l10n=True,
                         force_grouping=True)


@register.filter
def money(value, currency: str = "CNY") -> str:
    return format_money(value, currency)


@register.filter
def qty(value) -> str:
    return format_qty(value)


@register.filter
def status_class(value) -> str:
    return STATUS_CLASSES.get(str(value), "secondary")
