"""The plan's guard for GraphQL, on an enterprise host (tenants.entitlements says which code belongs to
which module; billing writes the enterprise's modules and access).

- A field of a module that is off answers the typed top-level error NOT_IN_PLAN (`extensions`: `module`,
  `type`, `field`) and null, like a refused scope (a non-null field's null goes up to its parent, as GraphQL
  wants; the root connections are non-null, so `{ parts { … } }` answers `data: null`). A field belongs to the
  module of its type's package (api/graphql/<package>/: catalog, inventory, partners, purchasing, sales,
  production → erp; pdm; logistics) and to the module of the type it returns (a connection: its node's), so
  `items`, `parts`, `shipments` and `partCreate` are refused at the root, before anything is read.
- Under read-only access (payment overdue past the grace period) every mutation answers READ_ONLY; reads
  (queries, which are POSTs too) go on.

Checked by ScopeMiddleware (core/scopes.py) before the scopes, for every field at every depth; the table
(type, field) → modules is computed once per schema, and the enterprise is the one already on the request:
a field costs two dictionary look-ups. The public host (the boards: open to every plan) is not concerned.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from graphql import GraphQLObjectType, get_named_type

from api.graphql.core.auth import auth_of
from api.graphql.core.errors import ApiError
from tenants import entitlements


class NotInPlan(ApiError):
    code = "NOT_IN_PLAN"


class ReadOnly(ApiError):
    code = "READ_ONLY"


def _type_module(type_) -> str | None:
    graphene_type = getattr(type_, "graphene_type", None)
    if graphene_type is None:
        return None
    return entitlements.module_for_package(getattr(graphene_type, "__module__", "") or "")


def _node_type(schema, type_):
    """The node of a connection or an edge (ItemConnection → Item), else the type itself."""
    fields = getattr(type_, "fields", {})
    if "edges" in fields and "pageInfo" in fields:
        return _node_type(schema, get_named_type(fields["edges"].type))
    if "node" in fields and "cursor" in fields:
        return get_named_type(fields["node"].type)
    return type_


def modules_table(schema) -> dict[tuple[str, str], frozenset[str]]:
    """(type, field) → the modules the field needs (only fields that need one), computed once per schema."""
    table = getattr(schema, "_plan_modules", None)
    if table is None:
        table = {}
        for name, type_ in schema.type_map.items():
            if name.startswith("__") or not isinstance(type_, GraphQLObjectType):
                continue
            own = _type_module(_node_type(schema, type_))
            for field_name, field in type_.fields.items():
                returned = get_named_type(field.type)
                needed = {own, _type_module(_node_type(schema, returned))} - {None}
                if needed:
                    table[(name, field_name)] = frozenset(needed)
        schema._plan_modules = table
    return table


def plan_check(info) -> None:
    """Raise NOT_IN_PLAN / READ_ONLY for this field, on an enterprise host."""
    auth = auth_of(info.context)
    enterprise = auth.enterprise
    if enterprise is None:
        return
    if info.parent_type is info.schema.mutation_type and entitlements.is_read_only(enterprise):
        error = ReadOnly(entitlements.read_only_message())
        error.extensions.update({"field": info.field_name, "billingUrl": entitlements.BILLING_PATH})
        raise error
    needed = modules_table(info.schema).get((info.parent_type.name, info.field_name))
    if not needed:
        return
    for module in sorted(needed):
        if not entitlements.module_enabled(enterprise, module):
            error = NotInPlan(_("“%(field)s”: %(message)s") % {"field": info.field_name,
                                                               "message": entitlements.not_in_plan_message(module)})
            error.extensions.update({"module": module, "type": info.parent_type.name, "field": info.field_name})
            raise error
