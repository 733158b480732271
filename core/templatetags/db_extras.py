import json
from decimal import Decimal

from django import template
from django.utils.formats import number_format
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def safe_json(value):
    """JSON for an HTML attribute in single quotes (apostrophes escaped)."""
    return mark_safe(json.dumps(value, ensure_ascii=False, default=str).replace("'", "&#39;"))


@register.filter
def qty(value):
    """A quantity without trailing zeros or exponent, thousands grouped: 1,200 · 8.755 · 0.5."""
    if value is None or value == "":
        return "—"
    value = Decimal(value)
    text = f"{value:f}"
    places = len(text.split(".")[1].rstrip("0")) if "." in text else 0
    return number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)


@register.filter
def money(value):
    """¥1,299.00"""
    if value is None or value == "":
        return "—"
    return "¥" + number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)
