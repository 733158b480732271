"""Builders for the programme tests: real rows through the real services."""

from __future__ import annotations

import io
import itertools
import os
from datetime import date, timedelta
from decimal import Decimal

from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from core.uscc import uscc_make
from office import services
from office.models import AdoptionSnapshot, Programme
from tenants.models import Enterprise, Membership, Role

_n = itertools.count(1)


def client_for(user=None) -> Client:
    """A client asking for English pages, logged in as `user` when one is given."""
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


def xlsx_rows(response, sheet: int = 0) -> list[tuple]:
    """The rows of an exported workbook's sheet (by index) as values."""
    assert response["Content-Type"].startswith("application/vnd.openxmlformats"), response.status_code
    return list(load_workbook(io.BytesIO(response.content)).worksheets[sheet].iter_rows(values_only=True))

ERP_CRITERIA = {"min_active_users_30d": 3, "min_documents_per_month": 50, "consecutive_months": 2,
                "document_kinds": ["purchase_orders", "receipts", "quotations", "sales_orders", "deliveries",
                                   "invoices", "work_orders"]}


def make_programme(**fields) -> Programme:
    n = next(_n)
    defaults = {"code": f"prog-{n}", "name": f"试点项目 {n}", "module": Programme.Module.ERP,
                "target_kind": Programme.TargetKind.COUNT, "target_count": 10,
                "period_start": date(2026, 1, 1), "period_end": timezone.localdate() + timedelta(days=365),
                "budget": Decimal("1000000.00"), "criteria": dict(ERP_CRITERIA)}
    defaults.update(fields)
    return services.programme_create(**defaults)


def registry_enterprise(*, industry: str = "3854", town: str = "", sales_band: str = "lt5m") -> Enterprise:
    """An enterprise row WITHOUT a schema, for tests of the public aggregates only (they never open
    a tenant schema): a hundred times cheaper than provisioning, which the other tests use."""
    n = next(_n)
    pid = os.getpid() % 1000
    return Enterprise.objects.create(
        name=f"慈溪市登记{n}有限公司", slug=f"reg{n}-{pid}", uscc=uscc_make(org_body=f"Q{pid:03d}{n:04d}"),
        industry=industry, town=town, sales_band=sales_band, status=Enterprise.Status.ACTIVE,
        schema_name=f"registry_only_{pid}_{n}")


def add_member(enterprise, user, role=Role.CLERK, last_seen_at=None) -> Membership:
    return Membership.objects.create(enterprise=enterprise, user=user, role=role, last_seen_at=last_seen_at)


def put_snapshot(enterprise, day: date, *, users: int = 0, documents: int = 0, prev_documents: int | None = None,
                 kind: str = "sales_orders", modules: list[str] | None = None, completeness=None) -> AdoptionSnapshot:
    """A snapshot row as the nightly task would write it (for tests of what reads them)."""
    return AdoptionSnapshot.objects.update_or_create(enterprise=enterprise, day=day, defaults={
        "active_users_7d": users, "active_users_30d": users,
        "documents_7d": {kind: documents}, "documents_30d": {kind: documents},
        "documents_prev_30d": {kind: documents if prev_documents is None else prev_documents},
        "documents_7d_total": documents, "documents_30d_total": documents,
        "modules_in_use": modules if modules is not None else (["sales"] if documents else []),
        "completeness_pct": None if completeness is None else Decimal(str(completeness))})[0]


def build_known_activity(*, enterprise, user_a, user_b, user_c):
    """Inside tenant_context(enterprise). Known activity for the windows ending today:

    items 4 (one created 40 days ago), 1 released BOM, 2 purchase orders (one 10 days ago),
    1 receipt, 1 sales order and 1 work order by user_b 10 days ago. user_a works today,
    user_b 10 days ago, user_c only looked at the enterprise 3 days ago."""
    from erp_modules.catalog.models import Item
    from erp_modules.common.models import AuditEntry
    from erp_modules.partners.services import partner_create
    from erp_modules.production.models import WorkOrder
    from erp_modules.production.services import work_order_create
    from erp_modules.purchasing.models import PurchaseOrder
    from erp_modules.purchasing.services import purchase_order_approve, purchase_order_create, purchase_order_receive
    from erp_modules.sales.models import SalesOrder
    from erp_modules.sales.services import sales_order_create
    from erp_modules.workspace.testing import make_bom, make_item

    now = timezone.now()
    motor = make_item("MOTOR", lead_time_days=10, standard_cost=Decimal("5"))
    screw = make_item("SCREW", standard_cost=Decimal("0.1"))
    hood = make_item("HOOD", item_type=Item.Type.FINISHED, standard_cost=Decimal("100"))
    make_item("BODY", item_type=Item.Type.SUBASSEMBLY)
    make_bom(hood, [(motor, "1"), (screw, "4")])
    supplier = partner_create(code="S1", name="宁波电机厂", is_supplier=True)
    customer = partner_create(code="C1", name="杭州电器城", is_customer=True)
    po = purchase_order_create(supplier=supplier, user=user_a,
                               lines=[{"item": motor, "quantity": Decimal("10"), "unit_price": Decimal("5")}])
    po = purchase_order_approve(order=po, user=user_a)
    purchase_order_receive(order=po, user=user_a, lines=[{"line": po.lines.get(), "quantity": Decimal("10")}])
    old_po = purchase_order_create(supplier=supplier, user=user_a,
                                   lines=[{"item": screw, "quantity": Decimal("100"), "unit_price": Decimal("0.1")}])
    so = sales_order_create(customer=customer, user=user_b,
                            lines=[{"item": hood, "quantity": Decimal("2"), "unit_price": Decimal("900")}])
    wo = work_order_create(item=hood, quantity=Decimal("5"), user=user_b)

    ten_days_ago = now - timedelta(days=10)
    PurchaseOrder.objects.filter(pk=old_po.pk).update(created_at=ten_days_ago)
    SalesOrder.objects.filter(pk=so.pk).update(created_at=ten_days_ago)
    WorkOrder.objects.filter(pk=wo.pk).update(created_at=ten_days_ago)
    AuditEntry.objects.filter(user_id=user_b.pk).update(at=ten_days_ago)
    Item.objects.filter(pk=motor.pk).update(created_at=now - timedelta(days=40))
    Membership.objects.filter(enterprise=enterprise, user=user_c).update(last_seen_at=now - timedelta(days=3))


KNOWN_A = {
    "documents_7d": {"purchase_orders": 1, "receipts": 1, "quotations": 0, "sales_orders": 0, "deliveries": 0,
                     "invoices": 0, "work_orders": 0, "items": 3, "boms": 1, "files": 0, "listings": 0},
    "documents_30d": {"purchase_orders": 2, "receipts": 1, "quotations": 0, "sales_orders": 1, "deliveries": 0,
                      "invoices": 0, "work_orders": 1, "items": 3, "boms": 1, "files": 0, "listings": 0},
    "documents_prev_30d": {"purchase_orders": 0, "receipts": 0, "quotations": 0, "sales_orders": 0, "deliveries": 0,
                           "invoices": 0, "work_orders": 0, "items": 1, "boms": 0, "files": 0, "listings": 0},
}


def build_small_activity():
    """Inside tenant_context: one component without lead time or cost, nothing else."""
    from erp_modules.workspace.testing import make_item

    make_item("ONLY-ONE")
