"""Tenant isolation of the whole GraphQL schema, walked from the schema itself (issue 19).

Every query field and every mutation of `api.graphql.schema.schema` is read by introspection, so a new
field is walked without editing this file. Enterprise A asks — with an API token holding every scope
and with its owner's session, on A's host and on the public host — and B (with C, its counterparty)
must stay unseen (tests/isolation_world.py builds them):

- an argument that names an object (an `ID`) gets each of B's objects of its type: the answer is
  `NOT_FOUND` (queries) or a typed `not_found` error (mutations), and nothing of B is written;
- a list (connection or plain list) is read page by page with every field to a depth the cost limit
  allows: no id of B's private objects, nothing from B's schema, no text of B's private rows;
- an argument that names an enterprise (`uscc`, `enterprise`) gets B's credit code: public facts
  only, and a mutation cannot act for B (`not_member`);
- every field asked on B's host with A's token or session is refused as an unknown caller.

A field or argument the walk cannot exercise (an id of a type it has no object of B for, a required
argument it cannot fill, a field with neither ids nor a list nor an enterprise) fails the test; the
few fields that take no enterprise object by design are listed in NO_ENTERPRISE_OBJECT with the
reason.
"""

from __future__ import annotations

import functools
import json
import time
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from axes.utils import reset as axes_reset
from django.conf import settings
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context
from graphql import (GraphQLEnumType, GraphQLInputObjectType, GraphQLList, GraphQLNonNull, GraphQLObjectType,
                     Undefined, get_named_type, is_leaf_type, parse)
from graphql_relay import from_global_id, to_global_id

from api.graphql.core.limits import limit_errors
from api.graphql.schema import schema as graphene_schema
from tests.isolation_world import (MARK, TENANT_ID_OFFSET, b_state, host, state_diff, world_transaction)

SCHEMA = graphene_schema.graphql_schema
pytestmark = pytest.mark.django_db  # each test in a savepoint of the module's world (see `world`)


@functools.cache
def _models() -> dict:
    """The Django model behind each Node type (its ids are that model's primary keys)."""
    from api.tokens.models import ApiToken
    from billing.models import Invoice as BillingInvoice
    from ecommerce.models import Board, InquiryThread, Listing
    from ecommerce.models import Quotation as BoardQuotation
    from erp_modules.catalog.models import Bom, Item
    from erp_modules.inventory.models import StockBalance
    from erp_modules.partners.models import Partner
    from erp_modules.production.models import WorkOrder
    from erp_modules.purchasing.models import PurchaseOrder
    from erp_modules.sales.models import SalesOrder
    from logistics.carriers.models import Carrier, Contract
    from logistics.shipments.models import Parcel, Shipment
    from pdm.changes.models import Eco
    from pdm.parts.models import Part, PartRevision
    from pdm.vault.models import Document
    from tenants.models import Enterprise

    return {"Item": Item, "Bom": Bom, "StockLevel": StockBalance, "SalesOrder": SalesOrder, "Partner": Partner,
            "PurchaseOrder": PurchaseOrder, "WorkOrder": WorkOrder, "Listing": Listing, "Quotation": BoardQuotation,
            "InquiryThread": InquiryThread, "ApiToken": ApiToken, "Enterprise": Enterprise, "Board": Board,
            "Part": Part, "PartRevision": PartRevision, "Document": Document, "Eco": Eco,
            "Shipment": Shipment, "Parcel": Parcel, "Carrier": Carrier, "Contract": Contract,
            "BillingInvoice": BillingInvoice}


# Node types with no private object of an enterprise, by design.
NOT_ENTERPRISE_TYPES = {
    "Board": "an industry board: platform reference data, the same for everyone",
    "Enterprise": "an enterprise's public facts (name, credit code, industry, town, credit badge); its registry "
                  "and credit entries are private and checked through the marker text of B's entries",
}

# Root fields that take no enterprise object, by design. They are still called by every caller, and
# their answers are checked like every other (no id, row or text of B; mutations write nothing in B).
NO_ENTERPRISE_OBJECT = {
    "ping": "health of the API: answers 'pong'",
    "me": "the caller itself (A's token or session)",
    "board": "an industry board by its code: platform reference data",
    "itemCreate": "creates an item in the host's own schema (A's); called with A's host",
    "apiTokenCreate": "creates a token of the host's own enterprise (A); called with A's host",
    "rateQuote": "prices a delivery with the host's own contracts; names no object",
    "billingSubscription": "the host enterprise's own subscription (A's on A's host; refused on the public host); "
                           "it has no id to name B's — test_billing_subscription_is_the_hosts_own proves A's "
                           "callers read A's and never B's",
    "subsidyStatement": "the office's statement of a programme's month: informatization office users only, so A's "
                        "token and session are refused; it names no enterprise object",
}

# Arguments naming an object by code rather than by id: given B's codes, they must not find B's rows.
CODE_REFERENCES = {
    "salesOrderCreate": lambda w: {"input": {"customer": w.b_codes["customer"],
                                             "lines": [{"item": w.b_codes["item"], "quantity": "1"}]}},
    "listingCreate": lambda w: {"input": {**_LISTING_INPUT, "erpItemCode": w.b_codes["item"]}},
}

# (field, argument) pairs that accept another enterprise's PUBLIC object on purpose: a visible listing can
# be read by anyone, asked about, and quoted on (if it is an RFQ). B's private objects still give not_found.
PUBLIC_TARGETS = {
    ("listing", "id"): "a visible listing is public on the boards",
    ("inquirySend", "listing"): "anyone acting for an enterprise may ask about a visible listing",
    ("quotationSubmit", "listing"): "any other enterprise may quote on an open RFQ",
}

# Values for required arguments that do not name an enterprise object.
REQUIRED_VALUES = {("board", "code"): "appliances", ("rateQuote", "provinceCode"): "330000",
                   ("rateQuote", "parcels"): [{"weightKg": "1"}],
                   ("subsidyStatement", "programme"): "ISO-PILOT", ("subsidyStatement", "month"): "2026-03"}

_LISTING_INPUT = {"kind": "SUPPLY", "board": "appliances", "category": "appl-parts-motor", "title": "A 隔离测试 电机"}
INPUTS = {  # valid inputs, so that a refusal is about the object and not the input
    "listingCreate": {"input": _LISTING_INPUT},
    "itemCreate": {"input": {"code": "A-ISO-NEW", "name": "A 隔离测试物料", "uom": "pcs"}},
    "apiTokenCreate": {"input": {"name": "A 隔离测试", "scopes": ["CATALOG_READ"]}},
    "salesOrderCreate": {"input": {"customer": "A-CUST", "lines": [{"item": "A-HOOD", "quantity": "1"}]}},
}

USCC_ARGS = ("uscc", "enterprise")
PAGING_ARGS = ("first", "after", "last", "before")
ALLOWED_TOP_LEVEL = {"NOT_FOUND", "PERMISSION_DENIED", "ENTERPRISE_HOST_REQUIRED"}


def _billing_objects_make(w) -> None:
    """The world gives A and B a subscription by bank transfer with its open invoice
    (billing/tests/walk_objects.py, called by tests/isolation_world.py); B gets one more invoice here, whose line
    carries the marker. B's invoices are private to B (w.b_private["BillingInvoice"]), A's are A's own (w.shared);
    the subscriptions are kept in w.billing_subscriptions for test_billing_subscription_is_the_hosts_own."""
    from billing.models import Invoice, Subscription
    from billing.services.invoices import invoice_issue

    connection.set_schema_to_public()
    current = {key: Subscription.objects.exclude(status=Subscription.Status.CANCELED).get(enterprise=enterprise).pk
               for key, enterprise in (("a", w.a), ("b", w.b))}
    invoice_issue(subscription=Subscription.objects.get(pk=current["b"]),
                  lines=[{"description": f"{MARK} 加购服务", "quantity": 1, "amount": "10.00"}],
                  period_start=None, period_end=None)
    w.billing_subscriptions = current
    w.b_private["BillingInvoice"] = {f"b_{i}": pk for i, pk in enumerate(
        Invoice.objects.filter(enterprise=w.b).order_by("pk").values_list("pk", flat=True))}
    w.shared["BillingInvoice"] = {f"a_{i}": pk for i, pk in enumerate(
        Invoice.objects.filter(enterprise=w.a).order_by("pk").values_list("pk", flat=True))}
    assert len(w.b_private["BillingInvoice"]) >= 2 and w.shared["BillingInvoice"], "the billing world is incomplete"


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with world_transaction(django_db_blocker) as w:
        _billing_objects_make(w)  # in the world's transaction: rolled back with it
        yield w


@dataclass
class Caller:
    name: str
    enterprise: object | None  # the host: A's, or None for the public host
    token: str | None = None
    user: object | None = None


def _callers(w) -> list[Caller]:
    callers = [Caller("token@A", w.a, token=w.a_token), Caller("session@A", w.a, user=w.a_owner),
               Caller("session@public", None, user=w.a_owner), Caller("token@public", None, token=w.a_token)]
    for caller in callers:
        _client_of(caller)  # logged in now, outside the savepoints that undo single requests
    return callers


def _client_of(caller: Caller) -> Client:
    client = getattr(caller, "_client", None)
    if client is None:
        client = caller._client = Client()
        if caller.user is not None:
            client.force_login(caller.user)
    return client


@dataclass
class Walk:
    """What the walk did and found (failures are collected, then asserted all at once)."""

    requests: int = 0
    failures: list = field(default_factory=list)
    seconds: dict = field(default_factory=dict)  # label -> seconds of its slowest request

    def fail(self, message: str) -> None:
        self.failures.append(message)


def _post(caller: Caller, query: str, variables: dict, walk: Walk):
    """POST the operation as the caller (one test client per caller, logged in once)."""
    client = _client_of(caller)
    extra = {"HTTP_HOST": host(caller.enterprise)}
    if caller.token:
        extra["HTTP_AUTHORIZATION"] = f"Bearer {caller.token}"
    walk.requests += 1
    started = time.monotonic()
    response = client.post("/graphql/", json.dumps({"query": query, "variables": variables}),
                           content_type="application/json", **extra)
    label = query.split("{", 2)[1].split("(")[0].strip()
    walk.seconds[label] = max(walk.seconds.get(label, 0), time.monotonic() - started)
    return response


# ---- reading the schema -----------------------------------------------------------------------------


def _required(arg) -> bool:
    return isinstance(arg.type, GraphQLNonNull) and arg.default_value is Undefined


def _is_list(t) -> bool:
    while isinstance(t, (GraphQLNonNull, GraphQLList)):
        if isinstance(t, GraphQLList):
            return True
        t = t.of_type
    return False


def _is_connection(t) -> bool:
    named = get_named_type(t)
    return isinstance(named, GraphQLObjectType) and "edges" in named.fields and "pageInfo" in named.fields


@functools.cache
def _node_types() -> dict:
    return {name: t for name, t in SCHEMA.type_map.items()
            if isinstance(t, GraphQLObjectType) and any(i.name == "Node" for i in t.interfaces)}


def _id_args(f) -> list[str]:
    return [name for name, arg in f.args.items() if get_named_type(arg.type).name == "ID"]


def _uscc_args(f) -> list[str]:
    return [name for name, arg in f.args.items() if name in USCC_ARGS and get_named_type(arg.type).name == "String"]


def _id_type(field_name: str, f, arg_name: str) -> str | None:
    """The Node type an ID argument names: `id` → the field's own type (or its payload's one node field);
    another name → the node type of that name (`item` → Item) or the only one ending with it
    (`thread` → InquiryThread)."""
    nodes = _node_types()
    if arg_name == "id":
        named = get_named_type(f.type)
        if named.name in nodes:
            return named.name
        inside = {get_named_type(g.type).name for g in getattr(named, "fields", {}).values()} & set(nodes)
        return inside.pop() if len(inside) == 1 else None
    wanted = arg_name[:1].upper() + arg_name[1:]
    if wanted in nodes:
        return wanted
    endings = [n for n in nodes if n.endswith(wanted)]
    return endings[0] if len(endings) == 1 else None


def _selection(named, depth: int, page: int) -> str:
    """Every field of `named` down to `depth` object levels (connection wrappers do not count)."""
    if _is_connection(named):
        node = get_named_type(named.fields["edges"].type).fields["node"].type
        inner = _selection(get_named_type(node), depth, page)
        return f"totalCount pageInfo {{ hasNextPage endCursor }} edges {{ node {{ {inner} }} }}"
    parts = []
    for name, f in named.fields.items():
        if any(_required(a) for a in f.args.values()):
            continue
        ftype = get_named_type(f.type)
        if is_leaf_type(ftype):
            parts.append(name)
        elif depth > 0:
            args = f"(first: {page})" if "first" in f.args else ""
            parts.append(f"{name}{args} {{ {_selection(ftype, depth - 1, page)} }}")
    return " ".join(parts) or "__typename"


def _fits(query: str, variables: dict) -> bool:
    """Within the endpoint's depth and cost limits (api/graphql/core/limits.py)."""
    return not limit_errors(SCHEMA, parse(query), None, variables)


def _var_type(arg) -> str:
    return str(arg.type)


def _default_value(t, path: str):
    """A valid value of a required input (overridden by INPUTS where the value must mean something)."""
    if isinstance(t, GraphQLNonNull):
        t = t.of_type
    if isinstance(t, GraphQLList):
        return [_default_value(t.of_type, path)]
    if isinstance(t, GraphQLInputObjectType):
        return {name: _default_value(f.type, f"{path}.{name}") for name, f in t.fields.items()
                if isinstance(f.type, GraphQLNonNull) and f.default_value is Undefined}
    if isinstance(t, GraphQLEnumType):
        return next(iter(t.values))
    return {"String": "隔离测试", "Int": 1, "Float": 1.0, "Boolean": False, "Decimal": "1",
            "Date": (timezone.localdate() + timedelta(days=30)).isoformat(),
            "DateTime": (timezone.now() + timedelta(days=30)).isoformat()}.get(t.name, "1")


def _operation(kind: str, field_name: str, f, args: dict, selection: str) -> tuple[str, dict]:
    """`query($id: ID!) { item(id: $id) { … } }` with the given argument values as variables."""
    definitions = ", ".join(f"${name}: {_var_type(f.args[name])}" for name in args)
    passed = ", ".join(f"{name}: ${name}" for name in args)
    head = f"{kind}({definitions})" if definitions else kind
    call = f"{field_name}({passed})" if passed else field_name
    body = f" {{ {selection} }}" if selection else ""
    return f"{head} {{ {call}{body} }}", dict(args)


def _required_args(field_name: str, f, w, skip=()) -> dict | None:
    """Values of the field's required arguments (None: one cannot be filled)."""
    values = {}
    given = INPUTS.get(field_name, {})
    for name, arg in f.args.items():
        if name in skip or not _required(arg):
            continue
        if (field_name, name) in REQUIRED_VALUES:
            values[name] = REQUIRED_VALUES[(field_name, name)]
        elif name in given:
            values[name] = given[name]
        elif get_named_type(arg.type).name == "ID":
            return None
        elif name in USCC_ARGS:
            values[name] = w.a.uscc
        else:
            values[name] = _default_value(arg.type, name)
    return values


# ---- the world's objects, by type -----------------------------------------------------------------


_tenant_pks: dict = {}


def _b_objects(w, type_name: str, *, include_public: bool) -> list[int]:
    """Primary keys of B's (and C's) objects of a Node type that A must not reach."""
    model = _models()[type_name]
    if _is_tenant_model(model):
        key = (w.b.schema_name, type_name)
        if key not in _tenant_pks:
            with tenant_context(w.b):
                _tenant_pks[key] = list(model.objects.order_by("pk").values_list("pk", flat=True)[:3])
        return _tenant_pks[key]
    pks = list(w.b_private.get(type_name, {}).values())
    if include_public:
        pks += list(w.b_public.get(type_name, {}).values())
    return pks


def _is_tenant_model(model) -> bool:
    return model._meta.app_config.name in settings.TENANT_APPS and model._meta.app_config.name not in \
        settings.SHARED_APPS


def _own_object(w, type_name: str) -> str | None:
    """A global id of one of A's own objects (to fill an id a list field needs)."""
    model = _models()[type_name]
    if _is_tenant_model(model):
        with tenant_context(w.a):
            if type_name == "Item":  # the one with a BOM
                pk = model.objects.filter(code="A-HOOD").values_list("pk", flat=True).first()
            else:
                pk = model.objects.order_by("pk").values_list("pk", flat=True).first()
    else:
        pk = next(iter(w.shared.get(type_name, {}).values()), None)
    return to_global_id(type_name, pk) if pk else None


# ---- checking an answer ---------------------------------------------------------------------------


def _ids(data):
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "id" and isinstance(value, str):
                yield value
            else:
                yield from _ids(value)
    elif isinstance(data, list):
        for value in data:
            yield from _ids(value)


def _leaks(w, result: dict) -> list[str]:
    """What of B's private data an answer holds: ids of B's schema or of B's private public-schema
    objects, or text of B's private rows."""
    models = _models()
    found = []
    for value in _ids(result.get("data")):
        try:
            type_name, pk = from_global_id(value)
            pk = int(pk)
        except Exception:
            continue
        model = models.get(type_name)
        if model is not None and _is_tenant_model(model) and pk >= TENANT_ID_OFFSET:
            found.append(f"{type_name}:{pk} of B's schema")
        if pk in w.b_private.get(type_name, {}).values():
            found.append(f"{type_name}:{pk} private to B/C")
    if MARK in json.dumps(result, ensure_ascii=False):
        found.append(f"text of B's private rows ({MARK})")
    return found


def _codes(result: dict) -> set[str]:
    return {(e.get("extensions") or {}).get("code") for e in result.get("errors") or []}


def _typed_codes(result: dict, field_name: str) -> set[str]:
    payload = (result.get("data") or {}).get(field_name) or {}
    return {e.get("code") for e in payload.get("errors") or []}


def _check(w, walk: Walk, label: str, response) -> dict | None:
    if response.status_code != 200:
        walk.fail(f"{label}: HTTP {response.status_code} {response.content[:300]!r}")
        return None
    result = response.json()
    for leak in _leaks(w, result):
        walk.fail(f"LEAK {label}: {leak}")
    unexpected = _codes(result) - ALLOWED_TOP_LEVEL
    if unexpected:
        walk.fail(f"{label}: unexpected errors {result.get('errors')}")
    return result


def _not_found(result: dict, field_name: str, mutation: bool) -> str:
    """'not_found', 'host' (ENTERPRISE_HOST_REQUIRED: not even looked up), or what came instead."""
    codes = _codes(result)
    value = (result.get("data") or {}).get(field_name)
    if "NOT_FOUND" in codes and not value:
        return "not_found"
    if mutation and "not_found" in _typed_codes(result, field_name) and not any(
            v for k, v in (value or {}).items() if k != "errors"):
        return "not_found"
    if codes in ({"ENTERPRISE_HOST_REQUIRED"}, {"PERMISSION_DENIED"}) and not value:
        return "refused"  # refused before any lookup: on the public host, or a token for a session-only field
    return f"answered {json.dumps(result, ensure_ascii=False)[:400]}"


# ---- the walks ------------------------------------------------------------------------------------


def _roots():
    yield from (("query", name, f) for name, f in SCHEMA.query_type.fields.items())
    yield from (("mutation", name, f) for name, f in SCHEMA.mutation_type.fields.items())


def _fitting(kind: str, name: str, f, args: dict, *, depths=(2, 1, 0), page: int = 5) -> tuple[str, dict]:
    """The operation with the deepest selection of the field's type that the limits allow."""
    named = get_named_type(f.type)
    if is_leaf_type(named):
        return _operation(kind, name, f, args, "")
    for depth in depths:
        query, variables = _operation(kind, name, f, args, _selection(named, depth, page))
        if _fits(query, variables):
            return query, variables
    return _operation(kind, name, f, args, "__typename")


def test_every_root_field_can_be_walked(world):
    """The schema has no field the walk cannot exercise, and the tables name only existing fields."""
    models = _models()
    problems = []
    for type_name in _node_types():
        if type_name not in models:
            problems.append(f"Node type {type_name}: add its model to _models() and objects of B to the world")
        elif type_name not in NOT_ENTERPRISE_TYPES and not _b_objects(world, type_name, include_public=True):
            problems.append(f"Node type {type_name}: the world has no object of B")
    names = set()
    for kind, name, f in _roots():
        names.add(name)
        ids, usccs = _id_args(f), _uscc_args(f)
        listed = _is_list(f.type) or _is_connection(f.type)
        for arg in ids:
            type_name = _id_type(name, f, arg)
            if type_name is None:
                problems.append(f"{name}({arg}): cannot tell which type of object the id names")
            elif not _b_objects(world, type_name, include_public=(name, arg) not in PUBLIC_TARGETS):
                problems.append(f"{name}({arg}): the world has no object of B of type {type_name}")
        if _required_args(name, f, world, skip=ids) is None:
            problems.append(f"{name}: a required argument cannot be filled")
        if not (ids or usccs or listed or name in NO_ENTERPRISE_OBJECT or name in CODE_REFERENCES):
            problems.append(f"{name}: takes no id, no enterprise and is no list; walk it or add it to "
                            f"NO_ENTERPRISE_OBJECT with the reason")
    for table in (NO_ENTERPRISE_OBJECT, CODE_REFERENCES, INPUTS):
        problems += [f"{name}: listed in a table but not in the schema" for name in table if name not in names]
    problems += [f"{name}: listed in PUBLIC_TARGETS but not in the schema" for name, _a in PUBLIC_TARGETS
                 if name not in names]
    assert not problems, "\n".join(problems)


def test_ids_of_b_are_not_found_by_every_field_and_mutation(world):
    w, walk = world, Walk()
    exercised: dict[tuple[str, str], int] = {}
    fields = 0
    before = {c.name: None for c in _callers(w)}
    for caller in _callers(w):
        before[caller.name] = b_state(w)
        for kind, name, f in _roots():
            ids = _id_args(f)
            if not ids:
                continue
            fields += caller.name == "token@A"
            for arg in ids:
                type_name = _id_type(name, f, arg)
                by_design = (name, arg) in PUBLIC_TARGETS
                required = _required_args(name, f, w, skip=ids) or {}
                for pk in _b_objects(w, type_name, include_public=not by_design):
                    args = {**required, arg: to_global_id(type_name, pk)}
                    for other in ids:  # other required ids: one of A's own objects
                        if other != arg and _required(f.args[other]):
                            args[other] = _own_object(w, _id_type(name, f, other))
                    query, variables = _fitting(kind, name, f, args)
                    label = f"{caller.name} {name}({arg}: {type_name}:{pk})"
                    result = _check(w, walk, label, _post(caller, query, variables, walk))
                    if result is None:
                        continue
                    outcome = _not_found(result, name, kind == "mutation")
                    if outcome == "not_found":
                        exercised[(name, arg)] = exercised.get((name, arg), 0) + 1
                    elif outcome != "refused":
                        walk.fail(f"{label}: expected not_found, {outcome}")
                for pk in (w.b_public.get(type_name, {}).values() if by_design else []):
                    with transaction.atomic():  # a public object, used as designed: undone afterwards
                        args = {**required, arg: to_global_id(type_name, pk)}
                        query, variables = _fitting(kind, name, f, args)
                        _check(w, walk, f"{caller.name} {name}({arg}: public {type_name}:{pk})",
                               _post(caller, query, variables, walk))
                        transaction.set_rollback(True)
        changed = state_diff(before[caller.name], b_state(w))
        if changed:
            walk.fail(f"LEAK {caller.name}: B's data changed: {changed}")
    for kind, name, f in _roots():
        for arg in _id_args(f):
            if not exercised.get((name, arg)):
                walk.fail(f"{name}({arg}): no caller got not_found for B's ids (not exercised)")
    print(f"\nGraphQL isolation, ids of B: {fields} fields and mutations with id arguments, "
          f"{len(exercised)} (field, argument) pairs, {walk.requests} requests")
    assert not walk.failures, "\n".join(walk.failures)


def _list_query(name: str, f, args: dict) -> tuple[str, dict, int]:
    """The deepest selection (then the largest page) within the depth and cost limits."""
    named = get_named_type(f.type)
    for depth in (3, 2, 1, 0):
        for page in (100, 50, 20, 10, 5, 2, 1):
            paged = {**args, "first": page} if _is_connection(f.type) else dict(args)
            if _is_connection(f.type):
                paged["after"] = None
            query, variables = _operation("query", name, f, paged, _selection(named, depth, page))
            if _fits(query, variables):
                return query, variables, depth
    raise AssertionError(f"{name}: not even its ids fit the cost limit")


def test_lists_never_hold_rows_of_b(world):
    w, walk = world, Walk()
    rows_seen: dict[str, int] = {}
    fields = 0
    for caller in _callers(w):
        for kind, name, f in _roots():
            if kind != "query" or not (_is_list(f.type) or _is_connection(f.type)):
                continue
            fields += caller.name == "token@A"
            args = _required_args(name, f, w) or {}
            for arg in _id_args(f):
                if _required(f.args[arg]):
                    args[arg] = _own_object(w, _id_type(name, f, arg))
            query, variables, _depth = _list_query(name, f, args)
            for _page in range(50):
                label = f"{caller.name} {name}"
                result = _check(w, walk, label, _post(caller, query, variables, walk))
                value = (result or {}).get("data", {}) or {}
                value = value.get(name)
                if value is None:
                    break
                if _is_connection(f.type):
                    rows_seen[name] = rows_seen.get(name, 0) + len(value["edges"])
                    if not value["pageInfo"]["hasNextPage"]:
                        break
                    variables = {**variables, "after": value["pageInfo"]["endCursor"]}
                else:
                    rows_seen[name] = rows_seen.get(name, 0) + len(value)
                    break
            else:
                walk.fail(f"{caller.name} {name}: more than 50 pages")
    for kind, name, f in _roots():
        if kind == "query" and (_is_list(f.type) or _is_connection(f.type)) and not rows_seen.get(name):
            walk.fail(f"{name}: no caller read a single row of A (the walk proves nothing for it)")
    slowest = sorted(walk.seconds.items(), key=lambda kv: -kv[1])[:3]
    print(f"\nGraphQL isolation, lists: {fields} list fields, {sum(rows_seen.values())} rows read, "
          f"{walk.requests} requests; slowest: " + ", ".join(f"{k} {v:.2f}s" for k, v in slowest))
    assert not walk.failures, "\n".join(walk.failures)


def test_b_credit_code_shows_public_facts_only_and_cannot_be_acted_for(world):
    w, walk = world, Walk()
    refused = set()
    for caller in _callers(w):
        before = b_state(w)
        for kind, name, f in _roots():
            usccs = _uscc_args(f)
            if not usccs:
                continue
            ids = _id_args(f)
            args = _required_args(name, f, w, skip=ids + usccs) or {}
            if kind == "mutation" and ids:  # an object A may use (B's open RFQ): only the enterprise is wrong
                type_name = _id_type(name, f, ids[0])
                args[ids[0]] = to_global_id(type_name, w.b_public[type_name]["b_rfq"])
            if _is_connection(f.type):
                args["first"] = 20
            for arg in usccs:
                query, variables = _fitting(kind, name, f, {**args, arg: w.b.uscc})
                label = f"{caller.name} {name}({arg}: B)"
                with transaction.atomic():
                    result = _check(w, walk, label, _post(caller, query, variables, walk))
                    transaction.set_rollback(True)
                if result is None or kind != "mutation":
                    continue
                codes = _typed_codes(result, name) | _codes(result)
                reasons = {(e.get("extensions") or {}).get("reason") for e in result.get("errors") or []}
                if "not_member" in codes | reasons:
                    refused.add(name)
                elif not (codes == {"ENTERPRISE_HOST_REQUIRED"} and caller.enterprise is None):
                    walk.fail(f"{label}: expected not_member, got {json.dumps(result, ensure_ascii=False)[:300]}")
        changed = state_diff(before, b_state(w))
        if changed:
            walk.fail(f"LEAK {caller.name}: B's data changed: {changed}")
    for kind, name, f in _roots():
        if kind == "mutation" and _uscc_args(f) and name not in refused:
            walk.fail(f"{name}: acting for B was never refused with not_member (not exercised)")
    print(f"\nGraphQL isolation, credit code of B: {walk.requests} requests")
    assert not walk.failures, "\n".join(walk.failures)


def test_codes_of_b_and_fields_without_enterprise_objects(world):
    """Arguments naming B's rows by code find nothing; the by-design fields answer without B's data."""
    w, walk = world, Walk()
    for caller in _callers(w):
        before = b_state(w)
        for kind, name, f in _roots():
            if name not in CODE_REFERENCES and name not in NO_ENTERPRISE_OBJECT:
                continue
            required = _required_args(name, f, w) or {}
            with transaction.atomic():
                if name in CODE_REFERENCES:
                    query, variables = _fitting(kind, name, f, {**required, **CODE_REFERENCES[name](w)})
                    label = f"{caller.name} {name}(codes of B)"
                    result = _check(w, walk, label, _post(caller, query, variables, walk))
                    codes = _typed_codes(result or {}, name)
                    if result is not None and not codes and not (caller.enterprise is None and _codes(result)):
                        walk.fail(f"{label}: B's codes were accepted: {json.dumps(result, ensure_ascii=False)[:300]}")
                if name in NO_ENTERPRISE_OBJECT:
                    query, variables = _fitting(kind, name, f, required)
                    _check(w, walk, f"{caller.name} {name}", _post(caller, query, variables, walk))
                transaction.set_rollback(True)
        changed = state_diff(before, b_state(w))
        if changed:
            walk.fail(f"LEAK {caller.name}: B's data changed: {changed}")
    assert not walk.failures, "\n".join(walk.failures)


def test_every_field_on_b_host_is_refused_to_a(world):
    """A's token gets B's host's 401 (as an unknown token), A's session its 404, for every field."""
    w, walk = world, Walk()
    count = 0
    for kind, name, f in _roots():
        count += 1
        args = _required_args(name, f, w, skip=_id_args(f)) or {}
        for arg in _id_args(f):
            if _required(f.args[arg]):
                args[arg] = to_global_id(_id_type(name, f, arg), 1)
        selection = "" if is_leaf_type(get_named_type(f.type)) else "__typename"
        query, variables = _operation(kind, name, f, args, selection)
        for caller, status in ((Caller("token@B-host", w.b, token=w.a_token), 401),
                               (Caller("session@B-host", w.b, user=w.a_owner), 404)):
            response = _post(caller, query, variables, walk)
            axes_reset(ip=response.wsgi_request.META.get("REMOTE_ADDR"))  # each refusal counts as a failure
            if response.status_code != status:
                walk.fail(f"{caller.name} {name}: HTTP {response.status_code}, expected {status}")
            if MARK.encode() in response.content or w.b.name.encode() in response.content:
                walk.fail(f"LEAK {caller.name} {name}: the answer names B or its data")
    print(f"\nGraphQL isolation, B's host: {count} fields and mutations, {walk.requests} requests")
    assert not walk.failures, "\n".join(walk.failures)


def test_billing_subscription_is_the_hosts_own(world):
    """billingSubscription names no object (NO_ENTERPRISE_OBJECT): on A's host A's token and owner's session read
    A's subscription, never B's; on the public host they are refused before any lookup."""
    from datetime import datetime

    from billing.models import Subscription

    w, walk = world, Walk()
    subscriptions = {key: Subscription.objects.get(pk=pk) for key, pk in w.billing_subscriptions.items()}
    assert subscriptions["a"].current_period_start != subscriptions["b"].current_period_start
    query = "query { billingSubscription { status paymentMethod extraSeats currentPeriodStart plan { code } } }"
    for caller in _callers(w):
        result = _check(w, walk, f"{caller.name} billingSubscription", _post(caller, query, {}, walk))
        if result is None:
            continue
        value = (result.get("data") or {}).get("billingSubscription")
        if caller.enterprise is None:
            if value is not None or _codes(result) != {"ENTERPRISE_HOST_REQUIRED"}:
                walk.fail(f"{caller.name} billingSubscription: expected ENTERPRISE_HOST_REQUIRED, got {result}")
            continue
        if value is None:
            walk.fail(f"{caller.name} billingSubscription: A's own subscription was not read: {result}")
            continue
        started = datetime.fromisoformat(value["currentPeriodStart"])
        if started == subscriptions["b"].current_period_start:
            walk.fail(f"LEAK {caller.name} billingSubscription: B's subscription was answered")
        elif (started, value["extraSeats"], value["plan"]["code"]) != (
                subscriptions["a"].current_period_start, subscriptions["a"].extra_seats,
                subscriptions["a"].plan.code):
            walk.fail(f"{caller.name} billingSubscription: not A's subscription: {value}")
    assert not walk.failures, "\n".join(walk.failures)


def test_walk_counts(world):
    queries = len(SCHEMA.query_type.fields)
    mutations = len(SCHEMA.mutation_type.fields)
    print(f"\nGraphQL isolation walk covers {queries} query fields and {mutations} mutations "
          f"(read from the schema); {len(_node_types())} node types")
    assert queries and mutations
