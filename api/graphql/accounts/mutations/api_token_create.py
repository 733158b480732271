from __future__ import annotations

import graphene

from api.graphql.accounts.errors import TokenError
from api.graphql.accounts.types import ApiScopeEnum, ApiTokenNode
from api.graphql.core.auth import auth_of
from api.graphql.core.mutations import BaseMutation
from api.graphql.core.permissions import Host, Scope
from api.graphql.core.types import enum_value
from api.tokens.services import api_token_create


class ApiTokenCreateInput(graphene.InputObjectType):
    name = graphene.String(required=True, description="What will use it (e.g. 'MES line 2').")
    scopes = graphene.List(graphene.NonNull(ApiScopeEnum), required=True)
    expires_at = graphene.DateTime()


class ApiTokenCreate(BaseMutation):
    api_token = graphene.Field(ApiTokenNode)
    token = graphene.String(description="The secret: shown this once, store it now.")

    class Arguments:
        input = ApiTokenCreateInput(required=True)

    class Meta:
        description = "Create an API token for this enterprise (administrators, logged in)."
        permissions = (Scope.MANAGE_TOKENS,)
        error_type = TokenError
        host = Host.ENTERPRISE

    @classmethod
    def perform_mutation(cls, root, info, input):
        auth = auth_of(info.context)
        created = api_token_create(enterprise=auth.enterprise, name=input.name,
                                   scopes=[enum_value(s) for s in input.scopes], user=auth.user,
                                   expires_at=input.expires_at)
        return cls(api_token=created.api_token, token=created.token)
