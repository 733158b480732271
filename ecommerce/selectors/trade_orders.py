"""Reads of the orders an accepted quotation became (TradeOrder): each side sees its own order's number and,
for the buyer, the supplier's sales order's number and state; nobody else sees either."""

from __future__ import annotations

from ecommerce.models import TradeOrder
from tenants.models import Membership, User


def trade_order_for_buyer(*, trade_order_id: int, user: User) -> TradeOrder | None:
    """A TradeOrder of one of the user's enterprises as the buyer (any role); None, as for a missing id, for
    anyone else (the supplier included)."""
    if not user.is_authenticated:
        return None
    return (TradeOrder.objects.select_related("listing", "quotation", "buyer", "supplier")
            .filter(pk=trade_order_id, buyer__in=Membership.objects.filter(user=user).values("enterprise_id"))
            .first())
