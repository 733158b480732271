from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def qty(value):
    """A quantity without trailing zeros: 10.0000 → 10, 3.8250 → 3.825 (grouped)."""
    if value in (None, ""):
        return "—"
    value = Decimal(value)
    normalized = value.normalize()
    places = max(0, -normalized.as_tuple().exponent)
    return number_format(value, decimal_pos=min(places, 4), use_l10n=True, force_grouping=True)


@register.filter
def money(value, places=2):
    """Money as the platform writes it (core's `money`: symbol, thousands, 2 decimals): 1480.8 → ¥1,480.80.
    With more `places` (a unit cost) the decimals beyond 2 are kept up to that many when they are not zeros:
    money:4 gives 1.8 → ¥1.80, 0.12345 → ¥0.1235."""
    if value in (None, ""):
        return "—"
    places = int(places)
    value = Decimal(value).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    shown = min(places, max(2, -value.normalize().as_tuple().exponent))
    return "¥" + number_format(value, decimal_pos=shown, use_l10n=True, force_grouping=True)
