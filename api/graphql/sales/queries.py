from __future__ import annotations

import graphene
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from api.graphql.core.errors import NotFound
from api.graphql.core.mutations import pk_from_global_id
from api.graphql.core.pagination import connection_field, paginate
from api.graphql.core.permissions import Host, Scope, permission_required
from api.graphql.core.types import enum_value
from api.graphql.sales.types import SalesOrderConnection, SalesOrderNode, SalesOrderStatusEnum
from erp_modules.sales.selectors import sales_order_get, sales_order_list


class SalesQueries(graphene.ObjectType):
    sales_orders = connection_field(SalesOrderConnection, "Sales orders, newest first.", search=graphene.String(),
                                    status=SalesOrderStatusEnum())
    sales_order = graphene.Field(SalesOrderNode, id=graphene.ID(required=True))

    @staticmethod
    @permission_required(Scope.ORDERS_READ, host=Host.ENTERPRISE)
    def resolve_sales_orders(root, info, search=None, status=None, **page):
        qs = sales_order_list(search=search or "", status=enum_value(status) or "")
        return paginate(qs, SalesOrderConnection, info, **page)

    @staticmethod
    @permission_required(Scope.ORDERS_READ, host=Host.ENTERPRISE)
    def resolve_sales_order(root, info, id):
        try:
            order = sales_order_get(order_id=pk_from_global_id(id, "SalesOrder"))
        except ValidationError:
            order = None
        if order is None:
            raise NotFound(_("No sales order has this ID."))
        SalesOrderNode.prepare(info.context, [order])
        return order

