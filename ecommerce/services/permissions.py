"""Who may act on the boards, and who hears about a listing.

Checked by the services themselves (a service called from a task, the shell or GraphQL gets the same
answer as a page): only members (clerk or above) of the posting enterprise change its listings, or an
integration acting through the enterprise's own API token with the scope ``boards:write``; only the
office moderates.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Case, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from ecommerce.error_codes import BoardsErrorCode as Code
from ecommerce.models import Listing
from tenants.models import Enterprise, Membership, Role, User
from tenants.selectors import membership_get

BOARDS_WRITE_SCOPE = "boards:write"  # the API-token scope that lets an integration act on the boards


class BoardsPermissionDenied(PermissionDenied):
    """A refusal with a message the user can act on and a code the tests can check."""

    def __init__(self, message: str, code: Code):
        super().__init__(message)
        self.message = message
        self.code = str(code)


def member_require(*, user: User | None, enterprise: Enterprise, minimum: str = Role.CLERK,
                   api_token=None) -> Membership | None:
    """The acting user's membership (clerk or above by default) of ``enterprise``; or, for an integration
    that acts through an API token (GraphQL), that the token is the enterprise's own, still valid, with
    the scope ``boards:write`` (the token stands for the enterprise; there is no membership then)."""
    if api_token is not None:
        _token_require(api_token=api_token, enterprise=enterprise)
        return None
    membership = membership_get(user=user, enterprise=enterprise) if user is not None else None
    if membership is None:
        raise BoardsPermissionDenied(
            _("Only members of %(enterprise)s can do this; you are not a member.") % {"enterprise": enterprise},
            Code.NOT_MEMBER)
    if not membership.has_role(minimum):
        raise BoardsPermissionDenied(
            _("This needs the role “%(role)s” or higher in %(enterprise)s.") % {"role": Role(minimum).label,
                                                                                 "enterprise": enterprise},
            Code.ROLE_TOO_LOW)
    _active_require(enterprise)
    return membership


def _active_require(enterprise: Enterprise) -> None:
    if enterprise.status != Enterprise.Status.ACTIVE:
        raise BoardsPermissionDenied(_("%(enterprise)s is not active on the platform.") % {"enterprise": enterprise},
                                     Code.ENTERPRISE_INACTIVE)


def _token_require(*, api_token, enterprise: Enterprise) -> None:
    now = timezone.now()
    if (api_token.enterprise_id != enterprise.pk or api_token.revoked_at is not None
            or (api_token.expires_at is not None and api_token.expires_at <= now)):
        raise BoardsPermissionDenied(
            _("This API token cannot act for %(enterprise)s.") % {"enterprise": enterprise}, Code.NOT_MEMBER)
    if BOARDS_WRITE_SCOPE not in api_token.scopes:
        raise BoardsPermissionDenied(_("This API token lacks the scope “%(scope)s”.") % {"scope": BOARDS_WRITE_SCOPE},
                                     Code.TOKEN_SCOPE)
    _active_require(enterprise)


def office_require(*, user: User) -> None:
    if user is None or not (user.is_office or user.is_platform_admin):
        raise BoardsPermissionDenied(_("Only the informatization office can moderate the boards."), Code.NOT_OFFICE)


def listing_poster(listing: Listing) -> User | None:
    """Who hears about a listing: the member who posted it, or (posted through the API) the enterprise's owner."""
    return listing.created_by if listing.created_by_id else enterprise_contact_user(listing.enterprise_id)


def enterprise_contact_user(enterprise_id: int) -> User | None:
    """Who hears about a listing or conversation that an integration (API token) started: the
    enterprise's owner (the longest-standing one), else its first administrator."""
    membership = (Membership.objects.filter(enterprise_id=enterprise_id, role__in=(Role.OWNER, Role.ADMIN),
                                            user__is_active=True)
                  .select_related("user")
                  .order_by(Case(When(role=Role.OWNER, then=Value(0)), default=Value(1)), "created_at", "id").first())
    return membership.user if membership is not None else None
