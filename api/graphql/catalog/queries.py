from __future__ import annotations

from decimal import Decimal

import graphene
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from api.graphql.catalog.dataloaders import ItemByIdLoader
from api.graphql.catalog.types import (BomConnection, BomStatusEnum, ExplodedLine, ItemConnection, ItemNode,
                                       ItemTypeEnum)
from api.graphql.core.errors import NotFound
from api.graphql.core.mutations import pk_from_global_id
from api.graphql.core.pagination import connection_field, paginate
from api.graphql.core.permissions import Host, Scope, permission_required
from api.graphql.core.types import enum_value
from erp_modules.catalog.models import Bom
from erp_modules.catalog.selectors import bom_explode, item_get, item_list


def _item_or_404(item_id: str):
    try:
        pk = pk_from_global_id(item_id, "Item")
    except ValidationError:
        pk = None
    item = item_get(item_id=pk) if pk else None
    if item is None:
        raise NotFound(_("No item has this ID."))
    return item


class CatalogQueries(graphene.ObjectType):
    items = connection_field(ItemConnection, "The enterprise's items, by code.", search=graphene.String(),
                             item_type=ItemTypeEnum(), active=graphene.Boolean(default_value=True))
    item = graphene.Field(ItemNode, id=graphene.ID(required=True))
    boms = connection_field(BomConnection, "Bills of materials (every version), by item code and newest version.",
                            item=graphene.ID(description="Only this item's versions."), status=BomStatusEnum())
    bom_explosion = graphene.List(graphene.NonNull(ExplodedLine), required=True,
                                  description="Every level of the BOM in force today, quantities multiplied through.",
                                  item=graphene.ID(required=True), quantity=graphene.Decimal(default_value=Decimal("1")))

    @staticmethod
    @permission_required(Scope.CATALOG_READ, host=Host.ENTERPRISE)
    def resolve_items(root, info, search=None, item_type=None, active=True, **page):
        qs = item_list(search=search or "", item_type=enum_value(item_type) or "", active=active)
        return paginate(qs, ItemConnection, info, **page)

    @staticmethod
    @permission_required(Scope.CATALOG_READ, host=Host.ENTERPRISE)
    def resolve_item(root, info, id):
        item = _item_or_404(id)
        ItemNode.prepare(info.context, [item])
        return item

    @staticmethod
    @permission_required(Scope.CATALOG_READ, host=Host.ENTERPRISE)
    def resolve_boms(root, info, item=None, status=None, **page):
        qs = Bom.objects.all()
        if item:
            qs = qs.filter(item=_item_or_404(item))
        if status:
            qs = qs.filter(status=enum_value(status))
        return paginate(qs.order_by("item__code", "-version", "id"), BomConnection, info, **page)

    @staticmethod
    @permission_required(Scope.CATALOG_READ, host=Host.ENTERPRISE)
    def resolve_bom_explosion(root, info, item, quantity=1):
        top = _item_or_404(item)
        rows = bom_explode(item=top, quantity=quantity)
        loader = ItemByIdLoader(info.context)
        for row in rows:
            loader.prime(row.item.pk, row.item)
        ItemNode.prepare(info.context, [row.item for row in rows])
        return [ExplodedLine(level=r.level, item=r.item, quantity=r.quantity, is_kit=r.is_kit, has_bom=r.has_bom,
                             path=r.path) for r in rows]
