"""GraphQL fuzzing with schemathesis (issue 11 §1): every query and mutation of the schema, on the public
host and on an enterprise's host with a token holding every scope, with generated arguments — valid
(positive mode) and invalid (negative mode), NUL bytes included, and our custom scalars (Decimal, Date,
DateTime, JSON) given both valid and hostile values (NaN, Infinity, 1e309, 40 digits, 2026-02-30 …).

What counts as a failure: an HTTP 5xx, an answer that is not JSON, or an error that is not typed — one
without `extensions.code`, or INTERNAL_ERROR (an unexpected exception, which the view logs with its
traceback and answers without its text). Typed errors (PERMISSION_DENIED, NOT_FOUND, validation …) and
mutation errors `[{field, message, code}]` are the API doing its job: schemathesis' own "GraphQL server
error" check (ST113) would flag those too, so its checks are not used here.

Bounded for CI (a few minutes on 2 cores): FUZZ_EXAMPLES examples per operation and mode on the
enterprise's host (default 10), a third of that on the public host. Deterministic by default (derandomized,
so CI is stable); set FUZZ_RANDOM=1 to explore new inputs, e.g.

    FUZZ_EXAMPLES=200 FUZZ_RANDOM=1 TEST_DATA_DIR=/tmp/fuzz .venv/bin/python -m core.runner test \
        api/graphql/tests/test_fuzz.py -q
"""

from __future__ import annotations

import json
import os
import datetime
import string
from collections import Counter
from datetime import timedelta, timezone
from decimal import Decimal
from unittest import SkipTest

import pytest
import schemathesis
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django_tenants.utils import tenant_context
from graphql import get_introspection_query, graphql_sync
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis.generation import GenerationMode
from graphql_relay import to_global_id
from schemathesis.graphql import nodes
from schemathesis.specs.graphql.scalars import CUSTOM_SCALARS

from api.graphql.schema import schema
from api.tokens.scopes import SCOPES
from api.tokens.services import api_token_create
from ecommerce import services as board_services
from ecommerce.models import Board
from ecommerce.seed import boards_ensure
from ecommerce.tests.factories import owner_of, post
from erp_modules.catalog.models import Bom, Item
from erp_modules.partners.models import Partner
from erp_modules.production.models import WorkOrder
from erp_modules.purchasing.models import PurchaseOrder
from erp_modules.sales.models import SalesOrder
from erp_modules.workspace.demo import seed_range_hood_documents, seed_range_hood_factory

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))
DERANDOMIZE = os.environ.get("FUZZ_RANDOM", "") != "1"

# ---- custom scalars: valid and hostile values --------------------------------------------------------

HOSTILE_NUMBERS = ["NaN", "-NaN", "Infinity", "-Infinity", "inf", "1e309", "-1e309", "1e-400", "9" * 40,
                   "-" + "9" * 40, "0." + "0" * 40 + "1", "²", "١٢", "１２", "1,5", "", " ", "abc", "1.2.3", "\x00",
                   "0x10", "1_000"]
HOSTILE_DATES = ["2026-02-30", "0000-00-00", "9999-99-99", "2026-13-01", "10000-01-01", "0001-01-01",
                 "2026-1-1", "２０２６-０１-０１", "", "today", "\x00", "2026-02-28T25:00:00"]


def _decimals():
    valid = st.decimals(min_value=-10 ** 9, max_value=10 ** 9, places=4, allow_nan=False).map(str)
    return st.one_of(valid.map(nodes.String), st.integers(-10 ** 6, 10 ** 6).map(nodes.Int),
                     st.floats(allow_nan=False, allow_infinity=False, width=32).map(nodes.Float),
                     st.sampled_from(HOSTILE_NUMBERS).map(nodes.String),
                     st.text(string.digits + ".-eE", max_size=12).map(nodes.String))


def _dates():
    return st.one_of(st.dates().map(lambda d: nodes.String(d.isoformat())),
                     st.sampled_from(HOSTILE_DATES).map(nodes.String), st.text(max_size=12).map(nodes.String))


def _datetimes():
    return st.one_of(st.datetimes().map(lambda d: nodes.String(d.isoformat())),
                     st.datetimes(timezones=st.just(timezone(timedelta(hours=8))))
                     .map(lambda d: nodes.String(d.isoformat())),
                     st.sampled_from(HOSTILE_DATES + ["2026-02-30T10:00:00+08:00", "2026-01-01T10:00:00+99:00"])
                     .map(nodes.String))


def _json_values():
    return st.one_of(st.text(max_size=20).map(nodes.String), st.integers().map(nodes.Int),
                     st.booleans().map(nodes.Boolean), st.just(nodes.Null))


schemathesis.graphql.scalar("Decimal", _decimals())
schemathesis.graphql.scalar("Date", _dates())
schemathesis.graphql.scalar("DateTime", _datetimes())
schemathesis.graphql.scalar("JSON", _json_values())


# ---- the run --------------------------------------------------------------------------------------


def _root_fields() -> list[str]:
    graphql_schema = schema.graphql_schema
    return [f"{root.name}.{name}" for root in (graphql_schema.query_type, graphql_schema.mutation_type)
            for name in root.fields]


def _introspection() -> dict:
    result = graphql_sync(schema.graphql_schema, get_introspection_query())
    assert not result.errors
    return result.data


def _problems(response) -> list[str]:
    """What is wrong with an answer (nothing when it is a success or a typed error)."""
    if response.status_code >= 500:
        return [f"HTTP {response.status_code}"]
    if response.status_code == 400 and response.has_header("X-Input-Refused"):
        return []  # core.input_guard refused a NUL or bad UTF-8 before the view (its page names the field)
    try:
        body = response.json()
    except ValueError:
        return [f"HTTP {response.status_code}, not JSON: {response.content[:200]!r}"]
    found = []
    for error in body.get("errors") or []:
        code = (error.get("extensions") or {}).get("code")
        if not code or code == "INTERNAL_ERROR":
            found.append(f"untyped error {code}: {error.get('message')!r} at {error.get('path')}")
    return found


def _fuzzer(operation, mode, examples, send):
    """A Hypothesis test of one operation in one mode, calling `send(query)` for each generated case."""

    @settings(max_examples=examples, deadline=None, database=None, derandomize=DERANDOMIZE,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        send(case.body)

    def guarded():
        try:
            run()
        except Unsatisfiable:
            pass  # e.g. negative mode for an operation without arguments to spoil
        except SkipTest:
            pass

    return guarded


def _outcome(response) -> str:
    if response.has_header("X-Input-Refused"):
        return "input guard"
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    if body.get("data") and not body.get("errors"):
        return "ran"
    codes = sorted({(e.get("extensions") or {}).get("code") or "?" for e in body.get("errors") or []})
    return ("ran, " if body.get("data") else "") + ",".join(codes)


@pytest.fixture
def fuzz_world(make_enterprise, make_token):
    """An enterprise with the demo factory and board traffic; the ids and codes that exist, so generated
    arguments reach past "not found" into the services (mixed with random ones)."""
    if Board.objects.count() < 4:
        boards_ensure()
    enterprise = make_enterprise(slug="fuzz")
    other = make_enterprise(slug="fuzz-other")
    with tenant_context(enterprise):
        seed_range_hood_factory()
        seed_range_hood_documents()
        ids = [to_global_id(type_name, pk) for type_name, model in (
            ("Item", Item), ("Bom", Bom), ("SalesOrder", SalesOrder), ("Partner", Partner),
            ("PurchaseOrder", PurchaseOrder), ("WorkOrder", WorkOrder)) for pk in model.objects.values_list("pk", flat=True)[:6]]
        codes = list(Item.objects.values_list("code", flat=True)[:8]) + list(
            Partner.objects.values_list("code", flat=True)[:4]) + ["pcs", "kg", "set", "tai", "WH", "WH/LINE", "C001"]
    connection.set_schema_to_public()
    mine = post(enterprise, title="油烟机用电机 YYHS-120")
    rfq = post(other, kind="demand", title="求购 交流电机", is_rfq=True)
    own_rfq = post(enterprise, kind="demand", title="求购 离心风轮", is_rfq=True)
    quotation = board_services.quotation_submit(
        listing=own_rfq, enterprise=other, user=owner_of(other), unit_price=Decimal("24"), quantity=Decimal("500"),
        lead_time_days=7, valid_until=datetime.date.today() + timedelta(days=10))
    thread = board_services.inquiry_send(listing=mine, enterprise=other, user=owner_of(other), body="可否寄样？")
    spare = api_token_create(enterprise=enterprise, name="spare", scopes=["catalog:read"]).api_token
    ids += [to_global_id("Listing", x.pk) for x in (mine, rfq, own_rfq)] + [
        to_global_id("Quotation", quotation.pk), to_global_id("InquiryThread", getattr(thread, "pk", 0)),
        to_global_id("ApiToken", spare.pk), to_global_id("Board", Board.objects.first().pk)]
    codes += ["appliances", "appl-parts-motor", enterprise.uscc, other.uscc]
    connection.set_schema_to_public()
    return enterprise, make_token(enterprise, list(SCOPES), name="fuzz"), ids, codes


def test_fuzz_graphql_public_and_enterprise_hosts(fuzz_world):
    enterprise, token, ids, codes = fuzz_world
    # IDs and strings: real ones (so mutations reach the services) as often as random and hostile ones
    schemathesis.graphql.scalar("ID", st.one_of(st.sampled_from(ids), st.text(max_size=24)).map(nodes.String))
    schemathesis.graphql.scalar("String", st.one_of(st.sampled_from(codes), st.text(max_size=40),
                                                    st.sampled_from(HOSTILE_NUMBERS + HOSTILE_DATES)).map(nodes.String))
    try:
        _fuzz(enterprise, token)
    finally:
        CUSTOM_SCALARS.pop("ID", None)
        CUSTOM_SCALARS.pop("String", None)


def _fuzz(enterprise, token):
    api = schemathesis.graphql.from_dict(_introspection())
    operations = [result.ok() for result in api.get_all_operations()]
    roots = _root_fields()
    assert sorted(o.label for o in operations) == sorted(roots)  # every query and mutation field
    client = Client()
    failures: list[str] = []
    counts = {"examples": 0}
    outcomes: Counter = Counter()  # how far the examples got: ran (data), or the code that refused them
    hosts = [("enterprise", {"HTTP_HOST": f"{enterprise.slug}.localhost", "HTTP_AUTHORIZATION": f"Bearer {token}"},
              EXAMPLES),
             ("public", {"HTTP_HOST": "localhost", "HTTP_AUTHORIZATION": f"Bearer {token}"}, max(2, EXAMPLES // 3))]
    def send(host, headers, label, mode, body):
        counts["examples"] += 1
        try:  # a savepoint per request: a database error must not poison the next ones
            with transaction.atomic():
                response = client.post("/graphql/", json.dumps({"query": body}), content_type="application/json",
                                       **headers)
        except DatabaseError as exc:
            failures.append(f"{host} {label} ({mode.value}): left the transaction broken: {exc}\n    {body[:600]}")
            return
        for problem in _problems(response):
            failures.append(f"{host} {label} ({mode.value}): {problem}\n    {body[:600]}")
        outcomes[_outcome(response)] += 1

    for host, headers, examples in hosts:
        for operation in operations:
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                run = _fuzzer(operation, mode, examples, lambda body, h=host, hd=headers, o=operation, m=mode:
                              send(h, hd, o.label, m, body))
                run()
    print(f"\nGraphQL fuzz: {counts['examples']} examples over {len(operations)} operations, 2 hosts, "
          f"{len(failures)} failures; outcomes {dict(outcomes.most_common())}")
    assert failures == [], "\n".join(failures[:30])
