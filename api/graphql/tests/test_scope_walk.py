"""Scopes at every depth, proved by walking the schema (issue 11 §4).

For every object type that needs a scope (api/graphql/core/scopes.py) and every place the type appears
(each field of another type that returns it), the walk builds the shortest query from the root to that
place, from the schema itself, and asks it twice on the enterprise's host:
- as the owner (a session: every scope of the role) — the answer holds data there, and no error;
- with a token holding every scope but the ones that would allow it — a typed permission error, and not
  one value of the field in the answer (wherever the refusal happened on the way).
A new type or field is walked without editing this file; a type that is neither given a scope nor
declared public fails `test_every_type_has_a_declared_scope`.
"""

from __future__ import annotations

from collections import deque
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context
from graphene import Mutation
from graphql import GraphQLNonNull, GraphQLObjectType, get_named_type, is_leaf_type
from graphql_relay import to_global_id

from api.govdata.services import file_import
from api.govdata.tests.conftest import csv_bytes
from api.graphql.core.scopes import (PUBLIC_TYPES, QUIET_FIELDS, TYPE_SCOPES, node_type_name,
                                     requirements_table, type_scope)
from api.graphql.schema import schema
from api.graphql.tests.conftest import error_codes, gql
from api.tokens.scopes import SCOPES
from api.tokens.services import api_token_create
from billing.services.subsidies import invoice_subsidy_apply, scheme_create, subscription_scheme_join
from billing.tests.test_subsidies import make_invoice, make_plan, make_subscription
from ecommerce import services as boards
from ecommerce.models import Board, TradeOrder
from ecommerce.seed import boards_ensure
from ecommerce.tests.factories import owner_of, post
from erp_modules.catalog.models import Item
from erp_modules.sales.models import SalesOrder
from erp_modules.workspace.demo import seed_range_hood_documents, seed_range_hood_factory
from erp_modules.partners.models import Partner
from erp_modules.purchasing.services import purchase_order_approve, purchase_order_create
from logistics.shipments.models import Parcel, Shipment
from logistics.shipments.services import shipment_freight_record
from logistics.tracking.services import EventIn, events_merge
from office.services import enrolment_enrol
from office.tests.builders import make_programme
from tests.isolation_world import logistics_objects_make, pdm_objects_make

SCHEMA = schema.graphql_schema
DENIED = {"PERMISSION_DENIED", "UNAUTHENTICATED", "ENTERPRISE_HOST_REQUIRED"}


# ---- the data: one enterprise with the demo factory, its government data and board traffic ---------


@pytest.fixture
def world(make_enterprise, make_user):
    if Board.objects.count() < 4:
        boards_ensure()
    owner = make_user(email="owner@walk.test")
    a = make_enterprise(slug="walk", owner=owner)
    b = make_enterprise(slug="other")
    with tenant_context(a):
        seed_range_hood_factory()
        seed_range_hood_documents()
        pdm = pdm_objects_make("DEMO", "演示", owner, codes=("MOTOR-ASM-220", "MOTOR-AC-220"),
                               check_out=True, apply=True)  # parts, an applied ECO, a checked-out document
        assembly = pdm["parts"][0].item  # bought once too: its where-used then shows every kind of open order
        purchase_order_approve(order=purchase_order_create(
            supplier=Partner.objects.filter(is_supplier=True).order_by("code").first(),
            lines=[{"item": assembly, "quantity": Decimal("10"), "unit_price": Decimal("200")}]))
        top = Item.objects.get(code="CXW-200-A1")
        order = SalesOrder.objects.order_by("id").first()
        logistics = logistics_objects_make("walk", owner)  # a contract covering 330000, a shipment with a parcel
        shipment_freight_record(shipment=Shipment.objects.get(pk=logistics["logistics_shipment"]),
                                actual_freight=Decimal("18.50"), user=owner)
        Shipment.objects.filter(pk=logistics["logistics_shipment"]).update(
            contract_id=logistics["logistics_contract"], quoted_freight=Decimal("17.00"),
            promised_date=timezone.localdate() + timedelta(days=2), pickup_at=timezone.now())
        parcel = Parcel.objects.get(pk=logistics["logistics_parcel"])
        events_merge(parcel=parcel, source="push", events=[EventIn(time=timezone.now() - timedelta(hours=2),
                     context="【宁波市】快件已揽收", status="picked_up", area_code="330200", area_name="宁波市")])
    connection.set_schema_to_public()
    file_import(content=csv_bytes([["uniscid", "entname", "regstate", "opto"], [a.uscc, a.name, "存续", "9999-09-09"]]),
                filename="registry.csv")
    file_import(content=csv_bytes([["uniscid", "eventtype", "listdate"], [a.uscc, "行政处罚", "2024-05-01"]]),
                filename="events.csv")
    file_import(content=csv_bytes([["uniscid", "scheme", "year", "grade"], [a.uscc, "纳税信用等级", "2024", "A"]]),
                filename="ratings.csv")
    supply = post(a, title="油烟机用电机 YYHS-120")
    rfq = post(a, kind="demand", title="求购 离心风轮", is_rfq=True)
    their_rfq = post(b, kind="demand", title="求购 电机", is_rfq=True)
    valid = timezone.localdate() + timedelta(days=10)
    received = boards.quotation_submit(listing=rfq, enterprise=b, user=owner_of(b), unit_price=Decimal("24"),
                                       quantity=Decimal("500"), lead_time_days=7, valid_until=valid)
    # the orders an acceptance would make (a TradeOrder row as it writes it: the walk reads Quotation.order)
    TradeOrder.objects.create(quotation=received, listing=rfq, board=rfq.board, buyer=a, supplier=b,
                              amount=Decimal("13560"), purchase_order_number="PO-00009",
                              sales_state=TradeOrder.SalesState.NO_ERP, sales_error="walk")
    boards.quotation_submit(listing=their_rfq, enterprise=a, user=owner, unit_price=Decimal("110"),
                            quantity=Decimal("100"), lead_time_days=10, valid_until=valid)
    boards.inquiry_send(listing=supply, enterprise=b, user=owner_of(b), body="可否寄样？")
    connection.set_schema_to_public()
    api_token_create(enterprise=a, name="MES", scopes=["catalog:read"], user=owner)
    # billing: a subscription subsidised by a programme, with a split invoice
    office = make_user(email="office@walk.test", platform_role="office")
    programme, plan = make_programme(), make_plan()
    scheme = scheme_create(programme=programme, plan=plan, percent="50", months=12, max_enterprises=1, actor=office)
    enrolment_enrol(programme=programme, enterprise=a, actor=office)
    subscription = subscription_scheme_join(subscription=make_subscription(a, plan), scheme=scheme)
    invoice_subsidy_apply(invoice=make_invoice(subscription))
    arguments = {  # values for required arguments of root fields (any other such field is not walked)
        ("Query", "item"): {"id": to_global_id("Item", top.pk)},
        ("Query", "bomExplosion"): {"item": to_global_id("Item", top.pk)},
        ("Query", "salesOrder"): {"id": to_global_id("SalesOrder", order.pk)},
        ("Query", "listing"): {"id": to_global_id("Listing", rfq.pk)},
        ("Query", "board"): {"code": "appliances"},
        ("Query", "enterprise"): {"uscc": a.uscc},
        ("Query", "govRecord"): {"uscc": a.uscc},
        ("Query", "part"): {"id": to_global_id("Part", pdm["parts"][0].pk)},
        ("Query", "partRevision"): {"id": to_global_id("PartRevision", pdm["new_revision"].pk)},
        ("Query", "document"): {"id": to_global_id("Document", pdm["document"].pk)},
        ("Query", "eco"): {"id": to_global_id("Eco", pdm["eco"].pk)},
        ("Query", "shipment"): {"id": to_global_id("Shipment", logistics["logistics_shipment"])},
        ("Query", "parcel"): {"id": to_global_id("Parcel", logistics["logistics_parcel"])},
        ("Query", "rateQuote"): {"provinceCode": "330000", "parcels": RawLiteral('[{weightKg: "1"}]')},
    }
    return a, owner, arguments


# ---- walking the schema --------------------------------------------------------------------------


class RawLiteral(str):
    """A GraphQL literal written as is (a list of input objects), not quoted as a string."""


def _literal(value) -> str:
    return str(value) if isinstance(value, RawLiteral) else '"%s"' % value


def _routes(arguments) -> dict[str, list[tuple[str, str]]]:
    """The shortest chain of (type, field) from Query to every object type (fields with required
    arguments only when `arguments` has values for them)."""
    routes = {"Query": []}
    queue = deque(["Query"])
    while queue:
        name = queue.popleft()
        for field_name, field in SCHEMA.get_type(name).fields.items():
            if any(isinstance(arg.type, GraphQLNonNull) for arg in field.args.values()) \
                    and (name, field_name) not in arguments:
                continue
            target = get_named_type(field.type)
            if isinstance(target, GraphQLObjectType) and target.name not in routes:
                routes[target.name] = routes[name] + [(name, field_name)]
                queue.append(target.name)
    return routes


def _appearances() -> list[tuple[str, str, str]]:
    """(parent type, field, type) for every field of a Query-side type that returns an object type."""
    found = []
    for name, type_ in SCHEMA.type_map.items():
        if name.startswith("__") or not isinstance(type_, GraphQLObjectType) or name == "Mutation":
            continue
        for field_name, field in type_.fields.items():
            target = get_named_type(field.type)
            if isinstance(target, GraphQLObjectType):
                found.append((name, field_name, target.name))
    return found


def _probe_fields(type_name: str) -> list[str]:
    """One field of the type per distinct requirement (leaves first), so every rule of the type is tried."""
    table = requirements_table(SCHEMA)
    fields = SCHEMA.get_type(type_name).fields
    chosen: dict = {}
    for field_name in sorted(fields, key=lambda f: (not is_leaf_type(get_named_type(fields[f].type)), f)):
        needed = table.get((type_name, field_name))
        if needed and needed not in chosen:
            chosen[needed] = field_name
    return list(chosen.items())


def _selection(chain: list[tuple[str, str]], leaf_type: str, leaf_field: str, arguments) -> str:
    field = SCHEMA.get_type(leaf_type).fields[leaf_field]
    inner = "" if is_leaf_type(get_named_type(field.type)) else " { __typename }"
    text = leaf_field + inner
    for parent, name in reversed(chain):
        args = arguments.get((parent, name))
        rendered = "(%s)" % ", ".join(f"{k}: {_literal(v)}" for k, v in args.items()) if args else ""
        text = f"{name}{rendered} {{ {text} }}"
    return "{ %s }" % text


def _values(data, keys: list[str]) -> list:
    """Every value at the end of `keys` in the answer, through lists; None where a step is null."""
    values = [data]
    for key in keys:
        step = []
        for value in values:
            if isinstance(value, list):
                step.extend(v.get(key) if isinstance(v, dict) else None for v in value)
            elif isinstance(value, dict):
                step.append(value.get(key))
            else:
                step.append(None)
        values = step
    return [v for v in values if v is not None]


def _cases(arguments):
    routes = _routes(arguments)
    table = requirements_table(SCHEMA)
    cases = []
    for parent, field_name, type_name in _appearances():
        if parent not in routes or not any(key[0] == type_name for key in table):
            continue
        chain = routes[parent] + [(parent, field_name)]
        for requirement, probe in _probe_fields(type_name):
            cases.append((chain, type_name, probe, requirement))
    return cases


def _token_without(make_token, enterprise, requirement) -> str | None:
    refused = {s for needed in requirement for s in needed.scopes}
    scopes = [s for s in SCOPES if s not in refused]
    return make_token(enterprise, scopes, name="walk") if scopes else None


def test_every_type_has_a_declared_scope():
    undeclared = []
    for name, type_ in SCHEMA.type_map.items():
        if name.startswith("__") or not isinstance(type_, GraphQLObjectType) or name in PUBLIC_TYPES:
            continue
        graphene_type = getattr(type_, "graphene_type", None)
        if graphene_type is not None and issubclass(graphene_type, Mutation):
            continue  # a mutation's payload: what it returns is checked by its own type
        if name not in TYPE_SCOPES and type_scope(SCHEMA, name) is None and node_type_name(type_) not in PUBLIC_TYPES:
            undeclared.append(name)
    assert undeclared == [], "give these types a scope (TYPE_SCOPES) or declare them public (PUBLIC_TYPES)"


def test_scoped_types_are_refused_wherever_they_appear(client, world, make_token):
    a, owner, arguments = world
    cases = _cases(arguments)
    routes = _routes(arguments)
    unreached = sorted({key[0] for key in requirements_table(SCHEMA)} - set(routes))
    assert unreached == [], "not reachable from Query: give the fixture's `arguments` a value"
    tokens: dict = {}
    walked = set()
    for chain, type_name, probe, requirement in cases:
        query = _selection(chain, type_name, probe, arguments)
        keys = [name for _parent, name in chain] + [probe]
        client.force_login(owner)
        full = gql(client, query, enterprise=a)
        client.logout()
        assert "errors" not in full, (query, full.get("errors"))
        assert _values(full["data"], keys), f"no data at {query}: extend the fixture"
        if requirement not in tokens:
            tokens[requirement] = _token_without(make_token, a, requirement)
        refused = gql(client, query, enterprise=a, token=tokens[requirement])
        if not any(step in QUIET_FIELDS for step in chain):  # a quiet field on the way answers "none" instead
            # (see scopes.QUIET_FIELDS): e.g. Listing.quotations → Quotation.order
            assert set(error_codes(refused)) & DENIED, (query, refused)
        assert not [v for v in _values(refused.get("data") or {}, keys) if v != []], (query, refused)
        walked.add(type_name)
    assert walked == {key[0] for key in requirements_table(SCHEMA)}


# ---- the issue's examples, exactly --------------------------------------------------------------

ORDER_ITEMS = """{ salesOrders(first: 5) { edges { node { number lines { item { code %s } } } } } }"""


def _paths(result) -> list[tuple]:
    return [tuple(e.get("path") or ()) for e in result.get("errors", [])]


def test_the_issues_examples(client, world, make_token, make_user):
    """Each token reads what its scope says and no cost, BOM or stock beyond it; sessions keep their role."""
    from tenants.models import Membership, Role

    a, _owner, _arguments = world
    # orders:read names the items of its lines, but not their costs nor their BOM
    token = make_token(a, ["orders:read"])
    named = gql(client, ORDER_ITEMS % "name uom { code }", enterprise=a, token=token)
    assert "errors" not in named and named["data"]["salesOrders"]["edges"][0]["node"]["lines"][0]["item"]["code"]
    costly = gql(client, ORDER_ITEMS % "standardCost averageCost", enterprise=a, token=token)
    errors = costly["errors"]
    assert {e["extensions"]["code"] for e in errors} == {"PERMISSION_DENIED"}
    assert {e["extensions"]["reason"] for e in errors} == {"token_scope"}
    assert {e["extensions"]["scopes"][0] for e in errors} == {"catalog:read"}
    assert {(e["extensions"]["type"], p[-1]) for e, p in zip(errors, _paths(costly))} == {("Item", "standardCost")}
    assert "Cost" not in str(costly["data"])  # the non-null cost takes its order out of the answer
    bom = gql(client, ORDER_ITEMS % "currentBom { lines { component { code } } }", enterprise=a, token=token)
    assert {p[-1] for p in _paths(bom)} == {"currentBom"}
    lines = [line for edge in bom["data"]["salesOrders"]["edges"] for line in edge["node"]["lines"]]
    assert lines and all(line["item"]["currentBom"] is None and line["item"]["code"] for line in lines)
    # the same through production:read and stock:read
    for scope, query in [
        ("production:read", "{ workOrders(first: 5) { edges { node { item { code standardCost } "
                            "components { item { code averageCost } } } } } }"),
        ("stock:read", "{ stockLevels(first: 5) { edges { node { item { code standardCost currentBom { version } } } "
                       "} } }"),
    ]:
        result = gql(client, query, enterprise=a, token=make_token(a, [scope]))
        assert result["errors"] and {e["extensions"]["code"] for e in result["errors"]} == {"PERMISSION_DENIED"}
        assert all(e["extensions"]["scopes"][0] == "catalog:read" for e in result["errors"]), scope
    # a work order's cost needs catalog:read, an item's stock stock:read
    production = gql(client, "{ workOrders(first: 5) { edges { node { number unitCost } } } }", enterprise=a,
                     token=make_token(a, ["production:read"]))
    assert {e["extensions"]["field"] for e in production["errors"]} == {"unitCost"}
    catalog = gql(client, "{ items(first: 3) { edges { node { code stockOnHand } } } }", enterprise=a,
                  token=make_token(a, ["catalog:read"]))
    assert {(e["extensions"]["type"], e["extensions"]["field"], e["extensions"]["scopes"][0])
            for e in catalog["errors"]} == {("Item", "stockOnHand", "stock:read")}
    both = gql(client, "{ items(first: 3) { edges { node { code stockOnHand standardCost } } } }", enterprise=a,
               token=make_token(a, ["catalog:read", "stock:read"]))
    assert "errors" not in both
    # a viewer's session reads everything its role reads, as before
    viewer = make_user(email="viewer@walk.test")
    Membership.objects.create(user=viewer, enterprise=a, role=Role.VIEWER)
    client.force_login(viewer)
    result = gql(client, ORDER_ITEMS % "standardCost stockOnHand currentBom { lines { component { code } } }",
                 enterprise=a)
    assert "errors" not in result
