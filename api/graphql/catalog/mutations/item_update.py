from __future__ import annotations

import graphene
from django.utils.translation import gettext as _

from api.graphql.catalog.errors import CatalogError
from api.graphql.catalog.mutations._inputs import ItemFieldsInput, item_fields
from api.graphql.catalog.types import ItemNode
from api.graphql.core.auth import auth_of
from api.graphql.core.mutations import BaseMutation, pk_from_global_id
from api.graphql.core.permissions import Host, Scope
from core.errors import field_error
from erp_modules.catalog.selectors import item_get
from erp_modules.catalog.services import item_update


class ItemUpdateInput(ItemFieldsInput, graphene.InputObjectType):
    code = graphene.String()


class ItemUpdate(BaseMutation):
    item = graphene.Field(ItemNode)

    class Arguments:
        id = graphene.ID(required=True)
        input = ItemUpdateInput(required=True, description="Only the fields given change.")

    class Meta:
        description = "Change an item (the fields given)."
        permissions = (Scope.CATALOG_WRITE,)
        error_type = CatalogError
        host = Host.ENTERPRISE

    @classmethod
    def perform_mutation(cls, root, info, id, input):
        item = item_get(item_id=pk_from_global_id(id, "Item"))
        if item is None:
            raise field_error("id", _("No Item has this ID."), "not_found")
        item = item_update(item=item, user=auth_of(info.context).user, **item_fields(dict(input)))
        return cls(item=item_get(item_id=item.pk))  # as stored
