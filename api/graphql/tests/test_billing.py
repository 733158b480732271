"""Billing over GraphQL (issue 15): the enterprise's own subscription (plan, modules, subsidy) and invoices with
scope billing:read, at a constant query count; enterprise A never reads B's; the office's subsidy statement
for office users only."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from api.graphql.tests.conftest import error_codes, gql
from billing.services.subsidies import (invoice_subsidy_apply, month_first, months_add, scheme_create,
                                        settlements_build_month, subscription_scheme_join)
from billing.tests.test_subsidies import make_invoice, make_plan, make_subscription
from office.models import Subsidy
from office.services import enrolment_enrol
from office.tests.builders import make_programme
from tenants.models import Membership, Role

SUBSCRIPTION = """{ billingSubscription { plan { code modules } modules status paymentMethod seatLimit
  subsidy { programmeCode percent until } } }"""
INVOICES = """query($first: Int) { billingInvoices(first: $first) { totalCount edges { node {
  number status amountTotal subsidyAmount amountDue plan { code } lines { kind description amount } } } } }"""
STATEMENT = """query($p: String!, $m: String!) { subsidyStatement(programme: $p, month: $m) {
  programmeCode month total status lines { enterprise invoiceNumber subsidyAmount enterpriseShare } } }"""


@pytest.fixture
def world(two_enterprises, make_token, make_user):
    a, b, alice, bob = two_enterprises
    office = make_user(email="office@gql-billing.test", platform_role="office")
    programme = make_programme(budget=Decimal("100000.00"))
    plan = make_plan(modules=["erp", "pdm"])
    scheme = scheme_create(programme=programme, plan=plan, percent="40", months=12, max_enterprises=5, actor=office)
    enrolment_enrol(programme=programme, enterprise=a, actor=office)
    sub_a = subscription_scheme_join(subscription=make_subscription(a, plan), scheme=scheme)
    sub_b = make_subscription(b, make_plan(modules=["erp"]), provider="stripe", provider_customer_id="cus_B")
    invoices_a = [invoice_subsidy_apply(invoice=make_invoice(sub_a, total="500.00")) for _i in range(3)]
    invoices_b = [make_invoice(sub_b, total="299.00") for _i in range(2)]
    connection.set_schema_to_public()
    return {"a": a, "b": b, "alice": alice, "bob": bob, "office": office, "programme": programme, "plan": plan,
            "invoices_a": invoices_a, "invoices_b": invoices_b,
            "read_a": make_token(a, scopes=["billing:read"]), "read_b": make_token(b, scopes=["billing:read"]),
            "other_a": make_token(a, scopes=["catalog:read"])}


def test_the_enterprise_reads_its_subscription_and_its_invoices_only(client, world):
    # the subscription: plan, modules, the programme's subsidy
    result = gql(client, SUBSCRIPTION, enterprise=world["a"], token=world["read_a"])
    assert "errors" not in result, result
    sub = result["data"]["billingSubscription"]
    assert sub["plan"] == {"code": world["plan"].code, "modules": ["erp", "pdm"]}
    assert (sub["modules"], sub["status"], sub["paymentMethod"], sub["seatLimit"]) == (
        ["erp", "pdm"], "ACTIVE", "BANK_TRANSFER", 3)
    assert sub["subsidy"]["programmeCode"] == world["programme"].code and sub["subsidy"]["percent"] == "40.00"
    # the invoices: A's three, split 40 / 60
    result = gql(client, INVOICES, {"first": 10}, enterprise=world["a"], token=world["read_a"])
    page = result["data"]["billingInvoices"]
    assert page["totalCount"] == 3
    numbers = {e["node"]["number"] for e in page["edges"]}
    assert numbers == {i.number for i in world["invoices_a"]}
    node = page["edges"][0]["node"]
    assert (node["amountTotal"], node["subsidyAmount"], node["amountDue"]) == ("500.00", "200.00", "300.00")
    assert [line["kind"] for line in node["lines"]] == ["", "subsidy"]
    # B's token reads B's only, and never on A's host
    result = gql(client, INVOICES, {"first": 10}, enterprise=world["b"], token=world["read_b"])
    assert {e["node"]["number"] for e in result["data"]["billingInvoices"]["edges"]} == {
        i.number for i in world["invoices_b"]}
    refused = gql(client, INVOICES, enterprise=world["a"], token=world["read_b"], status=401)
    assert "data" not in refused or not refused.get("data")
    # nothing of the provider is in the schema's answer
    assert "cus_" not in repr(result)


def test_billing_needs_its_scope_and_an_owner_or_administrator(client, world, make_user):
    result = gql(client, SUBSCRIPTION, enterprise=world["a"], token=world["other_a"])
    assert error_codes(result) == ["PERMISSION_DENIED"] and result["data"]["billingSubscription"] is None
    # sessions: the owner reads, a viewer of the enterprise does not
    client.force_login(world["alice"])
    assert gql(client, SUBSCRIPTION, enterprise=world["a"])["data"]["billingSubscription"]["status"] == "ACTIVE"
    viewer = make_user(email="viewer@gql-billing.test")
    Membership.objects.create(enterprise=world["a"], user=viewer, role=Role.VIEWER)
    client.force_login(viewer)
    result = gql(client, INVOICES, enterprise=world["a"])
    assert error_codes(result) == ["PERMISSION_DENIED"]
    assert result["errors"][0]["extensions"]["reason"] == "role_too_low"
    # the public host has no enterprise's billing
    client.force_login(world["alice"])
    assert error_codes(gql(client, SUBSCRIPTION)) == ["ENTERPRISE_HOST_REQUIRED"]


def _count(client, world, first: int) -> tuple[dict, int]:
    with CaptureQueriesContext(connection) as captured:
        result = gql(client, INVOICES, {"first": first}, enterprise=world["a"], token=world["read_a"])
    assert "errors" not in result, result["errors"]
    statements = [q["sql"] for q in captured.captured_queries if not q["sql"].startswith("SET search_path")]
    return result["data"]["billingInvoices"], len(statements)


def test_invoices_cost_the_same_for_2_and_12(client, world):
    sub = world["invoices_a"][0].subscription
    for _i in range(9):
        make_invoice(sub, total="500.00")
    _count(client, world, 1)  # the token's first use of the run is recorded once: not part of the measure
    (small, small_count), (large, large_count) = _count(client, world, 2), _count(client, world, 12)
    assert (len(small["edges"]), len(large["edges"]), large["totalCount"]) == (2, 12, 12)
    assert small_count == large_count, (small_count, large_count)
    assert {e["node"]["plan"]["code"] for e in large["edges"]} == {world["plan"].code}


def test_the_subsidy_statement_is_for_the_office_only(client, world):
    programme = world["programme"]
    month = months_add(month_first(timezone.localdate()), -1)
    Subsidy.objects.filter(programme=programme).update(granted_on=month + timedelta(days=2))
    settlements_build_month()
    variables = {"p": programme.code, "m": f"{month:%Y-%m}"}
    # anonymous, a token, an enterprise's owner: refused
    assert error_codes(gql(client, STATEMENT, variables)) == ["UNAUTHENTICATED"]
    assert error_codes(gql(client, STATEMENT, variables, enterprise=world["a"], token=world["read_a"])) == [
        "PERMISSION_DENIED"]
    client.force_login(world["alice"])
    assert error_codes(gql(client, STATEMENT, variables)) == ["PERMISSION_DENIED"]
    # the office reads the statement: A's three shares of 200.00
    client.force_login(world["office"])
    statement = gql(client, STATEMENT, variables)["data"]["subsidyStatement"]
    assert (statement["programmeCode"], statement["month"], statement["total"], statement["status"]) == (
        programme.code, f"{month:%Y-%m}", "600.00", "OPEN")
    assert sorted(line["invoiceNumber"] for line in statement["lines"]) == sorted(
        i.number for i in world["invoices_a"])
    assert {(line["enterprise"], line["subsidyAmount"], line["enterpriseShare"]) for line in statement["lines"]} == {
        (world["a"].name, "200.00", "300.00")}
    assert error_codes(gql(client, STATEMENT, {"p": programme.code, "m": "2026-13"})) == ["BAD_USER_INPUT"]
    assert error_codes(gql(client, STATEMENT, {"p": "no-such", "m": "2026-01"})) == ["NOT_FOUND"]
