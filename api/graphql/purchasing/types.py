from __future__ import annotations

import graphene

from api.graphql.catalog.dataloaders import ItemByIdLoader
from api.graphql.catalog.types import ItemNode
from api.graphql.core.dataloaders import loaded_as
from api.graphql.core.pagination import CountableConnection
from api.graphql.core.types import enum_from_choices, resolve_with, want_related
from api.graphql.partners.dataloaders import PartnerByIdLoader
from api.graphql.partners.types import PartnerNode
from api.graphql.purchasing.dataloaders import PurchaseOrderLinesByOrderIdLoader
from erp_modules.purchasing.models import PurchaseOrder

PurchaseOrderStatusEnum = enum_from_choices("PurchaseOrderStatusEnum", PurchaseOrder.Status)


@loaded_as(PurchaseOrderLinesByOrderIdLoader)
class PurchaseOrderLineType(graphene.ObjectType):
    class Meta:
        name = "PurchaseOrderLine"

    line_no = graphene.Int(required=True)
    item = graphene.Field(ItemNode, required=True)
    description = graphene.String(required=True)
    revision = graphene.String(required=True, description="The part's revision to supply (e.g. B); empty: any.")
    quantity = graphene.Decimal(required=True)
    unit_price = graphene.Decimal(required=True, description="Excluding VAT.")
    vat_rate = graphene.Decimal(required=True)
    net_amount = graphene.Decimal(required=True)
    vat_amount = graphene.Decimal(required=True)
    received_quantity = graphene.Decimal(required=True)
    invoiced_quantity = graphene.Decimal(required=True)
    expected_date = graphene.Date()

    @staticmethod
    def prepare(context, lines):
        want_related(context, ItemByIdLoader, lines, "item")

    resolve_item = resolve_with(ItemByIdLoader, "item_id")


class PurchaseOrderNode(graphene.ObjectType):
    class Meta:
        name = "PurchaseOrder"
        interfaces = (graphene.relay.Node,)

    number = graphene.String(required=True)
    status = PurchaseOrderStatusEnum(required=True)
    supplier = graphene.Field(PartnerNode, required=True)
    order_date = graphene.Date(required=True)
    expected_date = graphene.Date()
    currency = graphene.String(required=True)
    amount_net = graphene.Decimal(required=True)
    amount_vat = graphene.Decimal(required=True)
    amount_total = graphene.Decimal(required=True)
    created_at = graphene.DateTime(required=True)
    lines = graphene.List(graphene.NonNull(PurchaseOrderLineType), required=True)
    credit_override_reason = graphene.String(
        required=True, description="Why it was approved despite the supplier's credit warning (empty: no override).")

    @staticmethod
    def prepare(context, orders):
        want_related(context, PartnerByIdLoader, orders, "supplier")
        PurchaseOrderLinesByOrderIdLoader(context).want(o.pk for o in orders)

    resolve_supplier = resolve_with(PartnerByIdLoader, "supplier_id")
    resolve_lines = resolve_with(PurchaseOrderLinesByOrderIdLoader)


class PurchaseOrderConnection(CountableConnection):
    class Meta:
        node = PurchaseOrderNode
