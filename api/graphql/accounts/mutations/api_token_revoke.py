from __future__ import annotations

import graphene
from django.utils.translation import gettext as _

from api.govdata.error_codes import TokenErrorCode
from api.govdata.models import ApiToken
from api.govdata.tokens import api_token_revoke
from api.graphql.accounts.types import ApiTokenNode
from api.graphql.core.auth import auth_of
from api.graphql.core.mutations import BaseMutation, pk_from_global_id
from api.graphql.core.permissions import Host, Scope
from core.errors import field_error


class ApiTokenRevoke(BaseMutation):
    api_token = graphene.Field(ApiTokenNode)

    class Arguments:
        id = graphene.ID(required=True)

    class Meta:
        description = "Revoke an API token of this enterprise at once (administrators, logged in)."
        permissions = (Scope.MANAGE_TOKENS,)
        host = Host.ENTERPRISE

    @classmethod
    def perform_mutation(cls, root, info, id):
        auth = auth_of(info.context)
        # another enterprise's token is "not found", exactly like a missing one
        token = ApiToken.objects.filter(pk=pk_from_global_id(id, "ApiToken"), enterprise=auth.enterprise).first()
        if token is None:
            raise field_error("id", _("No ApiToken has this ID."), TokenErrorCode.NOT_FOUND)
        return cls(api_token=api_token_revoke(api_token=token, user=auth.user))
