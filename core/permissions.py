"""Who may use a page: the one place enterprise-host views check a member's role.

``request.membership`` is set by the tenant middleware for a logged-in member of the host's
enterprise (None otherwise). Core knows nothing of the roles themselves: a membership answers
``has_role(minimum)`` and ``role_label(role)`` (tenants.models.Membership does).

- ``@role_required(Role.CLERK)`` on a view: a visitor who is not a member gets 404 (as for a page that
  does not exist), a member below the role gets the "not allowed" page (403) naming the role needed.
- ``refusal = role_refusal(request, Role.ADMIN)`` inside a view whose GET is open to every member but
  whose POST is not: ``if refusal: return refusal``.
- ``forbidden(request, required=label)`` renders that page for a requirement that is not a role
  (e.g. "Informatization office").
"""

from __future__ import annotations

from functools import wraps

from django.http import Http404, HttpResponse
from django.shortcuts import render


def forbidden(request, *, required: str) -> HttpResponse:
    """The 403 page: what is needed and whom to ask."""
    return render(request, "core/forbidden.html", {"required_role": required}, status=403)


def role_refusal(request, minimum: str) -> HttpResponse | None:
    """None when the member has ``minimum`` or higher; the 403 page otherwise; 404 for a non-member."""
    membership = getattr(request, "membership", None)
    if membership is None:
        raise Http404
    if membership.has_role(minimum):
        return None
    return forbidden(request, required=membership.role_label(minimum))


def role_required(minimum: str):
    """Enterprise-host views: the member's role must be at least ``minimum``."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            refusal = role_refusal(request, minimum)
            if refusal is not None:
                return refusal
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
