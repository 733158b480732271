"""What the board pages share: logging in and the 403 page (`boards_view`), the counters of the
navigation bar, a listing the user may see, and the credit badges of a page."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from core.errors import error_messages
from ecommerce import selectors
from ecommerce.error_codes import BoardsErrorCode
from ecommerce.models import Listing
from ecommerce.services import BoardsPermissionDenied


def _login_url(request) -> str:
    return f"/login/?{urlencode({'next': request.get_full_path()})}"


def boards_view(view=None, *, login: bool = False):
    """Login when needed; a refusal from a service becomes a 403 page that says why (the service's
    message and code: the public host has no enterprise of its own, so not core.permissions' page)."""

    def decorator(func):
        @wraps(func)
        def wrapped(request, *args, **kwargs):
            if login and not request.user.is_authenticated:
                return HttpResponseRedirect(_login_url(request))
            try:
                return func(request, *args, **kwargs)
            except BoardsPermissionDenied as exc:
                return render(request, "ecommerce/forbidden.html", {**nav_context(request), "message": exc.message,
                                                                    "code": exc.code}, status=403)

        return wrapped

    return decorator(view) if view is not None else decorator


def nav_context(request) -> dict:
    """The unread counters and the office link of the boards' navigation bar."""
    user = request.user
    context = {}
    if user.is_authenticated:
        context["unread_notifications"] = selectors.notifications_unread_count(user=user)
        context["unread_inquiries"] = selectors.inquiry_unread_total(user=user)
        context["is_office"] = user.is_office or user.is_platform_admin
    return context


def listing_or_404(request, listing_id: int) -> Listing:
    listing = selectors.listing_get(listing_id=listing_id)
    if listing is None or not selectors.listing_can_view(listing=listing, user=request.user):
        raise Http404
    return listing


def acting_memberships_or_refuse(request, listing: Listing, *, refusal: str) -> list:
    """The user's memberships that may act (clerk or above) for an enterprise other than the listing's;
    with none, the request is refused with `refusal`."""
    acting = [m for m in selectors.acting_memberships(user=request.user) if m.enterprise_id != listing.enterprise_id]
    if not acting:
        raise BoardsPermissionDenied(refusal, BoardsErrorCode.ROLE_TOO_LOW)
    return acting


def listing_url(listing: Listing) -> str:
    return reverse("boards:listing_detail", args=[listing.pk])


def run_reported(request, call, *, success: str) -> None:
    """Run a service call for a button on a listing's page: a refusal becomes one error message (all its
    reasons), otherwise the `success` message is shown."""
    try:
        call()
    except ValidationError as exc:
        messages.error(request, " ".join(error_messages(exc)))
    else:
        messages.success(request, success)


def badges(*listing_lists, enterprises=()) -> dict:
    """The government credit badges of every poster on the page, loaded at once (3 queries)."""
    posters = [item.enterprise for items in listing_lists for item in items]
    return selectors.credit_badges_on_page(enterprises=[*enterprises, *posters])
