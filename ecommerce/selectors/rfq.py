"""Reads of RFQs and quotations: the buyer's comparison, a supplier's own quotations, a member's lists."""

from __future__ import annotations

from django.db.models import QuerySet

from ecommerce.models import Listing, Quotation
from ecommerce.selectors.listings import my_listings
from tenants.models import Enterprise, Membership, User


def rfq_quotations(*, listing: Listing) -> list[Quotation]:
    return list(Quotation.objects.filter(listing=listing).exclude(status=Quotation.Status.WITHDRAWN)
                .select_related("enterprise", "enterprise__board_card", "created_by")
                .order_by("unit_price", "created_at"))


def rfq_quotations_of(*, listing: Listing, user: User) -> list[Quotation]:
    """The quotations on an RFQ of the user's own enterprises (any role), withdrawn ones included."""
    if not user.is_authenticated:
        return []
    enterprise_ids = Membership.objects.filter(user=user, enterprise__status=Enterprise.Status.ACTIVE).values(
        "enterprise_id")
    return list(Quotation.objects.filter(listing=listing, enterprise__in=enterprise_ids)
                .select_related("enterprise").order_by("enterprise__name"))


def quotation_get(*, quotation_id: int) -> Quotation | None:
    return Quotation.objects.select_related("listing", "listing__enterprise", "enterprise").filter(
        pk=quotation_id).first()


def quotation_received_get(*, quotation_id: int, user: User) -> Quotation | None:
    """A quotation on an RFQ of one of the user's enterprises (any role: the service tells a viewer why
    not), for the buyer's decision; None, as for a missing id, when the RFQ is another enterprise's."""
    if not user.is_authenticated:
        return None
    return (Quotation.objects.select_related("listing", "listing__enterprise", "enterprise")
            .filter(pk=quotation_id, listing__enterprise__in=Membership.objects.filter(user=user)
                    .values("enterprise_id")).first())


def my_rfqs(*, user: User) -> QuerySet[Listing]:
    return my_listings(user=user).filter(is_rfq=True)


def my_quotations(*, user: User) -> QuerySet[Quotation]:
    enterprise_ids = Membership.objects.filter(user=user).values("enterprise_id")
    return (Quotation.objects.filter(enterprise__in=enterprise_ids)
            .select_related("listing", "listing__enterprise", "enterprise").order_by("-created_at"))
