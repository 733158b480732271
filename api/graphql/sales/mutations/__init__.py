import graphene

from api.graphql.sales.mutations.sales_order_create import SalesOrderCreate


class SalesMutations(graphene.ObjectType):
    sales_order_create = SalesOrderCreate.Field()
