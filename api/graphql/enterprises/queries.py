from __future__ import annotations

import graphene
from django.db.models import Q

from api.graphql.core.pagination import connection_field, paginate
from api.graphql.enterprises.types import EnterpriseConnection, EnterpriseNode
from core.uscc import normalize_uscc
from tenants.models import Enterprise


def _public_enterprises():
    return Enterprise.objects.filter(status=Enterprise.Status.ACTIVE)


class EnterpriseQueries(graphene.ObjectType):
    enterprises = connection_field(EnterpriseConnection, "Enterprises on the platform, by name.",
                                   search=graphene.String(description="Name, short name or credit code."),
                                   industry=graphene.String(description="GB/T 4754 class, e.g. 3854."))
    enterprise = graphene.Field(EnterpriseNode, uscc=graphene.String(required=True))

    @staticmethod
    def resolve_enterprises(root, info, search=None, industry=None, **page):
        qs = _public_enterprises()
        if search:
            qs = qs.filter(Q(name__icontains=search) | Q(short_name__icontains=search) | Q(uscc=normalize_uscc(search)))
        if industry:
            qs = qs.filter(industry=industry)
        return paginate(qs.order_by("name", "id"), EnterpriseConnection, info, **page)

    @staticmethod
    def resolve_enterprise(root, info, uscc):
        enterprise = _public_enterprises().filter(uscc=normalize_uscc(uscc)).first()
        if enterprise is not None:
            EnterpriseNode.prepare(info.context, [enterprise])
        return enterprise

