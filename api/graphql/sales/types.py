from __future__ import annotations

import graphene

from api.graphql.catalog.dataloaders import ItemByIdLoader
from api.graphql.catalog.types import ItemNode
from api.graphql.core.dataloaders import loaded_as
from api.graphql.core.pagination import CountableConnection
from api.graphql.core.types import enum_from_choices, resolve_with, want_related
from api.graphql.partners.dataloaders import PartnerByIdLoader
from api.graphql.partners.types import PartnerNode
from api.graphql.sales.dataloaders import ReservedByLineIdLoader, SalesOrderLinesByOrderIdLoader
from erp_modules.sales.models import SalesOrder

SalesOrderStatusEnum = enum_from_choices("SalesOrderStatusEnum", SalesOrder.Status)


@loaded_as(SalesOrderLinesByOrderIdLoader)
class SalesOrderLineType(graphene.ObjectType):
    class Meta:
        name = "SalesOrderLine"

    sequence = graphene.Int(required=True)
    item = graphene.Field(ItemNode, required=True)
    description = graphene.String(required=True)
    revision = graphene.String(required=True, description="The part's revision the line names (e.g. B); empty: "
                                                          "the one in force.")
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

    resolve_item = resolve_with(ItemByIdLoader, "item_id")


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
    credit_override_reason = graphene.String(
        required=True, description="Why it was confirmed despite the customer's credit warning (empty: no override).")

    @staticmethod
    def prepare(context, orders):
        want_related(context, PartnerByIdLoader, orders, "customer")
        SalesOrderLinesByOrderIdLoader(context).want(o.pk for o in orders)

    resolve_customer = resolve_with(PartnerByIdLoader, "customer_id")
    resolve_lines = resolve_with(SalesOrderLinesByOrderIdLoader)


class SalesOrderConnection(CountableConnection):
    class Meta:
        node = SalesOrderNode
