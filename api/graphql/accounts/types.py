from __future__ import annotations

import graphene

from api.graphql.core.auth import auth_of
from api.graphql.core.pagination import CountableConnection
from api.graphql.enterprises.types import EnterpriseNode
from api.tokens.scopes import SCOPES

ApiScopeEnum = graphene.Enum("ApiScopeEnum", [(s.replace(":", "_").upper(), s) for s in SCOPES],
                             description="What an API token may do (see api/graphql/README.md).")


class AuthKindEnum(graphene.Enum):
    ANONYMOUS = "anonymous"
    SESSION = "session"
    TOKEN = "token"


class Viewer(graphene.ObjectType):
    auth_kind = AuthKindEnum(required=True)
    email = graphene.String(description="The logged-in user (sessions only).")
    is_office = graphene.Boolean(required=True)
    enterprise = graphene.Field(EnterpriseNode, description="The enterprise of this host, or of the token.")
    role = graphene.String(description="The member's role in the host's enterprise (sessions only).")
    scopes = graphene.List(graphene.NonNull(graphene.String), required=True)

    @staticmethod
    def resolve_auth_kind(root, info):
        return root.kind

    @staticmethod
    def resolve_email(root, info):
        return root.user.email if root.user is not None else None

    @staticmethod
    def resolve_is_office(root, info):
        return root.is_office

    @staticmethod
    def resolve_enterprise(root, info):
        return root.own_enterprise or root.enterprise

    @staticmethod
    def resolve_role(root, info):
        return root.membership.role if root.membership is not None else None

    @staticmethod
    def resolve_scopes(root, info):
        return sorted(root.scopes)


class ApiTokenNode(graphene.ObjectType):
    class Meta:
        name = "ApiToken"
        interfaces = (graphene.relay.Node,)
        description = "An API token of the enterprise (the secret itself is shown once, when it is created)."

    name = graphene.String(required=True)
    prefix = graphene.String(required=True, description="The public start of the token (dbk_<prefix>_…).")
    scopes = graphene.List(graphene.NonNull(ApiScopeEnum), required=True)
    created_at = graphene.DateTime(required=True)
    created_by = graphene.String(description="E-mail of the administrator who created it.")
    expires_at = graphene.DateTime()
    last_used_at = graphene.DateTime()
    revoked_at = graphene.DateTime()

    @staticmethod
    def resolve_created_by(root, info):
        return root.created_by.email if root.created_by_id and root.created_by else None


class ApiTokenConnection(CountableConnection):
    class Meta:
        node = ApiTokenNode


def viewer_of(info):
    return auth_of(info.context)
