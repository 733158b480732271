"""Small display helpers of the boards' templates."""

from __future__ import annotations

from django import template
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ecommerce.credit_source import credit_source
from tenants.industries import INDUSTRY_NAMES

register = template.Library()


def _yuan(value) -> str:
    return "¥" + number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)


@register.simple_tag
def listing_price(listing) -> str:
    """¥12.50 / 台 · ¥12.00 – ¥15.00 / 台 · 面议 (negotiable)."""
    unit = f" / {listing.unit}" if listing.unit else ""
    if listing.price_min is None:
        return _("Negotiable")
    if listing.price_min == listing.price_max:
        text = _yuan(listing.price_min) + unit
    else:
        text = f"{_yuan(listing.price_min)} – {_yuan(listing.price_max)}{unit}"
    return text + (" · " + _("negotiable") if listing.negotiable else "")


@register.filter
def english_name(obj) -> str:
    """A board's or category's English name, only when the page is in English (a zh-Hans page shows the
    Chinese name alone)."""
    language = get_language() or ""
    return getattr(obj, "name_en", "") if language.split("-")[0] == "en" else ""


@register.filter
def industry_name(code: str) -> str:
    return f"{code} {INDUSTRY_NAMES.get(code, '')}".strip() if code else ""


@register.simple_tag
def credit_badge(card):
    if getattr(card, "credit_verified", False):
        label = _("Credit verified")
        if card.credit_level:
            label += f" · {card.credit_level}"
        return format_html('<span class="badge text-bg-success credit-badge" data-credit="verified">{}</span>', label)
    return format_html('<span class="badge text-bg-secondary credit-badge" data-credit="unverified">{}</span>',
                       _("Unverified"))


@register.simple_tag
def gov_credit_badge(enterprise, badges, detail: bool = False) -> str:
    """The government credit badge (current rating, negative events in force) of an enterprise, taken
    from the badges the view loaded for the whole page (selectors.credit_badges_on_page): no query here.
    Nothing when the view passed no badges."""
    if enterprise is None or not isinstance(badges, dict):
        return ""
    return credit_source().badge_html(enterprise.uscc, badges.get(enterprise.uscc), detail)


@register.filter
def years_since(year) -> int | None:
    if not year:
        return None
    return max(0, timezone.localdate().year - int(year))


@register.filter
def percent(value) -> str:
    try:
        return f"{float(value) * 100:.0f}%"
    except (TypeError, ValueError):
        return "—"
