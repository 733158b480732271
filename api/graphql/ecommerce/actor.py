"""Which enterprise acts on the boards for the caller, and which listings and threads it may touch.

- an API token acts for its own enterprise (scope boards:write to post and write, boards:read to read
  its inquiries);
- a session on an enterprise's host acts for that enterprise;
- a session on the public host acts for the enterprise named by `enterprise` (its credit code), or
  for the only enterprise in which the user may post.
The board services check the membership (or the token) again: this module only picks the enterprise
and makes "not yours" look exactly like "not there".
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from api.graphql.core.auth import auth_of
from core.errors import field_error
from core.uscc import normalize_uscc
from ecommerce.error_codes import BoardsErrorCode
from ecommerce.models import InquiryThread, Listing
from ecommerce.selectors import acting_memberships, visible_listings
from tenants.models import Enterprise, Membership


@dataclass
class Actor:
    enterprise: Enterprise
    user: object | None
    api_token: object | None

    @property
    def service_kwargs(self) -> dict:
        return {"user": self.user, "api_token": self.api_token}


def _fixed(enterprise: Enterprise, uscc: str | None, field: str) -> Enterprise:
    if uscc and normalize_uscc(uscc) != enterprise.uscc:
        raise field_error(field, _("You act for %(enterprise)s here; another enterprise cannot be chosen.")
                          % {"enterprise": enterprise}, BoardsErrorCode.NOT_MEMBER)
    return enterprise


def acting_for(info, uscc: str | None = None, *, field: str = "enterprise") -> Actor:
    """The acting enterprise of a writing mutation (see the module's docstring)."""
    auth = auth_of(info.context)
    if auth.token is not None:
        return Actor(_fixed(auth.token.enterprise, uscc, field), None, auth.token)
    if auth.enterprise is not None:
        return Actor(_fixed(auth.enterprise, uscc, field), auth.user, None)
    memberships = acting_memberships(user=auth.user)
    if uscc:
        code = normalize_uscc(uscc)
        chosen = [m for m in memberships if m.enterprise.uscc == code]
        if not chosen:
            raise field_error(field, _("You cannot post for the enterprise with credit code %(uscc)s (you need to be "
                                       "its clerk or above).") % {"uscc": code}, BoardsErrorCode.NOT_MEMBER)
        return Actor(chosen[0].enterprise, auth.user, None)
    if len(memberships) == 1:
        return Actor(memberships[0].enterprise, auth.user, None)
    if not memberships:
        raise field_error(field, _("You are not a clerk or above of any active enterprise."), BoardsErrorCode.NOT_MEMBER)
    raise field_error(field, _("You belong to several enterprises: give the credit code of the one that acts."),
                      "required")


def readable_enterprise_ids(info) -> list[int]:
    """Whose private board data (drafts, inquiries, quotations) the caller may read: the token's or
    host's enterprise, or every enterprise of the logged-in user on the public host (once per request)."""
    return sorted(reading_for(info.context))


def reading_for(context) -> frozenset[int]:
    cached = getattr(context, "_boards_reading_ids", None)
    if cached is None:
        auth = auth_of(context)
        if not (auth.has_scope("boards:read") or auth.has_scope("boards:write")):
            cached = frozenset()  # e.g. a token for the ERP only: nothing private of the boards
        elif auth.token is not None:
            cached = frozenset([auth.token.enterprise_id])
        elif auth.enterprise is not None:
            cached = frozenset([auth.enterprise.pk])
        elif auth.user is None:
            cached = frozenset()
        else:
            cached = frozenset(Membership.objects.filter(user=auth.user).values_list("enterprise_id", flat=True))
        context._boards_reading_ids = cached
    return cached


def own_listing(info, listing_id: int, *, field: str = "id") -> Listing:
    """A listing of an enterprise the caller reads for (any status); not_found otherwise."""
    listing = (Listing.objects.select_related("enterprise").filter(pk=listing_id,
                                                                   enterprise_id__in=readable_enterprise_ids(info))
               .first())
    if listing is None:
        raise field_error(field, _("No listing has this ID."), "not_found")
    return listing


def viewable_listing(info, listing_id: int) -> Listing | None:
    """Visible listings for everyone; the caller's own in any status (and the office's view of all)."""
    auth = auth_of(info.context)
    qs = Listing.objects.filter(pk=listing_id)
    if auth.is_office:
        return qs.first()
    return qs.filter(Q(pk__in=visible_listings().values("pk"))
                     | Q(enterprise_id__in=readable_enterprise_ids(info))).first()


def own_thread(info, thread_id: int, *, field: str = "thread") -> InquiryThread:
    ids = readable_enterprise_ids(info)
    thread = (InquiryThread.objects.select_related("listing", "asker", "owner")
              .filter(Q(asker_id__in=ids) | Q(owner_id__in=ids), pk=thread_id).first())
    if thread is None:
        raise field_error(field, _("No conversation has this ID."), "not_found")
    return thread
