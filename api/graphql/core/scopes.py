"""Which scope each object type needs, enforced for every field at every depth, in one place.

A root field checks its own scope (`@permission_required`), but objects lead to other objects:
`salesOrders { lines { item { standardCost currentBom { lines { component … } } } } }` reaches the
catalog from an order. So the rule is kept per *type*, here, and `ScopeMiddleware` (installed by the
view) checks it before any field of that type is resolved, however deep:

- TYPE_SCOPES: the scopes (any one of them) needed to read the fields of a type. A connection and its
  edge need what their node needs. A type not listed is public (enterprises, boards, listings …);
  `api/graphql/tests/test_scope_walk.py` fails for a type that is neither listed nor in PUBLIC_TYPES.
- REFERENCE_FIELDS: the few fields that say *which* object it is (an item's code, name and unit), readable
  with any scope whose objects point at the type (an order line names its item for `orders:read`); the
  rest of the type (costs, planning data, its BOM) still needs the type's own scope.
- FIELD_SCOPES: sensitive fields that need a scope more (stock on hand of an item, the cost of a work order).
- QUIET_FIELDS: fields of public types that answer "none" rather than an error to callers without the
  scope (an RFQ's quotations on a public listing: the public sees a listing without them).

A `…:write` scope reads the objects it writes (listed beside the `…:read` scope). Sessions keep their
role-based scopes (`auth.scopes_for_role`: a member on the enterprise's host reads everything its role
reads); `office=True` lets the informatization office read government data on any host.

A refusal is a typed error at the field, like the root fields' (`PERMISSION_DENIED`, `extensions.reason`
`token_scope` for a token, `role_too_low` for a session; `UNAUTHENTICATED` for an anonymous caller),
with `extensions.scopes` (any one of them suffices), `type` and `field`; the rest of the answer stays.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from graphql import GraphQLObjectType, get_named_type, get_nullable_type, is_list_type

from api.graphql.core.auth import auth_of
from api.graphql.core.entitlements import plan_check
from api.graphql.core.errors import PermissionDenied, Unauthenticated
from api.graphql.core.permissions import Scope


@dataclass(frozen=True)
class AnyOf:
    """One of these scopes is needed (the first is the one named in messages)."""

    scopes: tuple[str, ...]
    office: bool = False  # the informatization office passes too

    def allows(self, auth) -> bool:
        return any(auth.has_scope(s) for s in self.scopes) or (self.office and auth.is_office)


def any_of(*scopes: str, office: bool = False) -> AnyOf:
    return AnyOf(tuple(scopes), office)


CATALOG = any_of(Scope.CATALOG_READ, Scope.CATALOG_WRITE)
STOCK = any_of(Scope.STOCK_READ)
ORDERS = any_of(Scope.ORDERS_READ, Scope.ORDERS_WRITE)
PURCHASING = any_of(Scope.ORDERS_READ)
PRODUCTION = any_of(Scope.PRODUCTION_READ)
GOVDATA = any_of(Scope.GOVDATA_READ, office=True)
BOARDS = any_of(Scope.BOARDS_READ, Scope.BOARDS_WRITE)
TOKENS = any_of(Scope.MANAGE_TOKENS)
ERP_ANY = any_of(Scope.CATALOG_READ, Scope.CATALOG_WRITE, Scope.ORDERS_READ, Scope.ORDERS_WRITE, Scope.STOCK_READ,
                 Scope.PRODUCTION_READ, "pdm:read", "pdm:write")  # PDM: a part names its item (and its unit)
PDM = any_of("pdm:read", "pdm:write")  # parts, revisions, documents, ECOs (api/graphql/pdm/)
LOGISTICS = any_of("logistics:read", "logistics:write")  # shipments, parcels, carriers (api/graphql/logistics/)
BILLING = any_of("billing:read")  # the enterprise's subscription and invoices (api/graphql/billing/)

TYPE_SCOPES: dict[str, AnyOf] = {
    # catalog: items (costs, planning data) and bills of materials
    "Item": CATALOG,
    "ItemCategory": CATALOG,
    "Bom": CATALOG,
    "BomLine": CATALOG,
    "ExplodedLine": CATALOG,
    "Unit": ERP_ANY,  # the unit of an item's quantities: read wherever an item is named
    # stock
    "StockLevel": STOCK,
    "Location": STOCK,
    "Warehouse": STOCK,
    "Lot": STOCK,
    # orders
    "SalesOrder": ORDERS,
    "SalesOrderLine": ORDERS,
    "Partner": ORDERS,
    "PurchaseOrder": PURCHASING,
    "PurchaseOrderLine": PURCHASING,
    # production
    "WorkOrder": PRODUCTION,
    "WorkOrderComponent": PRODUCTION,
    # government data (Enterprise.registry / .credit also check that it is the caller's own enterprise)
    "RegistryRecord": GOVDATA,
    "Credit": GOVDATA,
    "CreditRating": GOVDATA,
    "CreditEvent": GOVDATA,
    "Provenance": GOVDATA,
    # the boards' private side (listings themselves are public)
    "Quotation": BOARDS,
    "TradeOrder": BOARDS,  # the orders an accepted quotation became (its buyer and supplier only)
    "InquiryThread": BOARDS,
    "InquiryMessage": BOARDS,
    # administrators' sessions only
    "ApiToken": TOKENS,
    # PDM (api/graphql/pdm/): what a where-used touches (orders, stock) keeps the scopes of its own types
    "Part": PDM,
    "PartRevision": PDM,
    "PartBomLine": PDM,
    "WhereUsed": PDM,
    "WhereUsedLine": PDM,
    "WhereUsedTop": PDM,
    "WhereUsedStock": PDM,
    "WhereUsedWorkOrder": PRODUCTION,  # an open work order a where-used names (as WorkOrder)
    "Document": PDM,
    "DocumentVersion": PDM,
    "Eco": PDM,
    "EcoType": PDM,
    "EcoStage": PDM,
    "EcoAffectedPart": PDM,
    "EcoApproval": PDM,
    # logistics (api/graphql/logistics/)
    "Shipment": LOGISTICS,
    "Parcel": LOGISTICS,
    "TrackingEvent": LOGISTICS,
    "Carrier": LOGISTICS,
    "Contract": LOGISTICS,
    "RateQuote": LOGISTICS,
    # billing (api/graphql/billing/): the statement types are the office's (subsidyStatement checks the office)
    "BillingSubscription": BILLING,
    "SubscriptionSubsidy": BILLING,
    "BillingInvoice": BILLING,
    "BillingInvoiceLine": BILLING,
}

# Types anyone may read (what they lead to is checked by its own type). A new type must be put here or
# in TYPE_SCOPES (the scope walk test says so); connections, edges and mutation payloads follow their node.
PUBLIC_TYPES = frozenset({
    "Query", "Mutation", "PageInfo", "Viewer",
    "CatalogError", "SalesError", "BoardsError", "TokenError",  # mutation errors (core/error_codes.py)
    "PdmError", "LogisticsError", "PurchasingError",
    "Enterprise", "GovRecord", "CreditBadge",
    "Board", "BoardCategory", "Listing", "ListingAttribute", "ListingMatch",
    "CapacityWeek", "ErpLink",  # a listing's capacity; its ERP source (resolved for the poster only)
    "BillingPlan", "SubsidyStatement", "SubsidyStatementLine",  # plans are public; the statement: office only
})

REFERENCE_FIELDS: dict[str, tuple[frozenset[str], AnyOf]] = {
    "Item": (frozenset({"id", "code", "name", "nameEn", "itemType", "uom"}), ERP_ANY),
}

QUIET_FIELDS: dict[tuple[str, str], AnyOf] = {
    ("Listing", "quotations"): BOARDS,
}

FIELD_SCOPES: dict[tuple[str, str], AnyOf] = {
    ("Item", "stockOnHand"): STOCK,
    ("WorkOrder", "unitCost"): CATALOG,  # a cost, like an item's standard and average cost
}


def node_type_name(type_: GraphQLObjectType) -> str | None:
    """The node of a connection (`ItemConnection`) or an edge (`ItemEdge`), else None."""
    fields = type_.fields
    if "edges" in fields and "pageInfo" in fields:
        edge = get_named_type(fields["edges"].type)
        return node_type_name(edge) if isinstance(edge, GraphQLObjectType) else None
    if "node" in fields and "cursor" in fields:
        return get_named_type(fields["node"].type).name
    return None


def type_scope(schema, type_name: str) -> AnyOf | None:
    """The scope a type needs: its own, or its node's for a connection or an edge."""
    if type_name in TYPE_SCOPES:
        return TYPE_SCOPES[type_name]
    type_ = schema.get_type(type_name)
    if isinstance(type_, GraphQLObjectType):
        node = node_type_name(type_)
        if node is not None:
            return TYPE_SCOPES.get(node)
    return None


def field_requirements(schema, type_name: str, field_name: str) -> tuple[AnyOf, ...]:
    """Every AnyOf the caller must satisfy to read `type_name.field_name`."""
    needed = []
    scope = type_scope(schema, type_name)
    if scope is not None:
        reference = REFERENCE_FIELDS.get(type_name)
        if reference is not None and field_name in reference[0]:
            scope = AnyOf(scope.scopes + tuple(s for s in reference[1].scopes if s not in scope.scopes),
                          scope.office or reference[1].office)
        needed.append(scope)
    extra = FIELD_SCOPES.get((type_name, field_name))
    if extra is not None:
        needed.append(extra)
    return tuple(needed)


def requirements_table(schema) -> dict[tuple[str, str], tuple[AnyOf, ...]]:
    """(type, field) → requirements, for every field of every object type that has some (computed once)."""
    table = getattr(schema, "_scope_requirements", None)
    if table is None:
        table = {}
        for name, type_ in schema.type_map.items():
            if name.startswith("__") or not isinstance(type_, GraphQLObjectType):
                continue
            for field_name in type_.fields:
                needed = field_requirements(schema, name, field_name)
                if needed:
                    table[(name, field_name)] = needed
        schema._scope_requirements = table
    return table


def refusal(auth, requirement: AnyOf, type_name: str, field_name: str):
    """The error for a caller without the requirement's scope."""
    if auth.kind == "anonymous":
        return Unauthenticated(_("Log in or send an API token (Authorization: Bearer …)."))
    error = PermissionDenied(_("Reading “%(field)s” of %(type)s needs the scope %(scope)s.")
                             % {"field": field_name, "type": type_name, "scope": requirement.scopes[0]})
    error.extensions.update({"reason": "token_scope" if auth.kind == "token" else "role_too_low",
                             "scopes": list(requirement.scopes), "type": type_name, "field": field_name})
    return error


class ScopeMiddleware:
    """graphene middleware: before a field is resolved, the enterprise's plan (core/entitlements.py), then its
    type's and its own scopes are checked."""

    def resolve(self, next_, root, info, **args):
        plan_check(info)  # the enterprise's plan first: a module that is off, a read-only enterprise
        key = (info.parent_type.name, info.field_name)
        needed = requirements_table(info.schema).get(key)
        if needed:
            auth = auth_of(info.context)
            for requirement in needed:
                if not requirement.allows(auth):
                    raise refusal(auth, requirement, *key)
        quiet = QUIET_FIELDS.get(key)
        if quiet is not None and not quiet.allows(auth_of(info.context)):
            return [] if is_list_type(get_nullable_type(info.return_type)) else None
        return next_(root, info, **args)
