"""The plan's gates on the enterprise host (tenants.entitlements, tenants.middleware.EntitlementMiddleware):
pages of a module that is off, menus, the past-due banner, read-only access, the seat limit; and the beat
task that makes an enterprise read-only when the grace period ends. Real requests, each on its host."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone, translation
from django_tenants.utils import tenant_context

from billing.models import Plan, Subscription
from billing.tasks_entitlements import past_due_read_only_apply
from erp_modules.catalog.models import Item
from erp_modules.workspace.testing import make_item
from tenants.models import Enterprise, Invitation, Membership, Role


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in the English source text (services' messages: the active language; pages: the
    client's Accept-Language below)."""
    with translation.override("en"):
        yield


def _client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")  # the tests read English
    client.force_login(user)
    return client


def _get(client, enterprise, url, **kw):
    return client.get(url, HTTP_HOST=f"{enterprise.slug}.localhost", **kw)


def _post(client, enterprise, url, data=None, **kw):
    return client.post(url, data or {}, HTTP_HOST=f"{enterprise.slug}.localhost", **kw)


def _set(enterprise, **fields) -> None:
    """What billing.entitlements.entitlements_apply writes (modules, seat_limit, access)."""
    Enterprise.objects.filter(pk=enterprise.pk).update(**fields)


@pytest.fixture
def pair(enterprise_pair):
    a, b, alice, bob = enterprise_pair("plan-a", "plan-b")
    return a, b, _client(alice), _client(bob)


def test_existing_enterprises_have_every_module_and_full_access(pair):
    a, _b, client, _ = pair
    assert sorted(a.modules) == ["erp", "logistics", "pdm"] and a.access == "full" and a.seat_limit is None
    page = _get(client, a, "/").content.decode()
    assert 'id="nav-erp"' in page and 'id="nav-pdm"' in page and 'id="nav-logistics"' in page
    assert 'id="plan-banner"' not in page
    for url in ("/catalog/items/", "/pdm/parts/", "/logistics/shipments/"):
        assert _get(client, a, url).status_code == 200, url


@pytest.mark.parametrize("module,urls", [
    ("erp", ["/catalog/items/", "/inventory/stock/", "/partners/", "/sales/orders/", "/purchasing/orders/",
             "/production/work-orders/", "/mrp/", "/erp/", "/erp/imports/"]),
    ("pdm", ["/pdm/parts/", "/pdm/documents/", "/pdm/ecos/", "/pdm/shared/"]),
    ("logistics", ["/logistics/shipments/", "/logistics/carriers/", "/logistics/dashboard/", "/logistics/tracking/"]),
])
def test_a_page_of_a_module_that_is_off_says_not_in_your_plan(pair, module, urls):
    a, _b, client, _ = pair
    _set(a, modules=[m for m in ("erp", "pdm", "logistics") if m != module])
    for url in urls:
        response = _get(client, a, url)
        assert response.status_code == 403, url
        page = response.content.decode()
        assert "is not in your plan" in page and 'href="/billing/"' in page, url
        assert response.context["module"] == module


def test_pages_common_to_every_plan_stay_open_with_the_boards_only_plan(pair):
    a, _b, client, _ = pair
    _set(a, modules=[])
    for url in ("/", "/members/", "/settings/", "/files/", "/settings/api-tokens/"):
        assert _get(client, a, url).status_code == 200, url
    page = _get(client, a, "/").content.decode()
    assert 'id="nav-erp"' not in page and 'id="nav-pdm"' not in page and 'id="nav-logistics"' not in page
    assert 'id="nav-files"' in page  # the document library keeps its menu entry
    assert _get(client, a, "/catalog/items/").status_code == 403
    # the boards (public host) are open to every plan
    assert client.get("/boards/", HTTP_HOST="localhost").status_code == 200


def test_the_menu_shows_only_the_modules_of_the_plan(pair):
    a, _b, client, _ = pair
    _set(a, modules=["erp"])
    page = _get(client, a, "/").content.decode()
    assert 'id="nav-erp"' in page and 'id="nav-pdm"' not in page and 'id="nav-logistics"' not in page
    assert 'href="/pdm/parts/"' not in page and 'href="/logistics/shipments/"' not in page
    _set(a, modules=["erp", "pdm"])
    page = _get(client, a, "/").content.decode()
    assert 'id="nav-pdm"' in page and 'href="/pdm/parts/"' in page and 'id="nav-logistics"' not in page


def test_turning_pdm_off_for_a_leaves_b_untouched(pair):
    a, b, client_a, client_b = pair
    _set(a, modules=["erp", "logistics"], access="read_only")
    assert _get(client_a, a, "/pdm/parts/").status_code == 403
    assert _get(client_b, b, "/pdm/parts/").status_code == 200
    page_b = _get(client_b, b, "/").content.decode()
    assert 'id="nav-pdm"' in page_b and 'id="plan-banner"' not in page_b
    with tenant_context(b):
        uom = make_item("B-MOTOR").uom_id
    data = {"code": "B-FAN", "name": "风轮", "item_type": "component", "uom": uom, "tracking": "none",
            "lead_time_days": 1, "safety_stock": 0, "min_order_qty": 0, "order_multiple": 0, "standard_cost": 0,
            "active": "on"}
    assert _post(client_b, b, "/catalog/items/new/", data).status_code == 302  # B writes as before
    with tenant_context(b):
        assert Item.objects.filter(code="B-FAN").exists()
    # and B's user, also a member of A, gets A's plan on A's host only
    Membership.objects.create(user=Membership.objects.get(enterprise=b).user, enterprise=a, role=Role.CLERK)
    assert _get(client_b, a, "/pdm/parts/").status_code == 403
    assert _get(client_b, b, "/pdm/parts/").status_code == 200


def test_a_non_member_gets_the_usual_404_not_the_plan(pair, make_user):
    a, _b, _client_a, _ = pair
    _set(a, modules=[])
    stranger = _client(make_user())
    assert _get(stranger, a, "/catalog/items/").status_code == 404
    anonymous = Client()
    assert _get(anonymous, a, "/catalog/items/").status_code == 302  # to log in, as before


def test_past_due_shows_a_warning_banner_on_every_page(pair):
    a, _b, client, _ = pair
    _set(a, access="past_due")
    for url in ("/", "/catalog/items/", "/members/"):
        page = _get(client, a, url).content.decode()
        assert 'id="plan-banner"' in page and "A payment of your subscription is overdue" in page, url
    # past due is a warning only: writes still work
    with tenant_context(a):
        uom = make_item("PD-MOTOR").uom_id
    data = {"code": "PD-FAN", "name": "风轮", "item_type": "component", "uom": uom, "tracking": "none",
            "lead_time_days": 1, "safety_stock": 0, "min_order_qty": 0, "order_multiple": 0, "standard_cost": 0,
            "active": "on"}
    assert _post(client, a, "/catalog/items/new/", data).status_code == 302


def test_read_only_refuses_writes_but_keeps_reads_exports_language_and_log_out(pair):
    a, b, client, _ = pair
    with tenant_context(a):
        uom = make_item("RO-MOTOR").uom_id
    _set(a, access="read_only")
    data = {"code": "RO-FAN", "name": "风轮", "item_type": "component", "uom": uom, "tracking": "none",
            "lead_time_days": 1, "safety_stock": 0, "min_order_qty": 0, "order_multiple": 0, "standard_cost": 0,
            "active": "on"}
    response = _post(client, a, "/catalog/items/new/", data)
    assert response.status_code == 403
    page = response.content.decode()
    assert "read-only" in page and "visible and can be exported to Excel" in page and 'href="/billing/"' in page
    with tenant_context(a):
        assert not Item.objects.filter(code="RO-FAN").exists()
    assert _post(client, a, "/members/", {"email": "new@x.test", "role": "clerk"}).status_code == 403
    assert not Invitation.objects.filter(enterprise=a).exists()
    # reads and Excel exports stay
    page = _get(client, a, "/catalog/items/").content.decode()
    assert "RO-MOTOR" in page and 'id="plan-banner"' in page
    export = _get(client, a, "/catalog/items/?export=xlsx")
    assert export.status_code == 200 and export.content[:2] == b"PK"
    # taking access away never waits for a payment: removing a member works, inviting one does not
    clerk = Membership.objects.create(user=Membership.objects.get(enterprise=b).user, enterprise=a, role=Role.CLERK)
    assert _post(client, a, f"/members/{clerk.pk}/remove/").status_code == 302
    assert not Membership.objects.filter(pk=clerk.pk).exists()
    # the language, billing and log-out still take a POST
    assert _post(client, a, "/language/", {"language": "en", "next": "/"}).status_code == 302
    assert _post(client, a, "/billing/").status_code != 403  # billing's own pages answer for themselves
    assert _post(client, a, "/logout/").status_code == 302
    assert _get(client, a, "/").status_code == 302  # logged out: to the log-in page


def test_seat_limit_refuses_an_invitation_beyond_the_plan_and_names_the_limit(pair):
    a, _b, client, _ = pair
    _set(a, seat_limit=3)
    assert _post(client, a, "/members/", {"email": "one@x.test", "role": "clerk"}).status_code == 302
    assert _post(client, a, "/members/", {"email": "two@x.test", "role": "clerk"}).status_code == 302
    response = _post(client, a, "/members/", {"email": "three@x.test", "role": "clerk"})
    assert response.status_code == 200
    errors = response.context["invite_form"].errors.as_data()["email"]
    assert errors[0].code == "seat_limit"
    assert "Your plan includes 3 seats: 1 are taken by members and 2 by open invitations" in errors[0].message
    assert sorted(Invitation.objects.filter(enterprise=a).values_list("email", flat=True)) == ["one@x.test",
                                                                                              "two@x.test"]
    # re-inviting the same person replaces the invitation: no extra seat
    assert _post(client, a, "/members/", {"email": "two@x.test", "role": "manager"}).status_code == 302


def test_accepting_an_invitation_when_the_seats_are_full_is_refused(pair, make_user):
    a, _b, client, _ = pair
    assert _post(client, a, "/members/", {"email": "late@x.test", "role": "clerk"}).status_code == 302
    invitation = Invitation.objects.get(enterprise=a, email="late@x.test")
    _set(a, seat_limit=1)  # the plan was downgraded meanwhile: the owner takes the only seat
    late = make_user(email="late@x.test")
    response = _client(late).post(f"/invite/{invitation.token}/", {}, HTTP_HOST="localhost", follow=True)
    assert "Your plan includes 1 seats and all 1 are taken" in response.content.decode()
    assert not Membership.objects.filter(enterprise=a, user=late).exists()
    _set(a, seat_limit=2)
    response = _client(late).post(f"/invite/{invitation.token}/", {}, HTTP_HOST="localhost")
    assert response.status_code == 302
    assert Membership.objects.filter(enterprise=a, user=late).exists()


def test_the_seat_limit_of_a_does_not_limit_b(pair):
    a, b, client_a, client_b = pair
    _set(a, seat_limit=1)
    assert _post(client_a, a, "/members/", {"email": "x@x.test", "role": "clerk"}).status_code == 200
    for n in range(3):
        assert _post(client_b, b, "/members/", {"email": f"b{n}@x.test", "role": "clerk"}).status_code == 302
    assert Invitation.objects.filter(enterprise=b).count() == 3
    assert not Invitation.objects.filter(enterprise=a).exists()


def _plan(code="erp-plan", modules=("erp",)) -> Plan:
    return Plan.objects.create(code=code, name=code, modules=list(modules), price_month=Decimal("300"),
                               price_year=Decimal("3000"), seats_included=5)


def test_beat_task_makes_an_enterprise_read_only_when_the_grace_period_ends(pair, settings):
    a, b, client_a, client_b = pair
    settings.BILLING_GRACE_DAYS = 14
    plan = _plan()
    now = timezone.now()
    Subscription.objects.create(enterprise=a, plan=plan, status=Subscription.Status.PAST_DUE,
                                past_due_since=now - timedelta(days=14, minutes=1))
    Subscription.objects.create(enterprise=b, plan=plan, status=Subscription.Status.PAST_DUE,
                                past_due_since=now - timedelta(days=13))
    _set(a, access="past_due", modules=["erp"])
    _set(b, access="past_due", modules=["erp"])
    assert past_due_read_only_apply(now=now) == ["plan-a"]
    a.refresh_from_db(), b.refresh_from_db()
    assert (a.access, b.access) == ("read_only", "past_due")
    assert past_due_read_only_apply(now=now) == []  # once
    assert _post(client_a, a, "/members/", {"email": "x@x.test", "role": "clerk"}).status_code == 403
    assert _post(client_b, b, "/members/", {"email": "x@x.test", "role": "clerk"}).status_code == 302
    # a day later B's grace period is over too
    assert past_due_read_only_apply(now=now + timedelta(days=1, minutes=1)) == ["plan-b"]


def test_beat_task_leaves_paid_and_unbilled_enterprises_alone(pair):
    a, b, _client_a, _ = pair
    Subscription.objects.create(enterprise=a, plan=_plan(), status=Subscription.Status.ACTIVE,
                                past_due_since=None)
    assert past_due_read_only_apply(now=timezone.now() + timedelta(days=400)) == []
    a.refresh_from_db(), b.refresh_from_db()
    assert (a.access, b.access) == ("full", "full")
