from __future__ import annotations

import graphene

from api.graphql.boards.actor import own_listing
from api.graphql.boards.mutations._common import refusals_as_errors
from api.graphql.boards.types import ListingNode
from api.graphql.core.auth import auth_of
from api.graphql.core.mutations import BaseMutation, pk_from_global_id
from api.graphql.core.permissions import Scope
from ecommerce.selectors import listing_get
from ecommerce.services import listing_close


class ListingClose(BaseMutation):
    listing = graphene.Field(ListingNode)

    class Arguments:
        id = graphene.ID(required=True)

    class Meta:
        description = "Close a listing of the caller's enterprise (it leaves the boards; RFQ quotations stay)."
        permissions = (Scope.BOARDS_WRITE,)

    @classmethod
    def perform_mutation(cls, root, info, id):
        listing = own_listing(info, pk_from_global_id(id, "Listing"))
        auth = auth_of(info.context)
        with refusals_as_errors():
            listing_close(listing=listing, user=auth.user, api_token=auth.token)
        return cls(listing=listing_get(listing_id=listing.pk))
