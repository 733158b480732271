from __future__ import annotations

import graphene

from api.graphql.catalog.errors import CatalogError
from api.graphql.catalog.mutations._inputs import ItemFieldsInput, item_fields
from api.graphql.catalog.types import ItemNode
from api.graphql.core.auth import auth_of
from api.graphql.core.mutations import BaseMutation
from api.graphql.core.permissions import Host, Scope
from erp_modules.catalog.selectors import item_get
from erp_modules.catalog.services import item_create


class ItemCreateInput(ItemFieldsInput, graphene.InputObjectType):
    code = graphene.String(required=True)
    name = graphene.String(required=True)
    uom = graphene.String(required=True, description="Unit code (pcs, kg, m …).")


class ItemCreate(BaseMutation):
    item = graphene.Field(ItemNode)

    class Arguments:
        input = ItemCreateInput(required=True)

    class Meta:
        description = "Create an item in the catalog."
        permissions = (Scope.CATALOG_WRITE,)
        error_type = CatalogError
        host = Host.ENTERPRISE

    @classmethod
    def perform_mutation(cls, root, info, input):
        fields = item_fields(dict(input))
        item = item_create(user=auth_of(info.context).user, **fields)
        return cls(item=item_get(item_id=item.pk))  # as stored
