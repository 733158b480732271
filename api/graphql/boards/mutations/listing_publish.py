from __future__ import annotations

import graphene

from api.graphql.boards.mutations._common import ListingAction
from api.graphql.core.permissions import Scope
from ecommerce.services import listing_publish


class ListingPublish(ListingAction):
    class Arguments:
        id = graphene.ID(required=True)

    class Meta:
        description = "Publish a draft of the caller's enterprise (matching runs; an RFQ needs a future deadline)."
        permissions = (Scope.BOARDS_WRITE,)

    service = staticmethod(listing_publish)
