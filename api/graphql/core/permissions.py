"""Permissions, declared once per query field (`@permission_required`) and once per mutation
(`Meta.permissions` / `Meta.host`, checked by BaseMutation)."""

from __future__ import annotations

from enum import Enum
from functools import wraps

from django.utils.translation import gettext as _

from api.graphql.core.auth import MANAGE_TOKENS, auth_of
from api.graphql.core.errors import EnterpriseHostRequired, PermissionDenied, Unauthenticated


class Host(str, Enum):
    ANY = "any"
    PUBLIC = "public"
    ENTERPRISE = "enterprise"


class Scope:
    CATALOG_READ = "catalog:read"
    CATALOG_WRITE = "catalog:write"
    STOCK_READ = "stock:read"
    ORDERS_READ = "orders:read"
    ORDERS_WRITE = "orders:write"
    PRODUCTION_READ = "production:read"
    GOVDATA_READ = "govdata:read"
    BOARDS_READ = "boards:read"
    BOARDS_WRITE = "boards:write"
    MANAGE_TOKENS = MANAGE_TOKENS  # admins' sessions only


def check_permissions(info, *, scopes=(), host: Host = Host.ANY) -> None:
    auth = auth_of(info.context)
    if host == Host.ENTERPRISE and not auth.on_enterprise_host:
        raise EnterpriseHostRequired(_("This field is only available on an enterprise's own address "
                                       "(https://<enterprise>.<platform>/graphql/)."))
    if host == Host.PUBLIC and auth.on_enterprise_host:
        raise PermissionDenied(_("This field is only available on the platform's public address."))
    if not scopes:
        return
    if auth.kind == "anonymous":
        raise Unauthenticated(_("Log in or send an API token (Authorization: Bearer …)."))
    missing = [s for s in scopes if not auth.has_scope(s)]
    if missing:
        if MANAGE_TOKENS in missing:
            raise PermissionDenied(_("Only an administrator of the enterprise, logged in, can manage API tokens."))
        raise PermissionDenied(_("Missing permission: %(scopes)s.") % {"scopes": ", ".join(missing)})


def permission_required(*scopes: str, host: Host = Host.ANY):
    """Decorate a resolver: the caller needs every scope, on the given kind of host."""

    def decorator(resolver):
        @wraps(resolver)
        def wrapped(root, info, *args, **kwargs):
            check_permissions(info, scopes=scopes, host=host)
            return resolver(root, info, *args, **kwargs)

        wrapped.permissions = (tuple(scopes), host)
        return wrapped

    return decorator
