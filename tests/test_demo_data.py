"""The demo data builds through the real services and every ERP page shows something."""

from django.test import Client
from django_tenants.utils import tenant_context

from erp_modules.workspace.demo import seed_range_hood_documents, seed_range_hood_factory
from erp_modules.inventory.selectors import stock_on_hand
from erp_modules.catalog.models import Item
from erp_modules.production.models import WorkOrder
from erp_modules.purchasing.models import PurchaseOrder
from erp_modules.sales.models import SalesOrder

PAGES = ["/erp/", "/catalog/items/", "/catalog/boms/", "/inventory/stock/", "/inventory/valuation/",
         "/purchasing/orders/", "/purchasing/match/", "/sales/orders/", "/sales/invoices/", "/sales/quotations/",
         "/sales/shortages/", "/production/work-orders/", "/production/piece-rates/"]


def test_range_hood_demo_builds_once_and_every_page_renders(make_enterprise, make_user):
    owner = make_user()
    enterprise = make_enterprise(owner=owner, slug="demo-hoods")
    with tenant_context(enterprise):
        assert seed_range_hood_factory() is True
        assert seed_range_hood_documents() is True
        assert seed_range_hood_factory() is False and seed_range_hood_documents() is False
        assert WorkOrder.objects.filter(status="completed").count() == 1
        assert SalesOrder.objects.count() == 8
        assert PurchaseOrder.objects.filter(status="draft").count() == 1
        # 40 made, 20 delivered in the past months, 4 on the open order; 3 + 2 reserved for open orders
        assert stock_on_hand(item=Item.objects.get(code="CXW-200-A1")) == 16
    client = Client()
    client.force_login(owner)
    for url in PAGES:
        response = client.get(url, HTTP_HOST="demo-hoods.localhost")
        assert response.status_code == 200, url
    overview = client.get("/erp/", HTTP_HOST="demo-hoods.localhost").content.decode()
    assert "SO-" in overview and "PO-" in overview and "WO-" in overview
