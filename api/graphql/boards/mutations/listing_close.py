from __future__ import annotations

import graphene

from api.graphql.boards.mutations._common import ListingAction
from api.graphql.core.permissions import Scope
from ecommerce.services import listing_close


class ListingClose(ListingAction):
    class Arguments:
        id = graphene.ID(required=True)

    class Meta:
        description = "Close a listing of the caller's enterprise (it leaves the boards; RFQ quotations stay)."
        permissions = (Scope.BOARDS_WRITE,)

    service = staticmethod(listing_close)
