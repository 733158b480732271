"""Credit where people decide: every partner with a credit code shows its registry status and credit badge (read
from the government data through erp_modules/partners/credit.py), and an order with a revoked or abnormal
partner is approved / confirmed only with a manager's reason, stored and audited."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context
from graphql_relay import to_global_id

from api.govdata.services import file_import
from core.errors import error_codes
from core.uscc import uscc_make
from erp_modules.common.models import AuditEntry
from erp_modules.partners.credit import partner_credit_for
from erp_modules.purchasing.models import PurchaseOrder
from erp_modules.purchasing.services import purchase_order_approve
from erp_modules.purchasing.tests.factories import make_po, make_supplier
from erp_modules.sales.models import SalesOrder
from erp_modules.sales.services import sales_order_confirm, sales_order_create
from erp_modules.sales.tests.factories import make_customer, make_hood
from erp_modules.workspace.testing import make_item
from tenants.models import Membership, Role

GOOD = uscc_make(org_body="MA2PC001")
REVOKED = uscc_make(org_body="MA2PC002")
ABNORMAL = uscc_make(org_body="MA2PC003")
UNKNOWN = uscc_make(org_body="MA2PC004")  # in no government record


def _csv(rows):
    return "\n".join(",".join(cell for cell in row) for row in rows).encode("utf-8-sig")


@pytest.fixture
def gov_records(db):
    """The registry and credit records of three companies (public schema)."""
    file_import(content=_csv([["uniscid", "entname", "regstate"], [GOOD, "慈溪市信达电器有限公司", "存续"],
                              [REVOKED, "慈溪市老厂五金有限公司", "吊销未注销"], [ABNORMAL, "宁波失联钢材有限公司", "存续"]]),
                filename="registry.csv")
    file_import(content=_csv([["uniscid", "eventtype", "listdate", "recid", "authority"],
                              [ABNORMAL, "经营异常名录", "2025-01-10", "AB1", "宁波市市场监督管理局"]]), filename="events.csv")
    file_import(content=_csv([["uniscid", "scheme", "year", "grade", "score", "scale"],
                              [GOOD, "纳税信用等级", "2025", "A", "", ""], [GOOD, "公共信用评价", "2025", "", "812", "0-1000"]]),
                filename="ratings.csv")


@pytest.fixture
def ent(make_enterprise, make_user, gov_records):
    """An enterprise with a manager and a clerk (the owner is alice)."""
    owner = make_user(email="alice@credit.test")
    enterprise = make_enterprise(slug="credit-a", owner=owner)
    manager, clerk = make_user(email="manager@credit.test"), make_user(email="clerk@credit.test")
    Membership.objects.create(user=manager, enterprise=enterprise, role=Role.MANAGER)
    Membership.objects.create(user=clerk, enterprise=enterprise, role=Role.CLERK)
    enterprise.owner, enterprise.manager, enterprise.clerk = owner, manager, clerk
    return enterprise


def _client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


HOST = {"HTTP_HOST": "credit-a.localhost"}


# ---- the source ---------------------------------------------------------------------------------


def test_credit_for_answers_status_flags_and_badge(ent):
    with tenant_context(ent):
        credits = partner_credit_for([GOOD, REVOKED, ABNORMAL, UNKNOWN, ""])
    assert set(credits) == {GOOD, REVOKED, ABNORMAL, UNKNOWN}
    good, revoked, abnormal, unknown = (credits[c] for c in (GOOD, REVOKED, ABNORMAL, UNKNOWN))
    assert (good.status, good.level, good.rating_text, good.needs_override) == ("active", "good", "A · 812/1000", False)
    assert (revoked.status, revoked.revoked, revoked.abnormal, revoked.needs_override) == ("revoked", True, False, True)
    assert revoked.reasons == ("吊销未注销",)
    assert (abnormal.status, abnormal.revoked, abnormal.abnormal, abnormal.needs_override) == (
        "active", False, True, True)
    assert abnormal.reasons == ("经营异常名录",)
    assert (unknown.in_registry, unknown.level, unknown.needs_override) == (False, "unknown", False)
    assert 'data-level="alert"' in revoked.badge_html and 'data-level="good"' in good.badge_html


# ---- the partner pages --------------------------------------------------------------------------


def test_partner_list_and_page_show_registry_status_and_badge(ent):
    with tenant_context(ent):
        good = make_supplier("慈溪市信达电器有限公司", uscc=GOOD)
        revoked = make_supplier("慈溪市老厂五金有限公司", uscc=REVOKED)
        make_customer("宁波失联钢材有限公司", uscc=ABNORMAL)
        make_customer("没有代码的个体户")
    client = _client(ent.clerk)
    page = client.get("/partners/", **HOST).content.decode()
    assert "Registry status and credit" in page
    assert "Credit: good standing" in page and "Tax credit A (2025) · Public credit 812/1000" in page
    assert "Credit alert" in page and "吊销未注销" in page
    assert "Credit: watch" in page and "abnormal operation list (经营异常名录)" in page
    detail = client.get(f"/partners/{revoked.pk}/", **HOST).content.decode()
    assert "licence revoked, not deregistered (吊销未注销)" in detail and 'id="partner-credit-warning"' in detail
    assert "Credit alert" in detail
    detail = client.get(f"/partners/{good.pk}/", **HOST).content.decode()
    assert "in business (存续/在业)" in detail and "partner-credit-warning" not in detail
    zh = Client()  # zh-Hans, the default language
    zh.force_login(ent.clerk)
    assert zh.get("/partners/", **HOST).status_code == 200
    assert zh.get(f"/partners/{revoked.pk}/", **HOST).status_code == 200
    export = client.get("/partners/?export=xlsx", **HOST)
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxml")


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/partners/", **HOST).status_code == 200
    return len(queries)


def test_partner_list_costs_the_same_queries_for_3_or_20_partners(ent, make_enterprise):
    with tenant_context(ent):
        for n, code in enumerate([GOOD, REVOKED, ABNORMAL]):
            make_supplier(f"供应商{n}", uscc=code)
    client = _client(ent.clerk)
    _list_queries(client)  # warm (session, caches)
    few = _list_queries(client)
    with tenant_context(ent):
        for n in range(17):
            make_supplier(f"更多供应商{n}", uscc=uscc_make(org_body=f"MA2PD{n:03d}"))
    assert _list_queries(client) == few


# ---- approve / confirm --------------------------------------------------------------------------


def test_purchase_order_with_a_revoked_supplier_needs_a_managers_reason(ent):
    with tenant_context(ent):
        order = make_po(make_supplier("慈溪市老厂五金有限公司", uscc=REVOKED), [(make_item("BOLT"), 10, "1")],
                        approve=False)
        with pytest.raises(ValidationError) as refused:
            purchase_order_approve(order=order, user=ent.manager)
        assert error_codes(refused.value) == ["credit_override_required"]
        assert "吊销未注销" in refused.value.messages[0]
        with pytest.raises(ValidationError) as refused:
            purchase_order_approve(order=order, user=ent.clerk, credit_override_reason="急需")
        assert error_codes(refused.value) == ["credit_override_not_allowed"]
        assert PurchaseOrder.objects.get(pk=order.pk).status == "draft"
        assert not AuditEntry.objects.filter(object_type="purchasing.purchaseorder", object_id=order.pk,
                                             action="update").exists()
        purchase_order_approve(order=order, user=ent.manager, credit_override_reason="  已现场核实，货已到厂 ",
                               may_override_credit=True)
        order.refresh_from_db()
        assert (order.status, order.credit_override_by, order.credit_override_reason) == (
            "approved", ent.manager, "已现场核实，货已到厂")
        entry = AuditEntry.objects.get(object_type="purchasing.purchaseorder", object_id=order.pk, action="update")
        assert entry.user == ent.manager and entry.changes["credit_override_reason"] == ["", "已现场核实，货已到厂"]
        assert entry.message == "Credit warning overridden: %(reasons)s"


def test_a_good_supplier_needs_no_reason_and_none_is_stored(ent):
    with tenant_context(ent):
        order = make_po(make_supplier("慈溪市信达电器有限公司", uscc=GOOD), [(make_item("BOLT"), 10, "1")],
                        approve=False)
        purchase_order_approve(order=order, user=ent.manager, credit_override_reason="不需要", may_override_credit=True)
        order.refresh_from_db()
        assert (order.status, order.credit_override_reason, order.credit_override_by) == ("approved", "", None)


def test_sales_order_with_an_abnormal_customer_needs_a_managers_reason(ent):
    with tenant_context(ent):
        hood = make_hood(stock=10)
        order = sales_order_create(customer=make_customer("宁波失联钢材有限公司", uscc=ABNORMAL),
                                   lines=[{"item": hood, "quantity": Decimal("2"), "unit_price": Decimal("900")}])
        with pytest.raises(ValidationError) as refused:
            sales_order_confirm(order=order, user=ent.clerk)
        assert error_codes(refused.value) == ["credit_override_required"]
        sales_order_confirm(order=order, user=ent.manager, credit_override_reason="预付全款",
                            may_override_credit=True)
        order.refresh_from_db()
        assert (order.status, order.credit_override_by, order.credit_override_reason) == ("confirmed", ent.manager,
                                                                                         "预付全款")
        assert AuditEntry.objects.filter(object_type="sales.salesorder", object_id=order.pk, action="update",
                                         message="Credit warning overridden: %(reasons)s").count() == 1


def test_the_pages_show_the_warning_and_take_the_reason(ent):
    with tenant_context(ent):
        po = make_po(make_supplier("慈溪市老厂五金有限公司", uscc=REVOKED), [(make_item("BOLT"), 10, "1")],
                     approve=False)
        so = sales_order_create(customer=make_customer("宁波失联钢材有限公司", uscc=ABNORMAL),
                                lines=[{"item": make_hood(stock=10), "quantity": Decimal("2"),
                                        "unit_price": Decimal("900")}])
    manager, clerk = _client(ent.manager), _client(ent.clerk)
    page = manager.get(f"/purchasing/orders/{po.pk}/", **HOST).content.decode()
    assert 'id="credit-warning"' in page and 'name="credit_override_reason"' in page and 'id="approve"' not in page
    assert "Approve despite the credit warning" in page
    # without a reason: refused, still a draft
    response = manager.post(f"/purchasing/orders/{po.pk}/approve/", **HOST, follow=True)
    assert "Give the reason for going ahead" in response.content.decode()
    response = manager.post(f"/purchasing/orders/{po.pk}/approve/", {"credit_override_reason": "老客户，已核实"},
                            **HOST, follow=True)
    assert 'id="credit-override"' in response.content.decode() and "老客户，已核实" in response.content.decode()
    # a clerk sees the sales order's warning but cannot go ahead; a manager can
    page = clerk.get(f"/sales/orders/{so.pk}/", **HOST).content.decode()
    assert 'id="credit-warning"' in page and 'id="credit-override-manager"' in page
    assert 'id="confirm-order"' not in page and 'name="credit_override_reason"' not in page
    response = clerk.post(f"/sales/orders/{so.pk}/confirm/", {"credit_override_reason": "我来确认"}, **HOST, follow=True)
    assert "Only a manager can override the credit warning" in response.content.decode()
    page = manager.get(f"/sales/orders/{so.pk}/", **HOST).content.decode()
    assert "Confirm despite the credit warning" in page
    manager.post(f"/sales/orders/{so.pk}/confirm/", {"credit_override_reason": "预付全款"}, **HOST)
    with tenant_context(ent):
        assert PurchaseOrder.objects.get(pk=po.pk).status == "approved"
        assert SalesOrder.objects.get(pk=so.pk).credit_override_reason == "预付全款"
        assert SalesOrder.objects.get(pk=so.pk).status == "confirmed"


# ---- GraphQL ------------------------------------------------------------------------------------

PO_APPROVE = """mutation($id: ID!, $reason: String) { purchaseOrderApprove(id: $id, creditOverrideReason: $reason) {
    purchaseOrder { status creditOverrideReason } errors { field code } } }"""
SO_CONFIRM = """mutation($id: ID!, $reason: String) { salesOrderConfirm(id: $id, creditOverrideReason: $reason) {
    salesOrder { status creditOverrideReason } errors { field code } } }"""


def _gql(client, query, variables, host="credit-a.localhost"):
    response = client.post("/graphql/", json.dumps({"query": query, "variables": variables}),
                           content_type="application/json", HTTP_HOST=host)
    assert response.status_code == 200, response.content[:2000]
    return response.json()


def test_graphql_approve_and_confirm_take_the_override_reason(ent):
    with tenant_context(ent):
        po = make_po(make_supplier("慈溪市老厂五金有限公司", uscc=REVOKED), [(make_item("BOLT"), 10, "1")],
                     approve=False)
        so = sales_order_create(customer=make_customer("宁波失联钢材有限公司", uscc=ABNORMAL),
                                lines=[{"item": make_hood(stock=10), "quantity": Decimal("2"),
                                        "unit_price": Decimal("900")}])
    po_id, so_id = to_global_id("PurchaseOrder", po.pk), to_global_id("SalesOrder", so.pk)
    manager, clerk = _client(ent.manager), _client(ent.clerk)
    result = _gql(manager, PO_APPROVE, {"id": po_id})["data"]["purchaseOrderApprove"]
    assert result == {"purchaseOrder": None, "errors": [{"field": "creditOverrideReason",
                                                         "code": "credit_override_required"}]}
    result = _gql(clerk, PO_APPROVE, {"id": po_id, "reason": "我来"})
    assert result["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED"
    result = _gql(clerk, SO_CONFIRM, {"id": so_id, "reason": "我来"})["data"]["salesOrderConfirm"]
    assert result["errors"] == [{"field": "creditOverrideReason", "code": "credit_override_not_allowed"}]
    result = _gql(manager, PO_APPROVE, {"id": po_id, "reason": "已核实"})["data"]["purchaseOrderApprove"]
    assert result == {"purchaseOrder": {"status": "APPROVED", "creditOverrideReason": "已核实"}, "errors": []}
    result = _gql(manager, SO_CONFIRM, {"id": so_id, "reason": "预付全款"})["data"]["salesOrderConfirm"]
    assert result == {"salesOrder": {"status": "CONFIRMED", "creditOverrideReason": "预付全款"}, "errors": []}


# ---- isolation ----------------------------------------------------------------------------------


def test_a_cannot_approve_or_confirm_bs_orders_with_an_override(ent, make_enterprise, make_user):
    bob = make_user(email="bob@credit-b.test")
    b = make_enterprise(slug="credit-b", owner=bob)
    with tenant_context(ent):
        make_po(make_supplier("甲方供应商"), [(make_item("A-BOLT"), 1, "1")], approve=False)
    with tenant_context(b):
        supplier = make_supplier("乙方老厂五金", uscc=REVOKED)
        b_orders = [make_po(supplier, [(make_item(f"B-BOLT{n}"), 1, "1")], approve=False) for n in range(2)]
        b_so = sales_order_create(customer=make_customer("乙方客户", uscc=ABNORMAL),
                                  lines=[{"item": make_hood(stock=5), "quantity": Decimal("1"),
                                          "unit_price": Decimal("900")}])
    connection.set_schema_to_public()
    b_only = b_orders[1].pk  # A has one order (id 1): B's second has an id A does not use
    manager = _client(ent.manager)
    assert manager.post(f"/purchasing/orders/{b_only}/approve/", {"credit_override_reason": "越权"},
                        **HOST).status_code == 404
    assert manager.get(f"/purchasing/orders/{b_only}/", **HOST).status_code == 404
    # B's order on B's host: A's manager is no member there
    assert manager.post(f"/purchasing/orders/{b_only}/approve/", {"credit_override_reason": "越权"},
                        HTTP_HOST="credit-b.localhost").status_code == 404
    result = _gql(manager, PO_APPROVE, {"id": to_global_id("PurchaseOrder", b_only), "reason": "越权"})
    assert result["data"]["purchaseOrderApprove"]["errors"] == [{"field": "id", "code": "not_found"}]
    with tenant_context(b):
        assert set(PurchaseOrder.objects.values_list("status", flat=True)) == {"draft"}
        assert SalesOrder.objects.get(pk=b_so.pk).status == "draft"
        assert not AuditEntry.objects.filter(action="update", message__startswith="Credit warning").exists()
