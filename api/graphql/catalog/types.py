from __future__ import annotations

import graphene

from api.graphql.catalog.dataloaders import (BomLinesByBomIdLoader, CurrentBomByItemIdLoader, ItemByIdLoader,
                                             ItemCategoryByIdLoader, StockOnHandByItemIdLoader, UomByIdLoader)
from api.graphql.core.dataloaders import loaded_as
from api.graphql.core.pagination import CountableConnection
from api.graphql.core.types import enum_from_choices, resolve_with, want_related
from erp_modules.catalog.models import Bom, BomLine, Item, UnitOfMeasure

ItemTypeEnum = enum_from_choices("ItemTypeEnum", Item.Type, "What an item is.")
TrackingEnum = enum_from_choices("TrackingEnum", Item.Tracking, "How stock of an item is traced.")
BomStatusEnum = enum_from_choices("BomStatusEnum", Bom.Status)
BomLineTypeEnum = enum_from_choices("BomLineTypeEnum", BomLine.LineType)
UnitKindEnum = enum_from_choices("UnitKindEnum", UnitOfMeasure.Kind)


class Unit(graphene.ObjectType):
    code = graphene.String(required=True)
    name = graphene.String(required=True)
    name_en = graphene.String(required=True)
    kind = UnitKindEnum(required=True)
    decimals = graphene.Int(required=True)


class ItemCategory(graphene.ObjectType):
    code = graphene.String(required=True)
    name = graphene.String(required=True)


@loaded_as(ItemByIdLoader)
class ItemNode(graphene.ObjectType):
    class Meta:
        name = "Item"
        interfaces = (graphene.relay.Node,)
        description = "An item of the enterprise's catalog (material, component, product, kit or service)."

    code = graphene.String(required=True)
    name = graphene.String(required=True)
    name_en = graphene.String(required=True)
    item_type = ItemTypeEnum(required=True)
    uom = graphene.Field(Unit, required=True)
    category = graphene.Field(ItemCategory)
    tracking = TrackingEnum(required=True)
    lead_time_days = graphene.Int(required=True)
    safety_stock = graphene.Decimal(required=True)
    min_order_qty = graphene.Decimal(required=True)
    order_multiple = graphene.Decimal(required=True)
    standard_cost = graphene.Decimal(required=True)
    average_cost = graphene.Decimal(required=True)
    drawing_ref = graphene.String(required=True)
    description = graphene.String(required=True)
    active = graphene.Boolean(required=True)
    created_at = graphene.DateTime(required=True)
    updated_at = graphene.DateTime(required=True)
    stock_on_hand = graphene.Decimal(required=True, description="On hand in every location (needs stock:read).")
    current_bom = graphene.Field(lambda: BomNode, description="The released BOM version in force today.")

    @staticmethod
    def prepare(context, items):
        want_related(context, UomByIdLoader, items, "uom")
        want_related(context, ItemCategoryByIdLoader, items, "category")
        StockOnHandByItemIdLoader(context).want(i.pk for i in items)
        CurrentBomByItemIdLoader(context).want(i.pk for i in items)

    resolve_uom = resolve_with(UomByIdLoader, "uom_id")
    resolve_category = resolve_with(ItemCategoryByIdLoader, "category_id")
    resolve_stock_on_hand = resolve_with(StockOnHandByItemIdLoader)
    resolve_current_bom = resolve_with(CurrentBomByItemIdLoader)


class ItemConnection(CountableConnection):
    class Meta:
        node = ItemNode


@loaded_as(BomLinesByBomIdLoader)
class BomLineType(graphene.ObjectType):
    class Meta:
        name = "BomLine"

    sequence = graphene.Int(required=True)
    component = graphene.Field(ItemNode, required=True)
    quantity = graphene.Decimal(required=True, description="Per the BOM's quantity produced.")
    scrap_pct = graphene.Decimal(required=True)
    line_type = BomLineTypeEnum(required=True)
    note = graphene.String(required=True)

    @staticmethod
    def prepare(context, lines):
        want_related(context, ItemByIdLoader, lines, "component")

    resolve_component = resolve_with(ItemByIdLoader, "component_id")


@loaded_as(CurrentBomByItemIdLoader)
class BomNode(graphene.ObjectType):
    class Meta:
        name = "Bom"
        interfaces = (graphene.relay.Node,)
        description = "A version of an item's bill of materials (released versions never change)."

    item = graphene.Field(ItemNode, required=True)
    version = graphene.Int(required=True)
    status = BomStatusEnum(required=True)
    quantity = graphene.Decimal(required=True, description="How many of the item the lines make.")
    effective_from = graphene.Date()
    note = graphene.String(required=True)
    released_at = graphene.DateTime()
    lines = graphene.List(graphene.NonNull(BomLineType), required=True)

    @staticmethod
    def prepare(context, boms):
        want_related(context, ItemByIdLoader, boms, "item")
        BomLinesByBomIdLoader(context).want(b.pk for b in boms)

    resolve_item = resolve_with(ItemByIdLoader, "item_id")
    resolve_lines = resolve_with(BomLinesByBomIdLoader)


class BomConnection(CountableConnection):
    class Meta:
        node = BomNode


class ExplodedLine(graphene.ObjectType):
    level = graphene.Int(required=True)
    item = graphene.Field(ItemNode, required=True)
    quantity = graphene.Decimal(required=True, description="For the exploded quantity of the top item, scrap included.")
    is_kit = graphene.Boolean(required=True)
    has_bom = graphene.Boolean(required=True)
    path = graphene.List(graphene.NonNull(graphene.String), required=True, description="Item codes from the top.")
