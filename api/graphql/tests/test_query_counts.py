"""Every list field costs a constant number of SQL queries, whatever the page size: measured at
page sizes 1 and 100 with every nested list and relation asked for (DataLoaders batch them).

The counts are of a whole request (host and auth look-ups included) and exclude django-tenants'
`SET search_path` statements."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from api.govdata.models import CreditEvent, CreditRating, RegistryRecord
from api.graphql.tests.conftest import gql
from api.tokens.models import ApiToken
from erp_modules.catalog.models import Bom, BomLine, Item, ItemCategory, UnitOfMeasure
from erp_modules.inventory.models import StockBalance
from erp_modules.partners.models import Partner
from erp_modules.production.models import WorkOrder, WorkOrderComponent
from erp_modules.purchasing.models import PurchaseOrder, PurchaseOrderLine
from erp_modules.sales.models import SalesOrder, SalesOrderLine
from erp_modules.workspace.testing import main_location
from tenants.models import Enterprise
from core.uscc import uscc_make

N = 100
D = Decimal


def _fill_enterprise():
    """N of everything, written in bulk (these tests measure reads)."""
    pcs, kg = UnitOfMeasure.objects.get(code="pcs"), UnitOfMeasure.objects.get(code="kg")
    category = ItemCategory.objects.create(code="HOOD", name="油烟机")
    location = main_location()
    raw = Item.objects.bulk_create([Item(code=f"RAW-{n}", name=f"钢板 {n}", item_type="raw", uom=kg) for n in range(2)])
    items = Item.objects.bulk_create([Item(code=f"FG-{n:03d}", name=f"油烟机 {n}", item_type="finished", uom=pcs,
                                           category=category) for n in range(N)])
    boms = Bom.objects.bulk_create([Bom(item=i, version=1, status="released", effective_from=date(2024, 1, 1))
                                    for i in items])
    BomLine.objects.bulk_create([BomLine(bom=b, sequence=s, component=c, quantity=D("2"))
                                 for b in boms for s, c in ((10, raw[0]), (20, raw[1]))])
    StockBalance.objects.bulk_create([StockBalance(item=i, location=location, on_hand=D("5")) for i in items])
    partners = Partner.objects.bulk_create([Partner(code=f"P{n:03d}", name=f"客户 {n}", is_customer=True,
                                                    is_supplier=True) for n in range(N)])
    orders = SalesOrder.objects.bulk_create([SalesOrder(number=f"SO-{n:05d}", customer=p) for n, p in
                                             enumerate(partners)])
    SalesOrderLine.objects.bulk_create([SalesOrderLine(order=o, sequence=s, item=items[s], quantity=D("1"),
                                                       unit_price=D("900"), vat_rate=D("13"), location=location)
                                        for o in orders for s in (1, 2)])
    pos = PurchaseOrder.objects.bulk_create([PurchaseOrder(number=f"PO-{n:05d}", supplier=p, location=location)
                                             for n, p in enumerate(partners)])
    PurchaseOrderLine.objects.bulk_create([PurchaseOrderLine(order=o, line_no=s, item=raw[s - 1], quantity=D("10"),
                                                             uom=kg, unit_price=D("5"), vat_rate=D("13"),
                                                             net_amount=D("50"), vat_amount=D("6.5"))
                                           for o in pos for s in (1, 2)])
    work_orders = WorkOrder.objects.bulk_create([WorkOrder(number=f"WO-{n:05d}", item=i, bom=b, quantity=D("3"),
                                                           component_location=location, output_location=location)
                                                 for n, (i, b) in enumerate(zip(items, boms))])
    WorkOrderComponent.objects.bulk_create([WorkOrderComponent(work_order=w, sequence=s, item=raw[s // 10 - 1],
                                                               quantity_required=D("6")) for w in work_orders
                                            for s in (10, 20)])


def _fill_boards(enterprise, samples):
    """N supplies of the enterprise, each matched by a demand of a sample enterprise that asked about it."""
    from datetime import timedelta

    from django.utils import timezone

    from ecommerce.models import Category, InquiryMessage, InquiryThread, Listing, Match, Quotation
    from ecommerce.seed import boards_ensure

    boards_ensure()
    category = Category.objects.select_related("board").get(code="appl-parts-motor")
    now = timezone.now()
    common = {"board": category.board, "category": category, "status": "published", "published_at": now,
              "expires_at": now + timedelta(days=30), "attributes": [["功率", "120W"]]}
    supplies = Listing.objects.bulk_create([Listing(enterprise=enterprise, kind="supply", title=f"电机 {n}", **common)
                                            for n in range(N)])
    demands = Listing.objects.bulk_create([Listing(enterprise=e, kind="demand", title=f"求购电机 {n}", is_rfq=True,
                                                   rfq_deadline=now + timedelta(days=7), **common)
                                           for n, e in enumerate(samples)])
    Quotation.objects.bulk_create([Quotation(listing=d, enterprise=enterprise, unit_price=D("88"), quantity=D("100"),
                                             lead_time_days=10, valid_until=now.date() + timedelta(days=7))
                                   for d in demands])
    Match.objects.bulk_create([Match(demand=d, supply=s, score=D("0.8")) for d, s in zip(demands, supplies)])
    threads = InquiryThread.objects.bulk_create([InquiryThread(listing=s, asker=e, owner=enterprise)
                                                 for s, e in zip(supplies, samples)])
    InquiryMessage.objects.bulk_create([InquiryMessage(thread=t, sender=sender, body="询价")
                                        for t in threads for sender in (t.asker, enterprise)])


@pytest.fixture
def loaded(make_enterprise, make_user):
    """One enterprise full of data, N public enterprises with government records, N tokens."""
    from api.tokens.services import api_token_create, token_hash

    admin = make_user(email="qc-admin@a.test")
    office = make_user(email="qc-office@gov.test", platform_role="office")
    enterprise = make_enterprise(slug="counting", owner=admin)
    with tenant_context(enterprise):
        _fill_enterprise()
    connection.set_schema_to_public()
    codes = [uscc_make(org_body=f"QC1{n:05d}") for n in range(N)]
    Enterprise.objects.bulk_create([Enterprise(name=f"慈溪市样本{n:03d}有限公司", slug=f"sample{n:03d}", uscc=c,
                                               industry="3854", schema_name=f"e{n:014x}", status="active")
                                    for n, c in enumerate(codes)])  # rows only: no schema is needed here
    now = enterprise.created_at
    RegistryRecord.objects.bulk_create([RegistryRecord(key=c, uscc=c, content_hash="x", channel="file",
                                                       fetched_at=now, name=f"样本{c}", status="active",
                                                       status_raw="存续") for c in codes])
    CreditEvent.objects.bulk_create([CreditEvent(key=f"id:{c}", uscc=c, content_hash="x", channel="file",
                                                 fetched_at=now, kind="honour", severity="positive") for c in codes])
    CreditRating.objects.bulk_create([CreditRating(key=f"{c}:tax", uscc=c, content_hash="x", channel="file",
                                                   fetched_at=now, scheme="tax_credit", year=2024, grade="A")
                                      for c in codes])
    _fill_boards(enterprise, list(Enterprise.objects.filter(uscc__in=codes).order_by("slug")))
    token = api_token_create(enterprise=enterprise, name="mes", scopes=["catalog:read", "stock:read",
                                                                         "orders:read", "production:read",
                                                                         "boards:read"]).token
    ApiToken.objects.bulk_create([ApiToken(enterprise=enterprise, name=f"t{n}", prefix=f"qc{n:08d}",
                                           token_hash=token_hash(str(n)), scopes=["catalog:read"], created_by=admin)
                                  for n in range(N)])
    return {"enterprise": enterprise, "token": token, "admin": admin, "office": office}


LIST_FIELDS = {
    # field: (selection, auth, expected queries per request; a token's include one for its address's failed
    # token attempts, django-axes)
    "items": ("totalCount edges { node { code uom { code } category { code } stockOnHand currentBom { version "
              "lines { quantity component { code uom { code } } } } } }", "token", 10),
    "boms": ("edges { node { version item { code } lines { component { code } } } }", "token", 7),
    "stockLevels": ("edges { node { item { code uom { code } } location { code warehouse { code } } lot { code } "
                    "onHand reserved available } }", "token", 4),
    "salesOrders": ("edges { node { number customer { code } lines { item { code } quantity reserved short } } }",
                    "token", 9),
    "purchaseOrders": ("edges { node { number supplier { code } lines { item { code uom { code } } } } }", "token", 7),
    "workOrders": ("edges { node { number item { code } components { item { code } quantityRequired } } }",
                   "token", 6),
    "partners": ("totalCount edges { node { code name } }", "token", 5),
    "enterprises": ("edges { node { name registry { name } credit { ratings { grade } events { kind } } "
                    "creditBadge { level } } }", "office", 7),
    "listings": ("totalCount edges { node { title contactPhone board { code } category { code parentCode } "
                 "attributes { name } enterprise { name creditBadge { level } } "
                 "matches { score listing { title enterprise { name } } } quotations { unitPrice enterprise { name } } } }",
                 "token", 12),
    "myQuotations": ("edges { node { unitPrice status listing { title } enterprise { name } } }", "token", 6),
    "myListings": ("edges { node { title status enterprise { uscc } matches { score } } }", "token", 5),
    "inquiryThreads": ("totalCount edges { node { unread listing { title } asker { name } owner { name } "
                       "messages { body mine sender { name } } } }", "token", 9),
    "apiTokens": ("edges { node { name prefix createdBy } }", "admin", 5),
}


def _request(client, loaded, field, selection, auth, size):
    query = "{ %s(first: %d) { %s } }" % (field, size, selection)
    enterprise = None if auth == "office" else loaded["enterprise"]
    token = loaded["token"] if auth == "token" else None
    client.logout()
    if auth in ("office", "admin"):
        client.force_login(loaded[auth])
    gql(client, query, enterprise=enterprise, token=token)  # warm up (last-used and last-seen stamps)
    with CaptureQueriesContext(connection) as captured:
        result = gql(client, query, enterprise=enterprise, token=token)
    assert "errors" not in result, result["errors"]
    edges = result["data"][field]["edges"]
    statements = [q["sql"] for q in captured.captured_queries if not q["sql"].startswith("SET search_path")]
    return len(edges), statements


def test_every_list_field_costs_constant_queries(client, loaded):
    measured = {}
    for field, (selection, auth, _expected) in LIST_FIELDS.items():
        size_one, queries_one = _request(client, loaded, field, selection, auth, 1)
        size_hundred, queries_hundred = _request(client, loaded, field, selection, auth, 100)
        assert (size_one, size_hundred) == (1, 100), field
        measured[field] = (len(queries_one), len(queries_hundred))
        if len(queries_hundred) != LIST_FIELDS[field][2]:
            print(field, "\n  " + "\n  ".join(queries_hundred))
    assert measured == {field: (expected, expected) for field, (_s, _a, expected) in LIST_FIELDS.items()}
