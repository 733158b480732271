from __future__ import annotations

import graphene

from api.graphql.core.mutations import BaseMutation
from api.graphql.core.permissions import Scope
from api.graphql.ecommerce.actor import acting_for
from api.graphql.ecommerce.errors import BoardsError
from api.graphql.ecommerce.mutations._common import ListingFieldsInput, listing_arguments, refusals_as_errors
from api.graphql.ecommerce.types import ListingKindEnum, ListingNode
from ecommerce.selectors import listing_get
from ecommerce.services import listing_create


class ListingCreateInput(ListingFieldsInput, graphene.InputObjectType):
    kind = ListingKindEnum(required=True)
    board = graphene.String(required=True, description="Board code.")
    category = graphene.String(required=True, description="Category code of that board.")
    title = graphene.String(required=True)
    publish = graphene.Boolean(default_value=True, description="False: keep it as a draft.")


class ListingCreate(BaseMutation):
    listing = graphene.Field(ListingNode)

    class Arguments:
        input = ListingCreateInput(required=True)
        enterprise = graphene.String(description="Credit code of the posting enterprise (a session on the public "
                                                 "host that belongs to several); a token posts for its own.")

    class Meta:
        description = "Post a supply or demand listing (matching runs once it is published)."
        permissions = (Scope.BOARDS_WRITE,)
        error_type = BoardsError

    @classmethod
    def perform_mutation(cls, root, info, input, enterprise=None):
        actor = acting_for(info, enterprise)
        fields = listing_arguments(dict(input))
        with refusals_as_errors():
            listing = listing_create(enterprise=actor.enterprise, **actor.service_kwargs, **fields)
        return cls(listing=listing_get(listing_id=listing.pk))
