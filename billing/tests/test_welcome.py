"""The plan choice right after sign-up: the public sign-up hands the new owner over to the enterprise's host
on /billing/welcome/ (tenants.signup_steps, billing's step), the owner picks a plan there, the entitlements
apply and the owner lands on the dashboard. Real HTTP to the embedded localstripe for the card path."""

import re
from datetime import timedelta

from django.test import Client
from django.utils import timezone

from billing.models import Plan, Subscription
from billing.services.plans import plans_default_ensure
from billing.services.subscriptions import subscription_start
from core.uscc import uscc_make
from tenants.models import Enterprise, Membership, Role

SIGNUP = {
    "name": "慈溪市方案厨房电器有限公司", "short_name": "方案厨电", "uscc": uscc_make(org_body="20261207"),
    "slug": "fangan", "industry": "3854", "sales_band": "5m_20m", "address": "慈溪市新浦镇", "town": "新浦镇",
    "contact_phone": "0574-1", "full_name": "王方", "email": "wang@fangan.test", "password": "Kitchen-Hood-2026!",
}
HOST = "fangan.localhost"
ALL_MODULES = sorted(Enterprise.Module.values)


def _client() -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def _sign_up(client) -> str:
    """Sign up on the public host and follow the log-in hand-off as a browser would; returns where it lands."""
    response = client.post("/signup/", SIGNUP)
    assert response.status_code == 302, response.content[:500]
    match = re.match(r"http://([a-z0-9-]+\.localhost)(:\d+)?(/auth/handoff/\?.*)$", response["Location"])
    assert match and match.group(1) == HOST, response["Location"]
    landed = client.get(match.group(3), HTTP_HOST=HOST)
    assert landed.status_code == 302
    return landed["Location"]


def _owner_client(enterprise) -> Client:
    client = _client()
    client.force_login(Membership.objects.get(enterprise=enterprise, role=Role.OWNER).user)
    return client


def _choose(client, code: str, host: str = HOST, **fields):
    data = {"plan": Plan.objects.get(code=code).pk, "interval": "month", **fields}
    return client.post("/billing/welcome/", data, HTTP_HOST=host)


def test_sign_up_lands_on_the_plan_page_and_erp_by_bank_transfer_starts_a_trial(db):
    plans_default_ensure()
    client = _client()
    # when: a new enterprise signs up
    assert _sign_up(client) == "/billing/welcome/"
    enterprise = Enterprise.objects.get(slug="fangan")
    # then: the plan page, the four plans side by side; until a choice nothing changes (modules as provisioned)
    page = client.get("/billing/welcome/", HTTP_HOST=HOST)
    assert page.status_code == 200
    body = page.content.decode()
    for code in ("boards", "erp", "erp-pdm", "erp-pdm-logistics"):
        assert f'id="plan-{code}"' in body
    assert "Boards only (free)" in body and "No payment needed." in body and "14-day trial" in body
    assert "¥299.00" in body and "¥2,990.00" in body and "5 seats included" in body
    assert sorted(Enterprise.objects.get(pk=enterprise.pk).modules) == ALL_MODULES
    assert not Subscription.objects.filter(enterprise=enterprise).exists()
    # when: ERP, monthly, by corporate bank transfer
    response = _choose(client, "erp", payment_method="bank_transfer")
    # then: a trialing subscription, only ERP on, and the dashboard with its welcome
    assert (response.status_code, response["Location"]) == (302, "/?welcome=1")
    subscription = Subscription.objects.get(enterprise=enterprise)
    assert (subscription.plan.code, subscription.status, subscription.payment_method, subscription.interval) == (
        "erp", "trialing", "bank_transfer", "month")
    assert subscription.trial_end - timezone.now() > timedelta(days=13, hours=23)
    assert subscription.created_by.email == SIGNUP["email"]
    assert Enterprise.objects.get(pk=enterprise.pk).modules == ["erp"]
    assert client.get("/?welcome=1", HTTP_HOST=HOST)["Location"] == "/"
    dashboard = client.get("/", HTTP_HOST=HOST)
    html = dashboard.content.decode()
    assert dashboard.status_code == 200
    assert "You are now on ERP; the trial runs until" in html and "is ready." in html
    assert 'id="nav-erp"' in html and 'id="nav-pdm"' not in html and 'id="nav-logistics"' not in html
    assert client.get("/pdm/parts/", HTTP_HOST=HOST).status_code == 403
    # and: the page is done once chosen: it sends to the billing page
    again = client.get("/billing/welcome/", HTTP_HOST=HOST)
    assert (again.status_code, again["Location"]) == (302, "/billing/")


def test_the_free_boards_plan_needs_no_payment_and_switches_every_module_off(db):
    plans_default_ensure()
    client = _client()
    assert _sign_up(client) == "/billing/welcome/"
    # when: the free plan, with no payment method at all
    response = client.post("/billing/welcome/", {"plan": Plan.objects.get(code="boards").pk, "interval": "month"},
                           HTTP_HOST=HOST)
    # then: active at once, nothing to pay, boards only
    assert (response.status_code, response["Location"]) == (302, "/?welcome=1")
    subscription = Subscription.objects.get(enterprise__slug="fangan")
    assert (subscription.plan.code, subscription.status, subscription.payment_method, subscription.trial_end) == (
        "boards", "active", "none", None)
    assert Enterprise.objects.get(slug="fangan").modules == []
    html = client.get("/", HTTP_HOST=HOST).content.decode()
    assert 'id="nav-erp"' not in html and 'id="nav-pdm"' not in html


def test_the_card_path_starts_the_trial_at_the_provider(db, localstripe):
    plans_default_ensure()
    client = _client()
    assert _sign_up(client) == "/billing/welcome/"
    # when: ERP + PDM by card (the provider tokenises the card; the platform never stores it)
    response = _choose(client, "erp-pdm", payment_method="card", card_number="4242 4242 4242 4242",
                       card_exp="12/30", card_cvc="123")
    # then: a trialing subscription at localstripe and here, ERP and PDM on
    assert (response.status_code, response["Location"]) == (302, "/?welcome=1")
    subscription = Subscription.objects.get(enterprise__slug="fangan")
    assert (subscription.status, subscription.payment_method) == ("trialing", "card")
    at_provider = localstripe.request("GET", f"/v1/subscriptions/{subscription.provider_subscription_id}")
    assert at_provider["customer"] == subscription.provider_customer_id
    assert at_provider["items"]["data"][0]["plan"]["id"] == Plan.objects.get(code="erp-pdm").provider_refs[
        "stripe"]["month"]
    assert at_provider["trial_end"] == int(subscription.trial_end.timestamp())
    assert sorted(Enterprise.objects.get(slug="fangan").modules) == ["erp", "pdm"]


def test_a_declined_card_or_no_card_names_the_field_and_writes_nothing(db, localstripe):
    plans_default_ensure()
    client = _client()
    assert _sign_up(client) == "/billing/welcome/"
    declined = _choose(client, "erp", payment_method="card", card_number="4000 0000 0000 0002", card_exp="12/30",
                       card_cvc="123")
    assert declined.status_code == 400
    assert "card_number" in declined.context["form"].errors
    assert 'value="4000' not in declined.content.decode()  # the card is never echoed back
    missing = _choose(client, "erp", payment_method="card")
    assert missing.status_code == 400
    assert missing.context["form"].errors["card_number"] == ["Enter a card to pay by card."]
    no_plan = client.post("/billing/welcome/", {"interval": "month"}, HTTP_HOST=HOST)
    assert no_plan.status_code == 400 and "plan" in no_plan.context["form"].errors
    assert not Subscription.objects.filter(enterprise__slug="fangan").exists()
    assert sorted(Enterprise.objects.get(slug="fangan").modules) == ALL_MODULES


def test_decide_later_keeps_the_enterprise_as_provisioned_and_no_plan_means_the_dashboard(db):
    # given: no plan offered by the platform: nothing to choose, the sign-up lands on the dashboard as before
    client = _client()
    assert _sign_up(client) == "/?welcome=1"
    # when: plans are offered later, the owner who has not chosen still finds the page, and may decide later
    plans_default_ensure()
    page = client.get("/billing/welcome/", HTTP_HOST=HOST).content.decode()
    assert 'href="/?welcome=1" id="welcome-later"' in page
    assert client.get("/", HTTP_HOST=HOST).status_code == 200
    assert sorted(Enterprise.objects.get(slug="fangan").modules) == ALL_MODULES


def test_an_enterprise_that_already_subscribed_skips_the_step(make_enterprise, make_user):
    # given: an owner with an enterprise on the free plan signs up a second enterprise while logged in
    plans_default_ensure()
    owner = make_user(email="multi@fangan.test")
    first = make_enterprise(owner=owner)
    subscription_start(enterprise=first, plan=Plan.objects.get(code="boards"), actor=owner)
    client = _client()
    client.force_login(owner)
    data = {k: v for k, v in SIGNUP.items() if k not in ("full_name", "email", "password")}
    response = client.post("/signup/", data)
    # then: the new enterprise (never subscribed) gets the plan step; the first one keeps its plan
    assert "next=%2Fbilling%2Fwelcome%2F" in response["Location"]
    assert Subscription.objects.get(enterprise=first).plan.code == "boards"


def test_another_enterprise_s_welcome_page_is_not_found_and_a_member_below_owner_is_refused(enterprise_pair,
                                                                                           make_user):
    plans_default_ensure()
    a, b, alice, bob = enterprise_pair("welcome-a", "welcome-b")
    alice_client = _owner_client(a)
    # when: A's owner opens or posts B's plan page, on B's host
    assert alice_client.get("/billing/welcome/", HTTP_HOST="welcome-b.localhost").status_code == 404
    assert _choose(alice_client, "boards", host="welcome-b.localhost").status_code == 404
    # and: a clerk and an admin of B try it
    for role in (Role.CLERK, Role.ADMIN):
        member = make_user(email=f"{role}@welcome-b.test")
        Membership.objects.create(user=member, enterprise=b, role=role)
        client = _client()
        client.force_login(member)
        assert client.get("/billing/welcome/", HTTP_HOST="welcome-b.localhost").status_code == 403
        assert _choose(client, "erp", host="welcome-b.localhost",
                       payment_method="bank_transfer").status_code == 403
    # then: nothing written for B; A's own page still works for A
    assert not Subscription.objects.filter(enterprise=b).exists()
    assert sorted(Enterprise.objects.get(pk=b.pk).modules) == ALL_MODULES
    assert alice_client.get("/billing/welcome/", HTTP_HOST="welcome-a.localhost").status_code == 200
    # when: B's owner chooses, A is untouched
    assert _choose(_owner_client(b), "boards", host="welcome-b.localhost").status_code == 302
    assert Enterprise.objects.get(pk=b.pk).modules == []
    assert sorted(Enterprise.objects.get(pk=a.pk).modules) == ALL_MODULES
    assert not Subscription.objects.filter(enterprise=a).exists()
