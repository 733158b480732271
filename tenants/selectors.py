"""Reads on the control plane."""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet

from tenants.models import Enterprise, Invitation, Membership, User


def membership_get(*, user: User, enterprise: Enterprise) -> Membership | None:
    if not user.is_authenticated:
        return None
    return Membership.objects.select_related("enterprise").filter(user=user, enterprise=enterprise).first()


def membership_list_for_user(*, user: User) -> QuerySet[Membership]:
    return (Membership.objects.select_related("enterprise").filter(user=user)
            .exclude(enterprise__status=Enterprise.Status.PROVISIONING).order_by("enterprise__name"))


def membership_list_for_enterprise(*, enterprise: Enterprise) -> QuerySet[Membership]:
    return Membership.objects.select_related("user").filter(enterprise=enterprise).order_by("-role", "user__email")


def invitation_list_open(*, enterprise: Enterprise) -> QuerySet[Invitation]:
    return Invitation.objects.filter(enterprise=enterprise, accepted_at__isnull=True,
                                     revoked_at__isnull=True).order_by("-created_at")


def site_base_url(*, request=None) -> str:
    """Scheme://host[:port] of the public site."""
    return enterprise_base_url(slug=None, request=request)


def enterprise_base_url(*, slug: str | None, request=None) -> str:
    """Absolute base URL of an enterprise host (or of the public site when slug is None).

    Inside a request the scheme and port of the request are kept, so links work on whatever port
    the platform is served on; elsewhere (emails from tasks, the CLI) PUBLIC_SCHEME/PUBLIC_PORT.
    """
    host = settings.BASE_DOMAIN if slug is None else f"{slug}.{settings.BASE_DOMAIN}"
    if request is not None:
        scheme = request.scheme
        port = request.get_port()
        default = "443" if scheme == "https" else "80"
    else:
        scheme = settings.PUBLIC_SCHEME
        port = str(settings.PUBLIC_PORT or "")
        default = "443" if scheme == "https" else "80"
    if port and port != default:
        return f"{scheme}://{host}:{port}"
    return f"{scheme}://{host}"
