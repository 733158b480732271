from __future__ import annotations

import graphene

from api.graphql.accounts.types import ApiTokenConnection, Viewer, viewer_of
from api.graphql.core.auth import auth_of
from api.graphql.core.pagination import connection_field, paginate
from api.graphql.core.permissions import Host, Scope, permission_required
from api.tokens.models import ApiToken


class AccountQueries(graphene.ObjectType):
    me = graphene.Field(Viewer, required=True, description="Who is asking, on which enterprise, with which scopes.")
    api_tokens = connection_field(ApiTokenConnection, "The enterprise's API tokens, newest first (administrators).",
                                  include_revoked=graphene.Boolean(default_value=False))

    @staticmethod
    def resolve_me(root, info):
        return viewer_of(info)

    @staticmethod
    @permission_required(Scope.MANAGE_TOKENS, host=Host.ENTERPRISE)
    def resolve_api_tokens(root, info, include_revoked=False, **page):
        qs = ApiToken.objects.filter(enterprise=auth_of(info.context).enterprise).select_related("created_by")
        if not include_revoked:
            qs = qs.filter(revoked_at__isnull=True)
        return paginate(qs.order_by("-created_at", "-id"), ApiTokenConnection, info, **page)
