from __future__ import annotations

import graphene

from api.graphql.core.auth import auth_of
from api.graphql.core.mutations import BaseMutation, pk_from_global_id
from api.graphql.core.permissions import Scope
from api.graphql.ecommerce.actor import own_listing
from api.graphql.ecommerce.errors import BoardsError
from api.graphql.ecommerce.mutations._common import ListingFieldsInput, listing_arguments, refusals_as_errors
from api.graphql.ecommerce.types import ListingNode
from ecommerce.selectors import listing_get
from ecommerce.services import listing_update


class ListingUpdateInput(ListingFieldsInput, graphene.InputObjectType):
    """The kind (supply or demand) of a listing cannot change: close it and post a new one."""


class ListingUpdate(BaseMutation):
    listing = graphene.Field(ListingNode)

    class Arguments:
        id = graphene.ID(required=True)
        input = ListingUpdateInput(required=True, description="Only the fields given change (null: unchanged).")

    class Meta:
        description = "Change a listing of the caller's enterprise (not a closed one)."
        permissions = (Scope.BOARDS_WRITE,)
        error_type = BoardsError

    @classmethod
    def perform_mutation(cls, root, info, id, input):
        listing = own_listing(info, pk_from_global_id(id, "Listing"))
        fields = listing_arguments(dict(input))
        auth = auth_of(info.context)
        with refusals_as_errors():
            listing_update(listing=listing, user=auth.user, api_token=auth.token, **fields)
        return cls(listing=listing_get(listing_id=listing.pk))
