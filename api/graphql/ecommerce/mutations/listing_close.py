from __future__ import annotations

import graphene

from api.graphql.core.permissions import Scope
from api.graphql.ecommerce.errors import BoardsError
from api.graphql.ecommerce.mutations._common import ListingAction
from ecommerce.services import listing_close


class ListingClose(ListingAction):
    class Arguments:
        id = graphene.ID(required=True)

    class Meta:
        description = "Close a listing of the caller's enterprise (it leaves the boards; RFQ quotations stay)."
        permissions = (Scope.BOARDS_WRITE,)
        error_type = BoardsError

    service = staticmethod(listing_close)
