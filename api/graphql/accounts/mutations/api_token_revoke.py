from __future__ import annotations

import graphene
from django.utils.translation import gettext as _

from api.graphql.accounts.errors import TokenError
from api.graphql.accounts.types import ApiTokenNode
from api.graphql.core.auth import auth_of
from api.graphql.core.mutations import BaseMutation, one_or_not_found
from api.graphql.core.permissions import Host, Scope
from api.tokens.models import ApiToken
from api.tokens.services import api_token_revoke


class ApiTokenRevoke(BaseMutation):
    api_token = graphene.Field(ApiTokenNode)

    class Arguments:
        id = graphene.ID(required=True)

    class Meta:
        description = "Revoke an API token of this enterprise at once (administrators, logged in)."
        permissions = (Scope.MANAGE_TOKENS,)
        error_type = TokenError
        host = Host.ENTERPRISE

    @classmethod
    def perform_mutation(cls, root, info, id):
        auth = auth_of(info.context)
        token = one_or_not_found(ApiToken.objects.filter(enterprise=auth.enterprise), id, "ApiToken",
                                 _("No ApiToken has this ID."))
        return cls(api_token=api_token_revoke(api_token=token, user=auth.user))
