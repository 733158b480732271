"""Reads of RFQs and quotations: the buyer's comparison, a supplier's own quotations, a member's lists."""

from __future__ import annotations

from django.db.models import QuerySet

from ecommerce.models import Listing, Quotation
from ecommerce.pricing import (price_places, quotation_basis_text, quotation_landed, quotation_landed_total,
                               unit_money)
from ecommerce.selectors.listings import my_listings
from tenants.models import Enterprise, Membership, User


def _with_landed(quotation: Quotation, *, unit: str) -> Quotation:
    quotation.landed = quotation_landed(quotation, unit=unit)
    places = price_places(quotation.unit_price)  # ¥0.0345 keeps its 4 decimals, ¥1.55 shows 2
    quotation.unit_price_shown = unit_money(quotation.unit_price, places)
    quotation.landed_shown = unit_money(quotation.landed.unit_price, places)
    quotation.landed_total = quotation_landed_total(quotation)
    quotation.basis = quotation_basis_text(quotation)
    return quotation


def quotations_on_one_basis(quotations, *, unit: str = "") -> list[Quotation]:
    """The quotations ranked by their unit price with VAT included and delivered (ecommerce.pricing),
    each with ``.landed`` (that price and the sentence that explains it; ``.landed_shown`` the price as
    shown, with the decimals of the quoted ``.unit_price_shown``; ``.landed_total`` the whole order's),
    ``.basis`` (the terms it was quoted on) and ``.is_best`` (the lowest of those the buyer can still
    choose or chose, i.e. not declined; ties are all best)."""
    ranked = [_with_landed(quotation, unit=unit) for quotation in quotations]
    ranked.sort(key=lambda q: (q.landed.unit_price, q.created_at, q.pk))
    best = min((q.landed.unit_price for q in ranked if q.status != Quotation.Status.DECLINED), default=None)
    for quotation in ranked:
        quotation.is_best = best is not None and quotation.status != Quotation.Status.DECLINED and (
            quotation.landed.unit_price == best)
    return ranked


def rfq_quotations(*, listing: Listing) -> list[Quotation]:
    """The buyer's comparison: the RFQ's quotations (withdrawn ones left out), best first on one basis."""
    return quotations_on_one_basis(
        Quotation.objects.filter(listing=listing).exclude(status=Quotation.Status.WITHDRAWN)
        .select_related("enterprise", "enterprise__board_card", "created_by"), unit=listing.unit)


def rfq_quotations_of(*, listing: Listing, user: User) -> list[Quotation]:
    """The quotations on an RFQ of the user's own enterprises (any role), withdrawn ones included."""
    if not user.is_authenticated:
        return []
    enterprise_ids = Membership.objects.filter(user=user, enterprise__status=Enterprise.Status.ACTIVE).values(
        "enterprise_id")
    mine = list(Quotation.objects.filter(listing=listing, enterprise__in=enterprise_ids)
                .select_related("enterprise").order_by("enterprise__name"))
    return [_with_landed(quotation, unit=listing.unit) for quotation in mine]


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
