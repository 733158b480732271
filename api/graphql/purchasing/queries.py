from __future__ import annotations

import graphene

from api.graphql.core.pagination import connection_field, paginate
from api.graphql.core.permissions import Host, Scope, permission_required
from api.graphql.core.types import enum_value
from api.graphql.purchasing.types import PurchaseOrderConnection, PurchaseOrderStatusEnum
from erp_modules.purchasing.selectors import purchase_order_list


class PurchasingQueries(graphene.ObjectType):
    purchase_orders = connection_field(PurchaseOrderConnection, "Purchase orders, newest first.",
                                       search=graphene.String(), status=PurchaseOrderStatusEnum())

    @staticmethod
    @permission_required(Scope.ORDERS_READ, host=Host.ENTERPRISE)
    def resolve_purchase_orders(root, info, search=None, status=None, **page):
        qs = purchase_order_list(search=search or "", status=enum_value(status) or "")
        return paginate(qs, PurchaseOrderConnection, info, **page)
