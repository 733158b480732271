"""What every office page shares: the office's and a member's access checks, and a render that keeps
the flash messages through a table's partial reload.

Who sees what: office users (and platform administrators) see every office page, enrolled
enterprises one by one and all others only in suppressed aggregates; members of an enterprise
see that enterprise's own figures and nothing else; everyone else gets 403 (logged in) or the
log-in page. On an enterprise host the office's URLs do not exist (404)."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.http import Http404
from django.shortcuts import render as django_render

from office import selectors
from office.permissions import login_redirect


def render(request, template: str, context: dict | None = None, status: int = 200):
    """django.shortcuts.render, except that a partial htmx reload (a table's search, sort or page,
    which core's _table.html also fires on ANY select's change on the page) does not consume the
    flash messages: they stay for the next full page."""
    response = django_render(request, template, context, status=status)
    if getattr(request, "htmx", False):
        messages.get_messages(request).used = False
    return response


def member_page(view):
    """An enterprise's own figures: members of that enterprise only (anyone else: the same 404)."""

    @wraps(view)
    def wrapped(request, slug: str, *args, **kwargs):
        if getattr(request, "enterprise", None) is not None:
            raise Http404
        if not request.user.is_authenticated:
            return login_redirect(request)
        found = selectors.member_enterprise_get(user=request.user, slug=slug)
        if found is None:
            raise Http404
        request.own_enterprise, request.own_membership = found
        return view(request, slug, *args, **kwargs)

    return wrapped
