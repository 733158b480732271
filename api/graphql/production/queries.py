from __future__ import annotations

import graphene

from api.graphql.core.pagination import connection_field, paginate
from api.graphql.core.permissions import Host, Scope, permission_required
from api.graphql.core.types import enum_value
from api.graphql.production.types import WorkOrderConnection, WorkOrderStatusEnum
from erp_modules.production.selectors import work_order_list


class ProductionQueries(graphene.ObjectType):
    work_orders = connection_field(WorkOrderConnection, "Work orders, newest first.", search=graphene.String(),
                                   status=WorkOrderStatusEnum())

    @staticmethod
    @permission_required(Scope.PRODUCTION_READ, host=Host.ENTERPRISE)
    def resolve_work_orders(root, info, search=None, status=None, **page):
        qs = work_order_list(search=search or "", status=enum_value(status) or "")
        return paginate(qs, WorkOrderConnection, info, **page)
