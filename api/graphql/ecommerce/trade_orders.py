"""The orders an accepted quotation became (ecommerce.TradeOrder), on the quotation: the buyer's purchase
order's number and the supplier's sales order's number and state. Seen by the buyer and the supplier only
(both know both numbers: the supplier's sales order carries the buyer's order number as its reference);
null for everyone else. Nothing here reads an enterprise's own schema: the numbers are kept on the public row."""

from __future__ import annotations

import graphene

from api.graphql.core.dataloaders import DataLoader
from api.graphql.core.types import enum_from_choices
from api.graphql.ecommerce.actor import reading_for
from ecommerce.models import TradeOrder

SalesOrderStateEnum = enum_from_choices("SalesOrderStateEnum", TradeOrder.SalesState,
                                        "Whether the supplier's draft sales order was made.")


class TradeOrderByQuotationIdLoader(DataLoader[int, TradeOrder]):
    def batch_load(self, keys):
        rows = {t.quotation_id: t for t in TradeOrder.objects.filter(quotation_id__in=keys)}
        return [rows.get(k) for k in keys]


class TradeOrderType(graphene.ObjectType):
    class Meta:
        name = "TradeOrder"
        description = ("The orders an accepted quotation became: the buyer's draft purchase order (made when it "
                       "was accepted) and the supplier's draft sales order (made after, when the supplier runs its "
                       "ERP on the platform). For the buyer and the supplier only.")

    purchase_order_number = graphene.String(description="The buyer's purchase order; null while there is none.")
    purchase_error = graphene.String(required=True, description="Why there is no purchase order yet (else empty).")
    sales_order_number = graphene.String(description="The supplier's sales order; null while there is none.")
    sales_state = SalesOrderStateEnum(required=True)
    sales_error = graphene.String(required=True, description="Why there is no sales order (else empty).")
    amount = graphene.Decimal(required=True, description="CNY incl. VAT, delivered.")

    @staticmethod
    def resolve_purchase_order_number(root, info):
        return root.purchase_order_number or None

    @staticmethod
    def resolve_sales_order_number(root, info):
        return root.sales_order_number or None


def resolve_trade_order(quotation, info):
    """The quotation's TradeOrder for its buyer or its supplier; null for anyone else or before acceptance."""
    trade_order = TradeOrderByQuotationIdLoader(info.context).load(quotation.pk)
    if trade_order is None or not {trade_order.buyer_id, trade_order.supplier_id} & reading_for(info.context):
        return None
    return trade_order
