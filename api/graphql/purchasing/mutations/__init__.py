import graphene

from api.graphql.purchasing.mutations.purchase_order_approve import PurchaseOrderApprove


class PurchasingMutations(graphene.ObjectType):
    purchase_order_approve = PurchaseOrderApprove.Field()
