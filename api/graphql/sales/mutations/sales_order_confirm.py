from __future__ import annotations

import graphene
from django.utils.translation import gettext as _

from api.graphql.core.auth import auth_of
from api.graphql.core.mutations import BaseMutation, pk_from_global_id
from api.graphql.core.permissions import Host, Scope
from api.graphql.sales.types import SalesOrderNode
from core.errors import field_error
from erp_modules.sales.selectors import sales_order_get
from erp_modules.sales.services import sales_order_confirm, sales_order_reserve_available


def _order(order_id: str):
    order = sales_order_get(order_id=pk_from_global_id(order_id, "SalesOrder"))
    if order is None:
        raise field_error("id", _("No SalesOrder has this ID."), "not_found")
    return order


class SalesOrderConfirm(BaseMutation):
    sales_order = graphene.Field(SalesOrderNode)

    class Arguments:
        id = graphene.ID(required=True)
        allow_shortage = graphene.Boolean(
            default_value=False, description="Make to order: reserve what is in stock and confirm anyway (the rest "
                                             "is planned by MRP and reserved later with salesOrderReserveAvailable). "
                                             "False: every line must be reservable, else insufficient_stock.")

    class Meta:
        description = "Confirm a draft sales order: its stock is reserved."
        permissions = (Scope.ORDERS_WRITE,)
        host = Host.ENTERPRISE

    @classmethod
    def perform_mutation(cls, root, info, id, allow_shortage=False):
        order = sales_order_confirm(order=_order(id), user=auth_of(info.context).user, allow_shortage=allow_shortage)
        return cls(sales_order=sales_order_get(order_id=order.pk))


class SalesOrderReserveAvailable(BaseMutation):
    sales_order = graphene.Field(SalesOrderNode)

    class Arguments:
        id = graphene.ID(required=True)

    class Meta:
        description = "“Check availability”: reserve for an open order's short lines from the stock in now."
        permissions = (Scope.ORDERS_WRITE,)
        host = Host.ENTERPRISE

    @classmethod
    def perform_mutation(cls, root, info, id):
        order = sales_order_reserve_available(order=_order(id), user=auth_of(info.context).user)
        return cls(sales_order=sales_order_get(order_id=order.pk))
