from __future__ import annotations

import graphene

from api.graphql.core.pagination import connection_field, paginate
from api.graphql.core.permissions import Host, Scope, permission_required
from api.graphql.partners.types import PartnerConnection
from erp_modules.partners.selectors import partner_list


class PartnerQueries(graphene.ObjectType):
    partners = connection_field(PartnerConnection, "Customers and suppliers, by code.", search=graphene.String(),
                                is_customer=graphene.Boolean(), is_supplier=graphene.Boolean())

    @staticmethod
    @permission_required(Scope.ORDERS_READ, host=Host.ENTERPRISE)
    def resolve_partners(root, info, search=None, is_customer=None, is_supplier=None, **page):
        qs = partner_list(search=search or "", customers=is_customer, suppliers=is_supplier)
        return paginate(qs, PartnerConnection, info, **page)
