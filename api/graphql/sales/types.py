from __future__ import annotations

import graphene

from api.graphql.catalog.dataloaders import ItemByIdLoader
from api.graphql.catalog.types import ItemNode
from api.graphql.core.pagination import CountableConnection
from api.graphql.core.types import enum_from_choices, want_related
from api.graphql.sales.dataloaders import PartnerByIdLoader, ReservedByLineIdLoader, SalesOrderLinesByOrderIdLoader
from erp_modules.sales.models import SalesOrder

SalesOrderStatusEnum = enum_from_choices("SalesOrderStatusEnum", SalesOrder.Status)


class PartnerNode(graphene.ObjectType):
    class Meta:
        name = "Partner"
        interfaces = (graphene.relay.Node,)
        description = "A customer and/or supplier of the enterprise."

    code = graphene.String(required=True)
    name = graphene.String(required=True)
    is_customer = graphene.Boolean(required=True)
    is_supplier = graphene.Boolean(required=True)
    uscc = graphene.String(required=True, description="Unified Social Credit Code, when the partner is an enterprise.")
    currency = graphene.String(required=True)
    payment_terms_days = graphene.Int(required=True)
    active = graphene.Boolean(required=True)


class PartnerConnection(CountableConnection):
    class Meta:
        node = PartnerNode


class SalesOrderLineType(graphene.ObjectType):
    class Meta:
        name = "SalesOrderLine"

    sequence = graphene.Int(required=True)
    item = graphene.Field(ItemNode, required=True)
    description = graphene.String(required=True)
    quantity = graphene.Decimal(required=True)
    unit_price = graphene.Decimal(required=True, description="Excluding VAT.")
    discount_pct = graphene.Decimal(required=True)
    vat_rate = graphene.Decimal(required=True)
    amount_excl_vat = graphene.Decimal(required=True)
    vat_amount = graphene.Decimal(required=True)
    delivered_qty = graphene.Decimal(required=True)
    invoiced_qty = graphene.Decimal(required=True)
    reserved = graphene.Decimal(description="Reserved of what is still to deliver (kits: complete kits); "
                                            "null for services.")
    short = graphene.Decimal(description="Still to deliver and not reserved: to make or buy (after a "
                                         "make-to-order confirmation); null for services.")

    @staticmethod
    def prepare(context, lines):
        want_related(context, ItemByIdLoader, lines, "item")
        ReservedByLineIdLoader(context).want(line.pk for line in lines)

    @staticmethod
    def resolve_reserved(root, info):
        return ReservedByLineIdLoader(info.context).load(root.pk)[0]

    @staticmethod
    def resolve_short(root, info):
        return ReservedByLineIdLoader(info.context).load(root.pk)[1]

    @staticmethod
    def resolve_item(root, info):
        return ItemByIdLoader(info.context).load(root.item_id)


class SalesOrderNode(graphene.ObjectType):
    class Meta:
        name = "SalesOrder"
        interfaces = (graphene.relay.Node,)

    number = graphene.String(required=True)
    status = SalesOrderStatusEnum(required=True)
    customer = graphene.Field(PartnerNode, required=True)
    customer_reference = graphene.String(required=True)
    order_date = graphene.Date(required=True)
    delivery_date = graphene.Date()
    currency = graphene.String(required=True)
    amount_excl_vat = graphene.Decimal(required=True)
    vat_amount = graphene.Decimal(required=True)
    amount_incl_vat = graphene.Decimal(required=True)
    note = graphene.String(required=True)
    created_at = graphene.DateTime(required=True)
    lines = graphene.List(graphene.NonNull(SalesOrderLineType), required=True)

    @staticmethod
    def prepare(context, orders):
        want_related(context, PartnerByIdLoader, orders, "customer")
        SalesOrderLinesByOrderIdLoader(context).want(o.pk for o in orders)

    @staticmethod
    def resolve_customer(root, info):
        return PartnerByIdLoader(info.context).load(root.customer_id)

    @staticmethod
    def resolve_lines(root, info):
        return SalesOrderLinesByOrderIdLoader(info.context).load(root.pk)


class SalesOrderConnection(CountableConnection):
    class Meta:
        node = SalesOrderNode
