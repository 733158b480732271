"""The GraphQL schema (graphene-django): the domains of api/graphql/<domain>/ are joined here.

One schema serves both kinds of host. Fields of an enterprise's own data (catalog, stock, orders,
work orders, PDM, logistics, tokens) answer only on that enterprise's host (ENTERPRISE_HOST_REQUIRED elsewhere),
where the connection's search path is the enterprise's schema; the public host serves only public
tables (enterprises, government data, the boards). Exported to api/schema.graphql:

    .venv/bin/python manage.py graphql_schema --schema api.graphql.schema.schema --out api/schema.graphql
"""

import graphene

from api.graphql.accounts.mutations import AccountMutations
from api.graphql.accounts.queries import AccountQueries
from api.graphql.billing.queries import BillingQueries
from api.graphql.catalog.mutations import CatalogMutations
from api.graphql.catalog.queries import CatalogQueries
from api.graphql.core.scalars import harden_scalars
from api.graphql.ecommerce.mutations import BoardMutations
from api.graphql.ecommerce.queries import BoardQueries
from api.graphql.enterprises.queries import EnterpriseQueries
from api.graphql.govdata.queries import GovdataQueries
from api.graphql.inventory.queries import InventoryQueries
from api.graphql.logistics.mutations import LogisticsMutations
from api.graphql.logistics.queries import LogisticsQueries
from api.graphql.partners.queries import PartnerQueries
from api.graphql.pdm.mutations import PdmMutations
from api.graphql.pdm.queries import PdmQueries
from api.graphql.production.queries import ProductionQueries
from api.graphql.purchasing.mutations import PurchasingMutations
from api.graphql.purchasing.queries import PurchasingQueries
from api.graphql.sales.mutations import SalesMutations
from api.graphql.sales.queries import SalesQueries


class Query(AccountQueries, GovdataQueries, EnterpriseQueries, BoardQueries, CatalogQueries, InventoryQueries, PartnerQueries,
            SalesQueries, PurchasingQueries, ProductionQueries, PdmQueries, LogisticsQueries, BillingQueries,
            graphene.ObjectType):
    # graphene lists the fields of the last base first: the exported schema keeps this order
    ping = graphene.String(description="Answers 'pong' (health of the API).")

    def resolve_ping(root, info):
        return "pong"


class Mutation(AccountMutations, BoardMutations, CatalogMutations, SalesMutations, PurchasingMutations, PdmMutations,
               LogisticsMutations, graphene.ObjectType):
    pass


schema = graphene.Schema(query=Query, mutation=Mutation)
harden_scalars(schema.graphql_schema)  # strict Decimal / Date / DateTime input (core/scalars.py)
