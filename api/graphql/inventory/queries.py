from __future__ import annotations

import graphene

from api.graphql.core.pagination import connection_field, paginate
from api.graphql.core.permissions import Host, Scope, permission_required
from api.graphql.inventory.types import StockLevelConnection
from erp_modules.inventory.models import Warehouse
from erp_modules.inventory.selectors import stock_level_list


class InventoryQueries(graphene.ObjectType):
    stock_levels = connection_field(StockLevelConnection, "Stock by item, warehouse and location (non-zero only).",
                                    search=graphene.String(description="Item code or name, or lot."),
                                    warehouse=graphene.String(description="Warehouse code."))

    @staticmethod
    @permission_required(Scope.STOCK_READ, host=Host.ENTERPRISE)
    def resolve_stock_levels(root, info, search=None, warehouse=None, **page):
        if warehouse:
            found = Warehouse.objects.filter(code=warehouse).first()
            if found is None:
                return paginate(stock_level_list().none(), StockLevelConnection, info, **page)
            qs = stock_level_list(warehouse=found, search=search or "")
        else:
            qs = stock_level_list(search=search or "")
        return paginate(qs, StockLevelConnection, info, **page)
