"""The in-app side of exception notifications: the number of open tracking exception tasks, shown as a badge
on the logistics menu (templates/base.html) and its "Tracking exceptions" entry.

    {% load tracking_tags %}{% tracking_exception_badge "menu" %}

Renders nothing outside an enterprise's schema (the public site) or when nothing is open."""

from __future__ import annotations

from django import template
from django.db import connection
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name

from logistics.tracking import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def tracking_exception_badge(context, where: str = "menu") -> str:
    request = context.get("request")
    if connection.schema_name == get_public_schema_name() or getattr(request, "membership", None) is None:
        return ""
    cache = getattr(request, "_tracking_open_exceptions", None)
    count = cache if cache is not None else selectors.open_exception_count()
    request._tracking_open_exceptions = count  # the menu shows it twice: one query
    if not count:
        return ""
    return format_html('<span class="badge rounded-pill text-bg-danger ms-1" id="tracking-exception-badge-{}" '
                       'title="{}">{}</span>', where, _("Open tracking exceptions"), count)
