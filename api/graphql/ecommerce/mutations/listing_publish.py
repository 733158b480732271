from __future__ import annotations

import graphene

from api.graphql.core.permissions import Scope
from api.graphql.ecommerce.errors import BoardsError
from api.graphql.ecommerce.mutations._common import ListingAction
from ecommerce.services import listing_publish


class ListingPublish(ListingAction):
    class Arguments:
        id = graphene.ID(required=True)

    class Meta:
        description = "Publish a draft of the caller's enterprise (matching runs; an RFQ needs a future deadline)."
        permissions = (Scope.BOARDS_WRITE,)
        error_type = BoardsError

    service = staticmethod(listing_publish)
