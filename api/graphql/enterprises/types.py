"""Enterprises of the platform (public schema, tenants): only public facts (name, credit code,
industry, town), never anything from an enterprise's own schema; their government data comes from
api/graphql/govdata/ by credit code.
"""

from __future__ import annotations

import graphene

from api.graphql.core.dataloaders import loaded_as
from api.graphql.core.pagination import CountableConnection
from api.graphql.enterprises.dataloaders import EnterpriseByIdLoader
from api.graphql.govdata.dataloaders import CreditEventsByUsccLoader, CreditRatingsByUsccLoader, RegistryByUsccLoader
from api.graphql.govdata.types import GovRecordFields
from tenants.industries import INDUSTRY_NAMES


@loaded_as(EnterpriseByIdLoader)
class EnterpriseNode(GovRecordFields, graphene.ObjectType):
    class Meta:
        name = "Enterprise"
        interfaces = (graphene.relay.Node,)
        description = "An enterprise on the platform (public facts only)."

    name = graphene.String(required=True)
    short_name = graphene.String(required=True)
    uscc = graphene.String(required=True)
    industry = graphene.String(required=True, description="GB/T 4754-2017 class.")
    industry_name = graphene.String(required=True)
    town = graphene.String(required=True)

    @staticmethod
    def prepare(context, enterprises):
        codes = [e.uscc for e in enterprises]
        for loader in (RegistryByUsccLoader, CreditEventsByUsccLoader, CreditRatingsByUsccLoader):
            loader(context).want(codes)

    @staticmethod
    def resolve_industry_name(root, info):
        return str(INDUSTRY_NAMES.get(root.industry, ""))


class EnterpriseConnection(CountableConnection):
    class Meta:
        node = EnterpriseNode
