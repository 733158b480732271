import graphene

from api.graphql.sales.mutations.sales_order_confirm import SalesOrderConfirm, SalesOrderReserveAvailable
from api.graphql.sales.mutations.sales_order_create import SalesOrderCreate


class SalesMutations(graphene.ObjectType):
    sales_order_create = SalesOrderCreate.Field()
    sales_order_confirm = SalesOrderConfirm.Field()
    sales_order_reserve_available = SalesOrderReserveAvailable.Field()
