"""Getting started (issue #17): a new enterprise's owner sees the steps on the dashboard, each ticked from real
data (company details, a second member, items, a BOM, an order, a listing on the boards); the list goes away
when all are done; a clerk never sees it; another enterprise's data ticks nothing here."""

import re
from decimal import Decimal

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from ecommerce.models import Board, Listing
from erp_modules.sales.services import sales_order_create
from erp_modules.sales.tests.factories import make_customer
from erp_modules.workspace.testing import make_bom, make_item
from tenants.models import Enterprise, Membership, Role

pytestmark = pytest.mark.django_db


def _steps(client: Client, enterprise) -> dict[str, bool] | None:
    html = client.get("/", HTTP_HOST=f"{enterprise.slug}.localhost").content.decode()
    if 'id="getting-started"' not in html:
        return None
    return {key: done == "true" for key, done in re.findall(r'data-step="(\w+)" data-done="(true|false)"', html)}


def test_the_steps_tick_from_real_data_and_the_list_goes_away_when_all_are_done(make_enterprise, make_user):
    owner = make_user(email="new-owner@onboarding.test", language="en")
    enterprise = make_enterprise(slug="onboard-a", owner=owner, address="", contact_phone="")
    other = make_enterprise(slug="onboard-b")  # its data must tick nothing in onboard-a
    with tenant_context(other):
        hood = make_item("B-HOOD", item_type="finished")
        make_bom(hood, [(make_item("B-MOTOR"), 1)])
        sales_order_create(customer=make_customer(), lines=[{"item": hood, "quantity": Decimal(1),
                                                             "unit_price": Decimal(100)}])
    board = Board.objects.order_by("sort_order").first()
    Listing.objects.create(enterprise=other, kind="supply", board=board, category=board.categories.first(),
                           title="别家的供应", status="published", expires_at="2099-01-01T00:00:00Z")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(owner)
    assert _steps(client, enterprise) == {"company": False, "members": False, "items": False, "bom": False,
                                          "order": False, "boards": False}
    clerk = make_user(email="clerk@onboarding.test", language="en")
    Membership.objects.create(user=clerk, enterprise=enterprise, role=Role.CLERK)
    Enterprise.objects.filter(pk=enterprise.pk).update(address="浙江省慈溪市观海卫镇工业园 8 号",
                                                       contact_phone="0574-6300 1234")
    with tenant_context(enterprise):
        parts = [make_item(f"A-{n}") for n in range(5)]
    assert _steps(client, enterprise) == {"company": True, "members": True, "items": True, "bom": False,
                                          "order": False, "boards": False}
    clerk_client = Client(HTTP_ACCEPT_LANGUAGE="en")
    clerk_client.force_login(clerk)
    assert _steps(clerk_client, enterprise) is None  # owners and administrators only
    with tenant_context(enterprise):
        hood = make_item("A-HOOD", item_type="finished")
        make_bom(hood, [(parts[0], 2)])
        sales_order_create(customer=make_customer(), lines=[{"item": hood, "quantity": Decimal(1),
                                                             "unit_price": Decimal(100)}])
    Listing.objects.create(enterprise=enterprise, kind="supply", board=board, category=board.categories.first(),
                           title="油烟机供应", status="published", expires_at="2099-01-01T00:00:00Z")
    assert _steps(client, enterprise) is None  # all done: the list is gone
