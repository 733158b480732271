"""The platform administrator's billing pages (/platform/billing/ on the public host): real requests as a
platform administrator, as an enterprise's owner and as the office (403), as a visitor (log-in), and on an
enterprise's host (404). Writes go through the owner helper's services; the plan editor syncs the plan to
the embedded localstripe over real HTTP."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import include, path
from openpyxl import load_workbook

from billing.models import BankTransfer, DunningNotice, FapiaoRequest, Invoice, Plan, Subscription
from billing.services.invoices import fapiao_request_create
from billing.services.plans import plans_default_ensure
from billing.services.subscriptions import subscription_start
from office.tests.builders import client_for
from tenants.models import Membership, Role

TZ = ZoneInfo("Asia/Shanghai")

# The public host's URLs with the admin pages mounted as config/urls_public.py does once the include is there
# (the patch is in the platadmin report): the tests do not depend on when it lands.
urlpatterns = [
    path("platform/billing/", include("billing.urls_admin")),
    path("", include("config.urls_public")),
]

PAGES = ["/platform/billing/", "/platform/billing/plans/", "/platform/billing/plans/new/",
         "/platform/billing/subscriptions/", "/platform/billing/past-due/", "/platform/billing/invoices/",
         "/platform/billing/fapiao/"]


@pytest.fixture(autouse=True)
def public_urls(settings):
    settings.PUBLIC_SCHEMA_URLCONF = __name__


@pytest.fixture
def plans(db):
    plans_default_ensure()
    return {p.code: p for p in Plan.objects.all()}


@pytest.fixture
def admin(make_user):
    return make_user(email="finance@platform.test", platform_role="platform_admin", full_name="平台财务")


def _owner(enterprise):
    return Membership.objects.get(enterprise=enterprise, role=Role.OWNER).user


def _bank_subscription(enterprise, plan, **kwargs) -> Subscription:
    return subscription_start(enterprise=enterprise, plan=plan, actor=_owner(enterprise),
                              payment_method="bank_transfer", trial=False, **kwargs)


def _xlsx(response) -> list[tuple]:
    assert response["Content-Type"].startswith("application/vnd.openxmlformats"), response.status_code
    return list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))


def test_only_platform_administrators_reach_the_pages(make_enterprise, make_user, admin, plans):
    owner = make_user()
    enterprise = make_enterprise(owner=owner, slug="pa-a")
    office = make_user(platform_role="office")
    plan_page = f"/platform/billing/plans/{plans['erp'].pk}/"
    for url in [*PAGES, plan_page]:
        anonymous = client_for().get(url)
        assert anonymous.status_code == 302 and anonymous["Location"].startswith("/login/?next="), url
        refused = client_for(owner).get(url)
        assert refused.status_code == 403, url
        assert "These pages are for the platform administrators" in refused.content.decode()
        assert client_for(office).get(url).status_code == 403, url
        assert client_for(admin).get(url).status_code == 200, url
    # on an enterprise's host the pages do not exist, not even for a platform administrator
    host = f"{enterprise.slug}.localhost"
    assert client_for(owner).get("/platform/billing/", HTTP_HOST=host).status_code == 404
    assert client_for(admin).get("/platform/billing/", HTTP_HOST=host).status_code == 404


def test_an_enterprise_owner_cannot_record_a_payment_or_issue_a_fapiao(enterprise_pair, admin, plans):
    # given: A's open bank-transfer invoice with a fapiao request
    a, b, alice, bob = enterprise_pair("pa-iso-a", "pa-iso-b")
    subscription = _bank_subscription(a, plans["erp"])
    invoice = Invoice.objects.get(subscription=subscription)
    fapiao = fapiao_request_create(invoice=invoice, actor=alice, title=a.name, tax_number=a.uscc)
    # when: the owners of A and of B try the admin's writes
    for user in (alice, bob):
        client = client_for(user)
        assert client.post(f"/platform/billing/invoices/{invoice.pk}/", {
            "amount": "299", "received_on": "2026-03-02", "bank_reference": f"X-{user.pk}"}).status_code == 403
        assert client.post(f"/platform/billing/fapiao/{fapiao.pk}/issue/",
                           {"fapiao_number": "12345678"}).status_code == 403
        assert client.get(f"/platform/billing/invoices/{invoice.pk}/").status_code == 403
    # then: nothing was written
    assert not BankTransfer.objects.exists()
    fapiao.refresh_from_db()
    assert (fapiao.status, fapiao.fapiao_number) == ("requested", "")
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_paid) == ("open", Decimal("0.00"))


def test_the_plans_editor_creates_and_edits_a_plan_synced_to_the_provider(admin, plans, localstripe):
    client = client_for(admin)
    listing = client.get("/platform/billing/plans/").content.decode()
    assert "ERP + PDM + 物流" in listing and "ERP + PDM + logistics" in listing and "erp-pdm-logistics" in listing
    # when: a new paid plan is saved
    response = client.post("/platform/billing/plans/new/", {
        "code": "pdm-only", "name": "PDM 单独", "name_en": "PDM only", "description": "",
        "modules": ["pdm"], "price_month": "199", "price_year": "1990", "seats_included": "3",
        "extra_seat_month": "29", "extra_seat_year": "290", "trial_days": "7", "is_active": "on",
        "sort_order": "25"})
    # then: saved through the plans service, with its product and prices at the provider (localstripe)
    assert (response.status_code, response["Location"]) == (302, "/platform/billing/plans/")
    plan = Plan.objects.get(code="pdm-only")
    assert (plan.modules, plan.price_month, plan.price_year, plan.seats_included, plan.trial_days, plan.is_active) == (
        ["pdm"], Decimal("199.00"), Decimal("1990.00"), 3, 7, True)
    refs = plan.provider_refs["stripe"]
    remote = localstripe.request("GET", f"/v1/plans/{refs['month']}")
    assert (remote["interval"], remote["currency"].lower()) == ("month", "cny")
    tier = remote["tiers"][0]  # one seat included in the flat part, each further seat at the seat price
    assert (int(tier["flat_amount"]), int(tier["unit_amount"])) == (19900 - 2900, 2900)
    # when: its monthly price changes and it is no longer offered
    edit = client.get(f"/platform/billing/plans/{plan.pk}/").content.decode()
    assert 'value="pdm-only"' in edit and "disabled" in edit
    response = client.post(f"/platform/billing/plans/{plan.pk}/", {
        "code": "ignored", "name": "PDM 单独", "name_en": "PDM only", "modules": ["pdm", "erp"],
        "price_month": "219", "price_year": "1990", "seats_included": "3", "extra_seat_month": "29",
        "extra_seat_year": "290", "trial_days": "7", "sort_order": "25"})
    assert response.status_code == 302
    plan.refresh_from_db()
    # then: the code stays, a new provider price is made (prices are immutable there)
    assert (plan.code, plan.modules, plan.price_month, plan.is_active) == ("pdm-only", ["pdm", "erp"],
                                                                        Decimal("219.00"), False)
    new_refs = plan.provider_refs["stripe"]
    assert new_refs["month"] != refs["month"]
    tier = localstripe.request("GET", f"/v1/plans/{new_refs['month']}")["tiers"][0]
    assert int(tier["flat_amount"]) + int(tier["unit_amount"]) == 21900


def test_the_plan_form_names_the_bad_field_and_saves_nothing(admin, plans):
    client = client_for(admin)
    response = client.post("/platform/billing/plans/new/", {
        "code": "bad plan!", "name": "", "price_month": "-5", "price_year": "abc", "seats_included": "3",
        "extra_seat_month": "0", "extra_seat_year": "0", "trial_days": "0"})
    assert response.status_code == 400
    page = response.content.decode()
    for field in ("code", "name", "price_month", "price_year"):
        assert f'id="error-{field}"' in page, field
    # a code already taken: the model's error, on the code field
    response = client.post("/platform/billing/plans/new/", {
        "code": "erp", "name": "ERP again", "price_month": "0", "price_year": "0", "seats_included": "3",
        "extra_seat_month": "0", "extra_seat_year": "0", "trial_days": "0"})
    assert response.status_code == 400 and 'id="error-code"' in response.content.decode()
    assert Plan.objects.count() == 4


def test_the_subscriptions_list_filters_pages_and_exports(make_enterprise, admin, plans):
    # given: three enterprises, on ERP monthly (bank), ERP + PDM yearly (bank), and the free plan
    e1, e2, e3 = (make_enterprise(name=f"慈溪订阅测试{n}有限公司") for n in (1, 2, 3))
    _bank_subscription(e1, plans["erp"])
    _bank_subscription(e2, plans["erp-pdm"], interval="year")
    subscription_start(enterprise=e3, plan=plans["boards"], actor=_owner(e3))
    client = client_for(admin)
    page = client.get("/platform/billing/subscriptions/").content.decode()
    assert all(e.name in page for e in (e1, e2, e3))
    # filter by plan, by interval, by payment method, by status
    page = client.get(f"/platform/billing/subscriptions/?plan={plans['erp-pdm'].pk}").content.decode()
    assert e2.name in page and e1.name not in page and e3.name not in page
    page = client.get("/platform/billing/subscriptions/?interval=month&payment_method=bank_transfer").content.decode()
    assert e1.name in page and e2.name not in page and e3.name not in page
    page = client.get("/platform/billing/subscriptions/?status=active&payment_method=none").content.decode()
    assert e3.name in page and e1.name not in page
    # a value that is no choice shows the whole list instead of an error
    assert client.get("/platform/billing/subscriptions/?plan=NaN").status_code == 200
    # paging: a page past the end shows the last one
    assert e1.name in client.get("/platform/billing/subscriptions/?per_page=10&page=9").content.decode()
    # export: every filtered row
    rows = _xlsx(client.get("/platform/billing/subscriptions/?export=xlsx&interval=year"))
    assert rows[0][:3] == ("Enterprise", "Credit code", "Plan")
    assert [(r[0], r[2], r[3], r[6], r[13]) for r in rows[1:]] == [
        (e2.name, "ERP + PDM", "Yearly", "Corporate bank transfer (对公转账)", 4990.0)]


def test_recording_bank_transfers_partial_then_full_pays_the_invoice(make_enterprise, admin, plans):
    enterprise = make_enterprise()
    subscription = _bank_subscription(enterprise, plans["erp"])
    invoice = Invoice.objects.get(subscription=subscription)
    client = client_for(admin)
    url = f"/platform/billing/invoices/{invoice.pk}/"
    listing = client.get("/platform/billing/invoices/?status=open").content.decode()
    assert invoice.number in listing
    # when: a partial transfer
    response = client.post(url, {"amount": "100", "received_on": "2026-03-02", "bank_reference": "ICBC-0001",
                                 "payer_name": enterprise.name})
    assert (response.status_code, response["Location"]) == (302, url)
    page = client.get(url).content.decode()
    assert "ICBC-0001" in page and "¥199.00" in page and "Record a bank transfer" in page
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_paid) == ("open", Decimal("100.00"))
    # when: too much, then a reference already used: the error names the field, nothing is written
    response = client.post(url, {"amount": "500", "received_on": "2026-03-03", "bank_reference": "ICBC-0002"})
    assert response.status_code == 400 and 'id="error-amount"' in response.content.decode()
    response = client.post(url, {"amount": "199", "received_on": "2026-03-03", "bank_reference": "ICBC-0001"})
    assert response.status_code == 400 and 'id="error-bank_reference"' in response.content.decode()
    assert BankTransfer.objects.filter(invoice=invoice).count() == 1
    # when: the rest
    response = client.post(url, {"amount": "199", "received_on": "2026-03-04", "bank_reference": "ICBC-0002"})
    assert response.status_code == 302
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_paid, invoice.outstanding) == ("paid", Decimal("299.00"), Decimal("0"))
    page = client.get(url).content.decode()
    assert "Record a bank transfer" not in page and "ICBC-0002" in page
    # export of the invoices, with the transfers count
    rows = _xlsx(client.get("/platform/billing/invoices/?export=xlsx"))
    assert [(r[0], r[2], r[9], r[11]) for r in rows[1:]] == [(invoice.number, "Paid", 299.0, 2)]


def test_the_fapiao_queue_marks_a_request_issued(make_enterprise, admin, plans):
    enterprise = make_enterprise()
    invoice = Invoice.objects.get(subscription=_bank_subscription(enterprise, plans["erp"]))
    fapiao = fapiao_request_create(invoice=invoice, actor=_owner(enterprise), title=enterprise.name,
                                   tax_number=enterprise.uscc)
    client = client_for(admin)
    page = client.get("/platform/billing/fapiao/?status=requested").content.decode()
    assert invoice.number in page and "Mark issued" in page
    # an empty number is refused
    client.post(f"/platform/billing/fapiao/{fapiao.pk}/issue/", {"fapiao_number": " "})
    fapiao.refresh_from_db()
    assert fapiao.status == "requested"
    response = client.post(f"/platform/billing/fapiao/{fapiao.pk}/issue/", {"fapiao_number": "04400123"})
    assert (response.status_code, response["Location"]) == (302, "/platform/billing/fapiao/")
    fapiao.refresh_from_db()
    assert (fapiao.status, fapiao.fapiao_number) == ("issued", "04400123") and fapiao.issued_at
    page = client.get("/platform/billing/fapiao/").content.decode()
    assert "04400123" in page and "Mark issued" not in page
    # issuing twice: the service's message, nothing changed
    response = client.post(f"/platform/billing/fapiao/{fapiao.pk}/issue/", {"fapiao_number": "99"}, follow=True)
    assert "already issued" in response.content.decode()
    assert FapiaoRequest.objects.get(pk=fapiao.pk).fapiao_number == "04400123"
    rows = _xlsx(client.get("/platform/billing/fapiao/?export=xlsx"))
    assert rows[1][0] == invoice.number and rows[1][12] == "04400123"


def test_the_past_due_list_shows_the_dunning_state_and_sends_a_reminder(make_enterprise, admin, plans,
                                                                       django_capture_on_commit_callbacks):
    # given: an enterprise past due for 8 days, whose day-7 reminder went out
    enterprise = make_enterprise(name="慈溪逾期测试有限公司")
    owner = _owner(enterprise)
    subscription = _bank_subscription(enterprise, plans["erp"])
    since = datetime.now(TZ) - timedelta(days=8)
    Subscription.objects.filter(pk=subscription.pk).update(status="past_due", past_due_since=since)
    DunningNotice.objects.create(subscription=subscription, past_due_since=since, step=7, recipients=owner.email)
    other = make_enterprise(name="慈溪按时付款有限公司")
    _bank_subscription(other, plans["erp"])
    client = client_for(admin)
    page = client.get("/platform/billing/past-due/").content.decode()
    assert enterprise.name in page and other.name not in page
    assert "day 7" in page and "Send reminder now" in page
    assert client.get("/platform/billing/").content.decode().count('id="past-due-count">1<') == 1
    # when: "send reminder now"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/platform/billing/past-due/{subscription.pk}/remind/")
    assert (response.status_code, response["Location"]) == (302, "/platform/billing/past-due/")
    # then: the owner is e-mailed, and the reminder is recorded (by hand, by whom)
    assert [m.to for m in mail.outbox] == [[owner.email]]
    notice = DunningNotice.objects.get(subscription=subscription, step=0)
    assert notice.sent_by == admin
    page = client.get("/platform/billing/past-due/").content.decode()
    assert "sent by hand" in page
    rows = _xlsx(client.get("/platform/billing/past-due/?export=xlsx"))
    assert [(r[0], r[5], r[6], r[7], r[9]) for r in rows[1:]] == [(enterprise.name, 8, 299.0, "sent by hand", 2)]
    # a subscription that is not past due: 404, nothing sent
    current = Subscription.objects.get(enterprise=other)
    assert client.post(f"/platform/billing/past-due/{current.pk}/remind/").status_code == 404
    assert len(mail.outbox) == 1


def test_the_dashboard_shows_mrr_and_subscribers(make_enterprise, admin, plans):
    e1, e2 = make_enterprise(), make_enterprise()
    _bank_subscription(e1, plans["erp"], extra_seats=1)  # 299 + 39
    _bank_subscription(e2, plans["erp-pdm"], interval="year")  # 4990 / 12 = 415.83
    page = client_for(admin).get("/platform/billing/").content.decode()
    assert 'id="mrr-now">¥753.83<' in page
    assert 'id="paying-now">2<' in page
    assert 'id="mrr-chart" data-chart=' in page and "vendor/echarts-5.6/echarts.min.js" in page
    month = date.today().strftime("%Y-%m")
    assert f'data-month="{month}"' in page
