"""Partners (erp_modules/partners/): the customers and suppliers that sales and purchase orders name."""

from __future__ import annotations

import graphene

from api.graphql.core.pagination import CountableConnection


class PartnerNode(graphene.ObjectType):
    class Meta:
        name = "Partner"
        interfaces = (graphene.relay.Node,)
        description = "A customer and/or supplier of the enterprise."

    code = graphene.String(required=True)
    name = graphene.String(required=True)
    is_customer = graphene.Boolean(required=True)
    is_supplier = graphene.Boolean(required=True)
    uscc = graphene.String(required=True, description="Unified Social Credit Code, when the partner is an enterprise.")
    currency = graphene.String(required=True)
    payment_terms_days = graphene.Int(required=True)
    active = graphene.Boolean(required=True)


class PartnerConnection(CountableConnection):
    class Meta:
        node = PartnerNode
