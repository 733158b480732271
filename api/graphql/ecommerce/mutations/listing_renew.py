from __future__ import annotations

import graphene

from api.graphql.core.permissions import Scope
from api.graphql.ecommerce.errors import BoardsError
from api.graphql.ecommerce.mutations._common import ListingAction
from ecommerce.services import listing_renew


class ListingRenew(ListingAction):
    class Arguments:
        id = graphene.ID(required=True)
        days = graphene.Int(description="Days from now (default 30, at most 180).")

    class Meta:
        description = "Keep a published or expired listing of the caller's enterprise up for another period."
        permissions = (Scope.BOARDS_WRITE,)
        error_type = BoardsError

    service = staticmethod(listing_renew)
