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


def test_logistics_demo_ships_in_every_state_and_the_office_measures_it(make_enterprise, make_user):
    """瑞丰厨电's carriers, two contracts with rate cards and shipments in every state (demo seeders in their
    seed_demo order), then the office demo enrols it in the logistics programme and measures its use."""
    from django.apps import apps

    from logistics.carriers.demo import seed as seed_carriers
    from logistics.carriers.models import Contract
    from logistics.shipments.demo import seed_shipments_demo
    from logistics.shipments.models import ProofOfDelivery, Shipment
    from office.demo import seed_programme_demo
    from office.models import AdoptionSnapshot, Enrolment

    office = make_user(email="office@cixi.demo", platform_role="office")
    owner = make_user()
    ruifeng = make_enterprise(owner=owner, slug="ruifeng", name="慈溪市瑞丰厨房电器有限公司")
    with tenant_context(ruifeng):
        seed_range_hood_factory()
        seed_range_hood_documents()
    assert seed_carriers() is True
    assert seed_shipments_demo() is True
    assert seed_programme_demo() is True
    assert (seed_carriers(), seed_shipments_demo()) == (False, False)
    with tenant_context(ruifeng):
        contracts = Contract.objects.select_related("carrier").order_by("carrier__code")
        assert [(c.carrier.code, c.name) for c in contracts] == [("DBL", "大件物流"), ("SF", "标准快递")]
        assert all(c.zones.count() >= 4 for c in contracts)
        assert set(Shipment.objects.values_list("status", flat=True)) == set(Shipment.Status.values)
        parcels = apps.get_model("logistics_shipments", "Parcel").objects
        assert parcels.filter(status="out_for_delivery").exists() and parcels.filter(status="returned").exists()
        assert apps.get_model("logistics_tracking", "TrackingEvent").objects.count() >= 20
        assert ProofOfDelivery.objects.filter(shipment__status="delivered").exists()
    enrolment = Enrolment.objects.get(enterprise=ruifeng, programme__code="logistics")
    assert enrolment.status == "enrolled"
    snapshot = AdoptionSnapshot.objects.filter(enterprise=ruifeng).latest("day")
    assert snapshot.logistics_shipments_30d == 8  # 9 shipments, not the cancelled one
    assert 0 < snapshot.logistics_deliveries_tracked_30d <= snapshot.logistics_deliveries_30d
    assert snapshot.logistics_tracked_pct > 0
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(office)
    page = client.get("/office/programmes/logistics/").content.decode()
    assert "慈溪市瑞丰厨房电器有限公司" in page and 'id="logistics-measures"' in page
    assert 'id="logistics-shipments-total">0<' not in page
    page = client.get(f"/office/enterprises/{ruifeng.pk}/").content.decode()
    assert 'id="latest-logistics-figures"' in page
    assert f'id="logistics-tracked-pct">{snapshot.logistics_tracked_pct}%<' in page
