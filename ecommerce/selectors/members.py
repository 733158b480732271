"""For which enterprises a user acts on the boards (the public host has no enterprise of its own)."""

from __future__ import annotations

from tenants.models import Enterprise, Membership, Role, User


def user_is_member_anywhere(*, user: User) -> bool:
    """Contact details are for logged-in members of an enterprise (and the office)."""
    if not user.is_authenticated:
        return False
    return user.is_office or user.is_platform_admin or Membership.objects.filter(user=user).exists()


def acting_memberships(*, user: User, minimum: str = Role.CLERK) -> list[Membership]:
    """The user's memberships through which they may post, quote or write (active enterprises)."""
    if not user.is_authenticated:
        return []
    return [m for m in Membership.objects.select_related("enterprise").filter(
        user=user, enterprise__status=Enterprise.Status.ACTIVE).order_by("enterprise__name") if m.has_role(minimum)]


def memberships_by_enterprise(user: User) -> dict[int, Membership]:
    if not user.is_authenticated:
        return {}
    return {m.enterprise_id: m for m in Membership.objects.filter(user=user)}
