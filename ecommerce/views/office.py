"""The informatization office's pages: every listing, and moderating one (hide, show, feature)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from core.errors import error_messages
from core.tables import Column, Filter, Table
from ecommerce import selectors, services
from ecommerce.models import Listing
from ecommerce.views._common import boards_view, listing_url, nav_context


@boards_view(login=True)
def office(request):
    services.office_require(user=request.user)
    table = Table(
        request, selectors.office_listings(),
        columns=[Column("title", _("Title"), sort="title", link=listing_url),
                 Column("enterprise.display_name", _("Enterprise"), sort="enterprise__name"),
                 Column("kind", pgettext("listing kind", "Supply or demand"), sort="kind"),
                 Column("board.name", _("Board")),
                 Column("status", _("Status"), sort="status"),
                 Column("featured", _("Featured"), sort="featured"),
                 Column("hidden_reason", _("Hidden because")),
                 Column("created_at", _("Created"), sort="created_at")],
        search_fields=["title", "enterprise__name"],
        filters=[Filter("status", _("Status"), choices=list(Listing.Status.choices)),
                 Filter("shown", _("Moderation"), choices=[("false", _("hidden")), ("true", _("shown"))],
                        lookup="hidden_at__isnull"),
                 Filter("board", _("Board"), choices=[(b.code, b.name) for b in selectors.board_list()],
                        lookup="board__code")],
        export_name="board-listings", default_sort="-created_at")
    if table.wants_export:
        return table.export_response()
    return render(request, "ecommerce/office.html", {**nav_context(request), "table": table})


@require_POST
@boards_view(login=True)
def moderate(request, listing_id: int):
    services.office_require(user=request.user)
    listing = selectors.listing_get(listing_id=listing_id)
    if listing is None:
        raise Http404
    action = request.POST.get("action")
    try:
        if action == "hide":
            services.listing_hide(listing=listing, user=request.user, reason=request.POST.get("reason", ""))
            messages.success(request, _("The listing is hidden; the poster sees the reason."))
        elif action == "unhide":
            services.listing_unhide(listing=listing, user=request.user)
            messages.success(request, _("The listing is shown again."))
        elif action in ("feature", "unfeature"):
            services.listing_feature(listing=listing, user=request.user, featured=action == "feature")
            messages.success(request, _("Saved."))
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, " ".join(error_messages(exc)))
    return redirect("boards:listing_detail", listing.pk)
