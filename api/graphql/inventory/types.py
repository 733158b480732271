from __future__ import annotations

import graphene

from api.graphql.catalog.dataloaders import ItemByIdLoader
from api.graphql.catalog.types import ItemNode
from api.graphql.core.pagination import CountableConnection
from api.graphql.core.types import resolve_with, want_related


class Warehouse(graphene.ObjectType):
    code = graphene.String(required=True)
    name = graphene.String(required=True)


class Location(graphene.ObjectType):
    code = graphene.String(required=True)
    name = graphene.String(required=True)
    warehouse = graphene.Field(Warehouse, required=True)


class Lot(graphene.ObjectType):
    code = graphene.String(required=True)
    expiry_date = graphene.Date()


class StockLevelNode(graphene.ObjectType):
    class Meta:
        name = "StockLevel"
        interfaces = (graphene.relay.Node,)
        description = "On hand, reserved and available of an item in a location (and lot)."

    item = graphene.Field(ItemNode, required=True)
    location = graphene.Field(Location, required=True)
    lot = graphene.Field(Lot)
    on_hand = graphene.Decimal(required=True)
    reserved = graphene.Decimal(required=True)
    available = graphene.Decimal(required=True)

    @staticmethod
    def prepare(context, rows):
        want_related(context, ItemByIdLoader, rows, "item")  # joined by the selector: primes, no query

    resolve_item = resolve_with(ItemByIdLoader, "item_id")


class StockLevelConnection(CountableConnection):
    class Meta:
        node = StockLevelNode
