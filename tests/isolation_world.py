"""A world for the tenant-isolation tests: enterprise A (the one asking), enterprise B (the one that must
stay unseen) and enterprise C (B's counterparty on the boards), each with real objects of every kind,
made through the services as a user would.

- B's schema holds the whole range-hood demo (erp_modules/workspace/demo.py: items, BOMs, stock, partners,
  quotations, orders, deliveries, invoices, purchase orders, work orders) plus a few rows whose text
  carries the marker ``BSECRET``; its sequences start at ``TENANT_ID_OFFSET``, so no id of B's schema
  exists in A's schema and "not found" is unambiguous. A's schema holds the same demo (so every list
  A reads has rows of A: a positive control), with small ids.
- On the boards (public schema): B's published supply and RFQ (public on purpose), B's draft, closed
  and office-hidden listings, quotations between B and C, a B–C conversation, B's API token and B's
  registry entry (all private, their text carrying ``BSECRET``). What A deliberately shares with B is
  there too: A's quotation on B's RFQ and an A–B conversation.

``world_build()`` runs inside a transaction opened by the module fixture (``world_fixture``), which
rolls it back at the end: the world costs one build per test module and leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import shutil
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from io import BytesIO
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

MARK = "BSECRET"
TENANT_ID_OFFSET = 1_000_000
D = Decimal
_pid = itertools.count(1)


@dataclass
class World:
    a: object
    b: object
    c: object
    a_members: dict  # role -> user of A
    b_owner: object
    c_owner: object
    office: object
    outsider: object  # a logged-in user of no enterprise
    a_token: str  # every scope
    b_token_id: int
    # public-schema objects, by GraphQL type name -> {name: pk}
    b_public: dict = field(default_factory=dict)  # visible to everyone on purpose (published listings)
    b_private: dict = field(default_factory=dict)  # B's or C's, never A's to see or touch
    shared: dict = field(default_factory=dict)  # A's own objects that B takes part in (quotation, thread)
    b_codes: dict = field(default_factory=dict)  # codes of B's marker rows (customer, item)
    files: dict = field(default_factory=dict)  # name -> (path on disk, pk) of the world's stored files
    monthly_report: int | None = None  # the city's monthly report (office only)
    # B's objects by tests.walker PARAM_RULES kind (a carrier's bill; billing's subscription, invoice, fapiao)
    b_ids: dict = field(default_factory=dict)

    @property
    def a_owner(self):
        return self.a_members["owner"]


def host(enterprise=None) -> str:
    return f"{enterprise.slug}.localhost" if enterprise is not None else "localhost"


# ---- building ------------------------------------------------------------------------------------


def _user(email: str, **extra):
    from tenants.models import User

    return User.objects.create_user(email=email, password="pw-for-tests-1", full_name=email.split("@")[0], **extra)


def enterprise_make(slug: str, name: str, owner, industry: str = "3854"):
    from core.uscc import uscc_make
    from tenants.services import enterprise_provision

    body = f"{(os.getpid() % 9000) + 1000:04d}{8000 + next(_pid):04d}"
    enterprise = enterprise_provision(name=name, slug=slug, uscc=uscc_make(org_body=body), industry=industry,
                                      owner=owner, contact_phone="0574-6000000")
    connection.set_schema_to_public()
    return enterprise


def sequences_start_at(schema: str, start: int) -> None:
    """Every sequence of `schema` hands out ids from `start` on (ALTER SEQUENCE is transactional)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                       "WHERE n.nspname = %s AND c.relkind = 'S'", [schema])
        for (name,) in cursor.fetchall():
            cursor.execute(f'ALTER SEQUENCE "{schema}"."{name}" RESTART WITH {start}')


def png_upload(name: str) -> SimpleUploadedFile:
    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (64, 48), (20, 120, 200)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def erp_objects_make(prefix: str, text: str) -> None:
    """One of every kind of ERP object (the demo's kinds, made through the services): items with a
    released BOM and a routing, stock with a lot, a customer and a supplier with price lists, a sales
    quotation, a confirmed, delivered and invoiced sales order and an open one, a received purchase
    order and a draft one, a released work order, a stock count, an MRP run and an import job.
    Codes start with `prefix`; names and notes carry `text`."""
    from erp_modules.catalog.models import WorkCenter
    from erp_modules.catalog.services import routing_create
    from erp_modules.common.models import ImportJob
    from erp_modules.inventory.services import lot_get_or_create
    from erp_modules.partners.models import PriceList, PriceListItem
    from erp_modules.partners.services import partner_create
    from erp_modules.production.services import work_order_create, work_order_release
    from erp_modules.purchasing.services import purchase_order_approve, purchase_order_create, purchase_order_receive
    from erp_modules.sales.services import (delivery_create, invoice_create, quotation_create, sales_order_confirm,
                                            sales_order_create)
    from erp_modules.workspace.testing import make_bom, make_item, receive

    part = make_item(f"{prefix}-PART", name=f"{text} 零件", standard_cost=D("10"), tracking="lot")
    screw = make_item(f"{prefix}-SCREW", name=f"{text} 螺钉", standard_cost=D("0.1"))
    product = make_item(f"{prefix}-HOOD", name=f"{text} 成品", item_type="finished", standard_cost=D("100"))
    make_bom(product, [(part, 1), (screw, 4)])
    center = WorkCenter.objects.create(code=f"{prefix}-WC", name=f"{text} 总装线", cost_per_hour=D("60"))
    routing_create(item=product, name=f"{text} 工艺", operations=[
        {"name": "总装", "work_center": center, "setup_minutes": D("5"), "run_minutes_per_unit": D("3"),
         "piece_rate": D("1")}])
    receive(part, 40, lot=lot_get_or_create(item=part, code=f"{prefix}-LOT1"))
    receive(screw, 500)
    receive(product, 12)
    customer = partner_create(code=f"{prefix}-CUST", name=f"{text} 客户", is_customer=True)
    supplier = partner_create(code=f"{prefix}-SUPP", name=f"{text} 供应商", is_supplier=True)
    sales_list = PriceList.objects.create(name=f"{text} 经销价", kind=PriceList.Kind.SALES)
    PriceListItem.objects.create(price_list=sales_list, item=product, unit_price=D("1299"))
    quotation_create(customer=customer, lines=[{"item": product, "quantity": D("5")}], note=f"{text} 报价单")
    done = sales_order_create(customer=customer, lines=[{"item": product, "quantity": D("2")}], note=f"{text} 订单",
                              customer_reference=text)
    sales_order_confirm(order=done)
    delivery_create(order=done)
    invoice_create(order=done)
    sales_order_create(customer=customer, lines=[{"item": product, "quantity": D("3")}], note=f"{text} 草稿订单")
    received = purchase_order_create(supplier=supplier, lines=[{"item": part, "quantity": D("20"),
                                                                "unit_price": D("10")}], note=f"{text} 采购")
    purchase_order_approve(order=received)
    purchase_order_receive(order=received, lines=[{"line": received.lines.get(), "quantity": D("20"),
                                                   "lot": f"{prefix}-LOT2"}])
    purchase_order_create(supplier=supplier, lines=[{"item": screw, "quantity": D("1000"), "unit_price": D("0.1")}],
                          note=f"{text} 采购草稿")
    order = work_order_create(item=product, quantity=D("4"), note=f"{text} 工单",
                              planned_start=timezone.localdate(), planned_end=timezone.localdate() + timedelta(days=3))
    work_order_release(work_order=order)
    from erp_modules.mrp.services import mrp_run_execute, mrp_run_request
    from erp_modules.sales.services import availability_check_execute, availability_check_request

    availability_check_execute(check_id=availability_check_request().pk)
    mrp_run_execute(run_id=mrp_run_request().pk)
    job = ImportJob(kind="items", original_name=f"{prefix}-items.csv", status=ImportJob.Status.FAILED, total_rows=1,
                    processed_rows=1, error_count=1,
                    errors=[{"row": 2, "column": "code", "message": f"{text} 第 2 行物料编码重复"}])
    job.file.save("items.csv", SimpleUploadedFile("items.csv", f"code,name\n{prefix}-X,{text}\n".encode()),
                  save=False)
    job.save()


def pdm_objects_make(prefix: str, text: str, user, document=None, codes: tuple[str, str] | None = None,
                     check_out: bool = False, apply: bool = False) -> dict:
    """PDM objects, inside the enterprise's schema (after erp_objects_make): the `prefix`-HOOD product and its
    `prefix`-PART (or the two item codes `codes`: an assembly and one of its components) as parts with a released
    revision A, an ECO on the product (started: revision B in work with its draft BOM; approved once by `user`)
    and a vault document (`document`, else a new one) linked to that revision B. Numbers, titles and comments
    carry `text`. On the range-hood demo, codes=("MOTOR-ASM-220", "MOTOR-AC-220") gives a where-used with open
    sales, work and purchase orders and stock (api/graphql/tests/test_pdm.py). With check_out the document is then
    checked out by `user`; with apply the ECO is then advanced and applied (revision B released with the ECO's
    effective date). Returns what it made: "parts", "revisions" (the two revisions A), "new_revision" (B of the
    product), "eco", "document"."""
    from erp_modules.catalog.models import Bom, Item
    from pdm.changes.models import EcoType
    from pdm.changes.services import eco_advance, eco_apply, eco_create, eco_decide, eco_start
    from pdm.parts.models import PartRevision
    from pdm.parts.services import part_create
    from pdm.vault.services import document_check_out, document_create, document_link

    revisions = []
    for code in codes or (f"{prefix}-HOOD", f"{prefix}-PART"):
        item = Item.objects.get(code=code)
        bom = Bom.objects.filter(item=item, status=Bom.Status.RELEASED).order_by("-version").first()
        part = part_create(item=item, number=f"ENG-{prefix}-{code}"[:40], user=user)
        revisions.append(PartRevision.objects.create(
            part=part, revision="A", state=PartRevision.State.RELEASED, bom=bom, released_at=timezone.now(),
            effective_from=bom.effective_from if bom else timezone.localdate(), note=f"{text} 首版"))
    eco = eco_create(eco_type=EcoType.objects.get(code="STD"), title=f"{text} 电机换型", reason=f"{text} 供应商停产",
                     effective_date=timezone.localdate() + timedelta(days=30), revisions=revisions[:1], user=user)
    eco = eco_start(eco=eco, user=user)
    eco_decide(eco=eco, user=user, decision="approved", comment=f"{text} 同意")
    if document is None:
        document = document_create(number=f"{prefix}-DOC", title=f"{text} 图纸", kind="drawing", user=user,
                                   file=SimpleUploadedFile(f"{prefix}.dxf", f"0\nSECTION\n999\n{text}\n".encode()))
    new_revision = eco.affected.get().new_revision
    document_link(document=document, revision=new_revision, user=user)
    if check_out:
        document_check_out(document=document, user=user)
    if apply:
        eco = eco_apply(eco=eco_advance(eco=eco, user=user), user=user)
        new_revision.refresh_from_db()
    return {"parts": [r.part for r in revisions], "revisions": revisions, "new_revision": new_revision, "eco": eco,
            "document": document}


def logistics_objects_make(label: str, user) -> dict:
    """A carrier with a contract whose zone covers Zhejiang (330000), a booked shipment with a parcel and a
    proof, and a carrier's bill kept for checking, in the current schema (logistics/*/tests/walk_objects.py)."""
    from logistics.carriers.tests.walk_objects import make_carriers_walk_objects
    from logistics.freight.tests.walk_objects import make_freight_bill_walk_objects
    from logistics.shipments.tests.walk_objects import make_shipments_walk_objects

    return {**make_carriers_walk_objects(label, user), **make_shipments_walk_objects(label, user),
            **make_freight_bill_walk_objects(label, user)}


def board_post(enterprise, user, *, title: str, kind: str = "supply", category: str = "appl-parts-motor",
               **fields):
    from ecommerce import services
    from ecommerce.models import Category

    cat = Category.objects.select_related("board").get(code=category)
    if fields.get("is_rfq"):
        fields.setdefault("rfq_deadline", timezone.now() + timedelta(days=5))
    return services.listing_create(enterprise=enterprise, user=user, kind=kind, board=cat.board, category=cat,
                                   title=title, quantity=D("100"), unit="个", price_min=D("10"),
                                   price_max=D("20"), **fields)


def board_quote(listing, enterprise, user, note: str, attachment=None):
    from ecommerce import services

    return services.quotation_submit(listing=listing, enterprise=enterprise, user=user, unit_price=D("12"),
                                     quantity=D("50"), lead_time_days=7,
                                     valid_until=timezone.localdate() + timedelta(days=20), note=note,
                                     attachment=attachment)


def _boards(w: World) -> None:
    from ecommerce import services
    from ecommerce.services import listing_matches_refresh
    from ecommerce.models import Listing

    a, b, c = w.a, w.b, w.c
    a_owner, b_owner, c_owner = w.a_owner, w.b_owner, w.c_owner
    for enterprise in (a, b, c):
        services.enterprise_card_get(enterprise=enterprise)
    # A's own (so that "mine" lists have rows)
    a_supply = board_post(a, a_owner, title="A 供应 交流电机 180W")
    a_draft = board_post(a, a_owner, title="A 草稿 交流电机", publish=False)
    # B's: two public on purpose, three private
    services.enterprise_card_update(enterprise=b, user=b_owner, share_stock=True)
    b_supply = board_post(b, b_owner, title="B 供应 交流电机 220V 180W", contact_email="sales@b.test",
                     erp_item_code=w.b_codes["item"])
    b_rfq = board_post(b, b_owner, title="B 询价 交流电机 220V", kind="demand", is_rfq=True)
    b_draft = board_post(b, b_owner, title=f"{MARK} 草稿 电机", description=f"{MARK} 未发布", publish=False)
    b_closed = board_post(b, b_owner, title=f"{MARK} 已关闭 电机")
    services.listing_close(listing=b_closed, user=b_owner)
    b_hidden = board_post(b, b_owner, title=f"{MARK} 被隐藏 电机")
    services.listing_hide(listing=b_hidden, user=w.office, reason="测试隐藏")
    c_rfq = board_post(c, c_owner, title="C 询价 交流电机", kind="demand", is_rfq=True)
    # quotations: C on B's RFQ, B on C's RFQ (private to them), A on B's RFQ (A's own, shared with B)
    q_c_on_b = board_quote(b_rfq, c, c_owner, f"{MARK} C 报价",
                      attachment=SimpleUploadedFile("c-quote.pdf", f"%PDF-1.4 {MARK} C quote".encode()))
    q_b_on_c = board_quote(c_rfq, b, b_owner, f"{MARK} B 报价")
    q_a_on_b = board_quote(b_rfq, a, a_owner, "A 报价")
    # conversations: C asks B (private to them), A asks B (A's own)
    t_c_b = services.inquiry_send(listing=b_supply, enterprise=c, user=c_owner, body=f"{MARK} C 问 B")
    services.inquiry_reply(thread=t_c_b, enterprise=b, user=b_owner, body=f"{MARK} B 答 C")
    t_a_b = services.inquiry_send(listing=b_supply, enterprise=a, user=a_owner, body="A 问 B：可否寄样？")
    services.inquiry_reply(thread=t_a_b, enterprise=b, user=b_owner, body="B 答 A：可以寄样。")
    # B's stored files on the boards: an image and an attachment of its draft (private), of its supply (public)
    img_private = services.listing_image_add(listing=b_draft, user=b_owner, file=png_upload("b-draft.png"))
    att_private = services.listing_attachment_add(
        listing=b_draft, user=b_owner, file=SimpleUploadedFile("b-draft.pdf", f"%PDF-1.4 {MARK} draft".encode()))
    img_public = services.listing_image_add(listing=b_supply, user=b_owner, file=png_upload("b-supply.png"))
    for listing in Listing.objects.filter(enterprise__in=[a, b, c]):
        listing_matches_refresh(listing=listing, notify=False)
    w.files.update({
        "board_image_private": (img_private.image.path, img_private.pk),
        "board_thumb_private": (img_private.thumbnail.path, img_private.pk),
        "board_attachment_private": (att_private.file.path, att_private.pk),
        "board_image_public": (img_public.image.path, img_public.pk),
        "board_thumb_public": (img_public.thumbnail.path, img_public.pk),
        "quotation_attachment_private": (q_c_on_b.attachment.path, q_c_on_b.pk),
    })

    w.b_public = {"Listing": {"b_supply": b_supply.pk, "b_rfq": b_rfq.pk, "c_rfq": c_rfq.pk},
                  "ListingImage": {"b_supply": img_public.pk}}
    w.b_private = {
        "Listing": {"b_draft": b_draft.pk, "b_closed": b_closed.pk, "b_hidden": b_hidden.pk},
        "Quotation": {"c_on_b": q_c_on_b.pk, "b_on_c": q_b_on_c.pk},
        "InquiryThread": {"c_b": t_c_b.pk},
        "ListingImage": {"b_draft": img_private.pk},
        "ListingAttachment": {"b_draft": att_private.pk},
    }
    w.shared = {"Listing": {"a_supply": a_supply.pk, "a_draft": a_draft.pk},
                "Quotation": {"a_on_b": q_a_on_b.pk}, "InquiryThread": {"a_b": t_a_b.pk}}


def _govdata(w: World) -> None:
    import csv
    import io

    from api.govdata.services import file_import

    def csv_bytes(rows):
        out = io.StringIO()
        csv.writer(out).writerows(rows)
        return out.getvalue().encode("utf-8")

    file_import(content=csv_bytes([["uniscid", "entname", "regstate", "lerep", "opto"],
                                   [w.a.uscc, w.a.name, "存续", "A 法人", "9999-09-09"],
                                   [w.b.uscc, w.b.name, "存续", f"{MARK}法人", "9999-09-09"]]),
                filename="registry.csv")
    file_import(content=csv_bytes([["uniscid", "eventtype", "listdate", "reason"],
                                   [w.b.uscc, "经营异常名录", "2024-05-01", f"{MARK} 未按时年报"]]),
                filename="events.csv")


def world_build() -> World:
    from api.tokens.scopes import SCOPES
    from api.tokens.services import api_token_create
    from ecommerce.seed import boards_ensure
    from erp_modules.files.services import attachment_upload
    from tenants.models import Membership, Role
    from office.models import MonthlyReport

    boards_ensure()
    a_owner = _user("owner@iso-a.test")
    b_owner = _user("owner@iso-b.test")
    c_owner = _user("owner@iso-c.test")
    office = _user("office@iso-gov.test", platform_role="office")
    outsider = _user("nobody@iso.test")
    a = enterprise_make("isoa", "慈溪市隔离测试甲电器有限公司", a_owner)
    b = enterprise_make("isob", "慈溪市隔离测试乙电器有限公司", b_owner)
    c = enterprise_make("isoc", "慈溪市隔离测试丙电器有限公司", c_owner)
    a_members = {"owner": a_owner}
    for role in (Role.ADMIN, Role.MANAGER, Role.CLERK, Role.VIEWER):
        user = _user(f"{role.value}@iso-a.test")
        Membership.objects.create(user=user, enterprise=a, role=role)
        a_members[role.value] = user
    with tenant_context(a):
        erp_objects_make("A", "A")
        attachment_upload(file=SimpleUploadedFile("a.pdf", b"%PDF-1.4 drawing of A"), title="A 图纸",
                          uploaded_by=a_owner)
        pdm_objects_make("A", "A", a_owner)
        logistics_objects_make("a", a_owner)
    sequences_start_at(b.schema_name, TENANT_ID_OFFSET)
    files = {}
    with tenant_context(b):
        erp_objects_make("B-MARK", MARK)
        attachment = attachment_upload(file=SimpleUploadedFile("b.pdf", f"%PDF-1.4 {MARK} drawing".encode()),
                                       title=f"{MARK} 图纸", uploaded_by=b_owner)
        files["b_attachment"] = (attachment.file.path, attachment.pk)
        from pdm.vault.services import document_create

        document = document_create(number=f"{MARK}-DOC", title=f"{MARK} 图纸", kind="drawing", user=b_owner,
                                   file=SimpleUploadedFile("b.dxf", f"0\nSECTION\n999\n{MARK} vault drawing".encode()))
        version = document.versions.get()
        files["b_vault_version"] = (version.blob.file.path, version.pk)
        files["b_vault_document"] = (version.blob.file.path, document.pk)
        pdm_objects_make("B-MARK", MARK, b_owner, document=document)
        b_ids = logistics_objects_make(f"b-{MARK}", b_owner)
    connection.set_schema_to_public()
    from billing.tests.walk_objects import make_billing_walk_objects

    make_billing_walk_objects(a, a_owner)  # A's own subscription and invoice: its billing pages have rows
    b_ids = {"freight_bill": b_ids["freight_bill"], **make_billing_walk_objects(b, b_owner)}
    token = api_token_create(enterprise=a, name="A 全部权限", scopes=sorted(SCOPES)).token
    b_token = api_token_create(enterprise=b, name=f"{MARK} token", scopes=["catalog:read"]).api_token
    w = World(a=a, b=b, c=c, a_members=a_members, b_owner=b_owner, c_owner=c_owner, office=office,
              outsider=outsider, a_token=token, b_token_id=b_token.pk)
    w.files.update(files)
    w.b_ids.update(b_ids)
    w.b_codes = {"customer": "B-MARK-CUST", "item": "B-MARK-HOOD"}
    _boards(w)
    month = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)
    w.monthly_report = MonthlyReport.objects.update_or_create(
        month=month, defaults={"status": MonthlyReport.Status.DONE, "pdf": b"%PDF-1.4 city report",
                               "xlsx": b"PK city report", "finished_at": timezone.now()})[0].pk
    _govdata(w)
    w.b_private["ApiToken"] = {"b_token": b_token.pk}
    connection.set_schema_to_public()
    return w


# ---- what B holds, to prove nothing of it changed ---------------------------------------------------


def schema_checksum(schema: str) -> dict[str, str]:
    """{table: md5 of its rows} of every table of `schema` (one statement)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s ORDER BY tablename", [schema])
        tables = [t for (t,) in cursor.fetchall()]
        if not tables:
            return {}
        parts = [f"SELECT '{t}', md5(coalesce(string_agg(r::text, '|' ORDER BY r::text), '')) "
                 f'FROM "{schema}"."{t}" r' for t in tables]
        cursor.execute(" UNION ALL ".join(parts))
        return dict(cursor.fetchall())


def public_checksum(w: World) -> dict[str, str]:
    """The public rows of B and C (and of their conversations, quotations and listings), hashed per model."""
    from api.tokens.models import ApiToken
    from ecommerce.models import (EnterpriseCard, InquiryMessage, InquiryThread, Listing, ListingAttachment,
                                  ListingImage, Quotation)
    from tenants.models import Domain, Enterprise, Membership

    ids = [w.b.pk, w.c.pk]
    querysets = {
        "enterprise": Enterprise.objects.filter(pk__in=ids),
        "domain": Domain.objects.filter(tenant_id__in=ids),
        "membership": Membership.objects.filter(enterprise_id__in=ids),
        "card": EnterpriseCard.objects.filter(enterprise_id__in=ids),
        "listing": Listing.objects.filter(enterprise_id__in=ids),
        "image": ListingImage.objects.filter(listing__enterprise_id__in=ids),
        "attachment": ListingAttachment.objects.filter(listing__enterprise_id__in=ids),
        "quotation": Quotation.objects.filter(enterprise_id__in=ids),
        "quotation_on": Quotation.objects.filter(listing__enterprise_id__in=ids).exclude(enterprise_id=w.a.pk),
        "thread": InquiryThread.objects.filter(asker_id__in=ids, owner_id__in=ids),
        "message": InquiryMessage.objects.filter(thread__asker_id__in=ids, thread__owner_id__in=ids),
        "token": ApiToken.objects.filter(enterprise_id__in=ids),
    }
    result = {}
    for name, qs in querysets.items():
        rows = [repr(sorted(row.items())) for row in qs.order_by("pk").values()]
        result[name] = hashlib.md5("\n".join(rows).encode()).hexdigest()
    return result


def b_state(w: World) -> dict:
    connection.set_schema_to_public()
    return {"schema": schema_checksum(w.b.schema_name), "public": public_checksum(w)}


def state_diff(before: dict, after: dict) -> list[str]:
    changed = []
    for part in before:
        for key in sorted(set(before[part]) | set(after[part])):
            if before[part].get(key) != after[part].get(key):
                changed.append(f"{part}:{key}")
    return changed


# ---- the module fixture -------------------------------------------------------------------------


@contextmanager
def world_transaction(django_db_blocker):
    """Build the world in a transaction that is rolled back afterwards (tests nest savepoints in it)."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        w = None
        try:
            w = world_build()
            yield w
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            connection.set_schema_to_public()
            if w is not None:  # files stored by the world (the rows are gone with the rollback)
                for schema in (w.a.schema_name, w.b.schema_name, w.c.schema_name):
                    shutil.rmtree(Path(settings.MEDIA_ROOT) / schema, ignore_errors=True)
                for path, _pk in w.files.values():
                    Path(path).unlink(missing_ok=True)


# ---- PDM sharing with design partners (pdm/sharing) ------------------------------------------------


def pdm_shares_make(w: World) -> dict:
    """B shares its vault document (the one carrying the marker) with C, read-only; A shares a document of its
    own with B, in upload mode. Returns the ids: {"b_to_c", "a_to_b"} (shares), {"b_document", "b_version"}
    (in B's schema), {"a_document", "a_version"} (in A's schema)."""
    from pdm.sharing.services import share_create
    from pdm.vault.services import document_create

    with tenant_context(w.a):
        a_document = document_create(number="A-SHARED-DOC", title="A 共享给 B 的图纸", kind="drawing",
                                     file=png_upload("a-shared.png"), user=w.a_owner)
        a_version = a_document.versions.get().pk
    connection.set_schema_to_public()
    b_to_c = share_create(owner=w.b, kind="document", object_id=w.files["b_vault_document"][1],
                          partner_text=w.c.uscc, mode="read", note=f"{MARK} 给 C", user=w.b_owner)
    a_to_b = share_create(owner=w.a, kind="document", object_id=a_document.pk, partner_text=w.b.uscc,
                          mode="upload", user=w.a_owner)
    return {"b_to_c": b_to_c.pk, "a_to_b": a_to_b.pk, "b_document": w.files["b_vault_document"][1],
            "b_version": w.files["b_vault_version"][1], "a_document": a_document.pk, "a_version": a_version}
