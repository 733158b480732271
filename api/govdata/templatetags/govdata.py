"""{% load govdata %} {% credit_badge enterprise.uscc %} or {% credit_badge_html badge %} (from credit_badges_for)."""

from django import template
from django.template.loader import render_to_string

from api.govdata.selectors import credit_badge_for

register = template.Library()


@register.simple_tag
def credit_badge(uscc: str, detail: bool = False):
    return render_to_string("govdata/_credit_badge.html", {"badge": credit_badge_for(uscc), "detail": detail})


@register.simple_tag
def credit_badge_html(badge, detail: bool = False):
    return render_to_string("govdata/_credit_badge.html", {"badge": badge, "detail": detail})
