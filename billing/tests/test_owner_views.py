"""The owner's billing pages on the enterprise host, and their isolation."""

import io
from datetime import datetime
from zoneinfo import ZoneInfo

from django.test import Client, override_settings
from openpyxl import load_workbook

from billing.models import FapiaoRequest, Invoice, Plan, Subscription
from billing.services.plans import plans_default_ensure
from billing.services.subscriptions import subscription_bank_advance, subscription_start
from tenants.models import Enterprise, Membership, Role

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _host(enterprise) -> str:
    return f"{enterprise.slug}.localhost"


@override_settings(ROOT_URLCONF="billing.tests.urls_tenant_host")
def test_the_owner_chooses_a_plan_by_bank_transfer_and_sees_it(make_enterprise):
    plans_default_ensure()
    enterprise = make_enterprise()
    owner = Membership.objects.get(enterprise=enterprise, role=Role.OWNER).user
    client, host = _client(owner), _host(enterprise)
    page = client.get("/billing/", HTTP_HOST=host)
    assert page.status_code == 200
    assert "No plan yet" in page.content.decode() and "ERP + PDM + logistics" in page.content.decode()
    # when: ERP + PDM, yearly, by bank transfer
    response = client.post("/billing/plan/", {"plan": Plan.objects.get(code="erp-pdm").pk, "interval": "year",
                                              "extra_seats": "0", "payment_method": "bank_transfer"}, HTTP_HOST=host)
    assert (response.status_code, response["Location"]) == (302, "/billing/")
    subscription = Subscription.objects.get(enterprise=enterprise)
    assert (subscription.plan.code, subscription.interval, subscription.status) == ("erp-pdm", "year", "trialing")
    assert Enterprise.objects.get(pk=enterprise.pk).modules == ["erp", "pdm"]
    page = client.get("/billing/", HTTP_HOST=host).content.decode()
    assert "ERP + PDM" in page and "Product data (PDM)" in page and "Trial until" in page
    assert ">1 / 5<" in page  # seats used / limit
    # when: a downgrade to ERP: pending, then withdrawn
    response = client.post("/billing/plan/", {"plan": Plan.objects.get(code="erp").pk, "interval": "year",
                                              "extra_seats": "0"}, HTTP_HOST=host)
    assert response.status_code == 302
    page = client.get("/billing/", HTTP_HOST=host).content.decode()
    assert "Pending change: ERP (Yearly)" in page
    client.post(f"/billing/subscriptions/{subscription.pk}/pending/withdraw/", HTTP_HOST=host)
    assert Subscription.objects.get(pk=subscription.pk).pending_plan is None
    # when: cancel at the period end, then keep it
    client.post(f"/billing/subscriptions/{subscription.pk}/cancel/", HTTP_HOST=host)
    assert "The subscription ends on" in client.get("/billing/", HTTP_HOST=host).content.decode()
    client.post(f"/billing/subscriptions/{subscription.pk}/cancel/withdraw/", HTTP_HOST=host)
    assert Subscription.objects.get(pk=subscription.pk).cancel_at_period_end is False


@override_settings(ROOT_URLCONF="billing.tests.urls_tenant_host")
def test_a_bad_choice_says_which_field(make_enterprise):
    plans_default_ensure()
    enterprise = make_enterprise()
    owner = Membership.objects.get(enterprise=enterprise, role=Role.OWNER).user
    response = _client(owner).post("/billing/plan/", {"plan": Plan.objects.get(code="erp").pk, "interval": "month",
                                                      "extra_seats": "0", "payment_method": "card",
                                                      "card_number": "4242 4242 4242 4242", "card_exp": "13/30"},
                                   HTTP_HOST=_host(enterprise))
    assert response.status_code == 400
    body = response.content.decode()
    assert "Enter the expiry as MM/YY." in body and "value=\"4242" not in body
    assert not Subscription.objects.filter(enterprise=enterprise).exists()


@override_settings(ROOT_URLCONF="billing.tests.urls_tenant_host")
def test_invoices_list_filter_export_pdf_and_fapiao(make_enterprise):
    plans_default_ensure()
    enterprise = make_enterprise()
    owner = Membership.objects.get(enterprise=enterprise, role=Role.OWNER).user
    subscription_start(enterprise=enterprise, plan=Plan.objects.get(code="erp"), actor=owner,
                       payment_method="bank_transfer", trial=False, now=T0)
    invoice = Invoice.objects.get(enterprise=enterprise)
    client, host = _client(owner), _host(enterprise)
    page = client.get("/billing/invoices/", HTTP_HOST=host).content.decode()
    assert invoice.number in page and "299.00" in page
    assert invoice.number not in client.get("/billing/invoices/?status=paid", HTTP_HOST=host).content.decode()
    export = client.get("/billing/invoices/?export=xlsx", HTTP_HOST=host)
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "Number" and rows[1][0] == invoice.number
    pdf = client.get(f"/billing/invoices/{invoice.pk}/pdf/", HTTP_HOST=host)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert invoice.number.encode() in pdf.content
    form = client.get(f"/billing/invoices/{invoice.pk}/fapiao/", HTTP_HOST=host).content.decode()
    assert enterprise.uscc in form  # prefilled from the enterprise
    bad = client.post(f"/billing/invoices/{invoice.pk}/fapiao/", {"kind": "normal", "title": enterprise.name,
                                                                  "tax_number": "x"}, HTTP_HOST=host)
    assert bad.status_code == 400 and "A taxpayer number has 15 to 20" in bad.content.decode()
    ok = client.post(f"/billing/invoices/{invoice.pk}/fapiao/", {"kind": "normal", "title": enterprise.name,
                                                                 "tax_number": enterprise.uscc}, HTTP_HOST=host)
    assert ok.status_code == 302
    assert FapiaoRequest.objects.get(invoice=invoice).tax_number == enterprise.uscc


@override_settings(ROOT_URLCONF="billing.tests.urls_tenant_host")
def test_only_the_owner_sees_the_billing_pages(make_enterprise, make_user):
    enterprise = make_enterprise()
    admin_member, stranger = make_user(), make_user()
    Membership.objects.create(user=admin_member, enterprise=enterprise, role=Role.ADMIN)
    host = _host(enterprise)
    assert _client(admin_member).get("/billing/", HTTP_HOST=host).status_code == 403
    assert _client(admin_member).get("/billing/invoices/", HTTP_HOST=host).status_code == 403
    assert _client(stranger).get("/billing/", HTTP_HOST=host).status_code == 404


@override_settings(ROOT_URLCONF="billing.tests.urls_tenant_host")
def test_enterprise_a_cannot_see_or_change_b_billing(enterprise_pair):
    # given: A and B each on ERP by bank transfer, each with an invoice
    plans_default_ensure()
    a, b, alice, bob = enterprise_pair("bill-a", "bill-b")
    for enterprise, owner in ((a, alice), (b, bob)):
        subscription_start(enterprise=enterprise, plan=Plan.objects.get(code="erp"), actor=owner,
                           payment_method="bank_transfer", trial=False, now=T0)
    b_invoice = Invoice.objects.get(enterprise=b)
    b_subscription = Subscription.objects.get(enterprise=b)
    client, host = _client(alice), _host(a)
    # when / then: by id on A's own host, B's invoice and subscription are "not found"
    assert client.get(f"/billing/invoices/{b_invoice.pk}/pdf/", HTTP_HOST=host).status_code == 404
    assert client.get(f"/billing/invoices/{b_invoice.pk}/fapiao/", HTTP_HOST=host).status_code == 404
    assert client.post(f"/billing/invoices/{b_invoice.pk}/fapiao/", {"kind": "normal", "title": "x",
                                                                     "tax_number": b.uscc},
                       HTTP_HOST=host).status_code == 404
    for action in ("cancel", "cancel/withdraw", "pending/withdraw", "card", "payment-method"):
        assert client.post(f"/billing/subscriptions/{b_subscription.pk}/{action}/",
                           HTTP_HOST=host).status_code == 404, action
    assert b_invoice.number not in client.get("/billing/invoices/", HTTP_HOST=host).content.decode()
    # and on B's host A's owner is no member
    assert client.get("/billing/", HTTP_HOST=_host(b)).status_code == 404
    assert client.post(f"/billing/subscriptions/{b_subscription.pk}/cancel/", HTTP_HOST=_host(b)).status_code == 404
    b_subscription.refresh_from_db()
    assert (b_subscription.cancel_at_period_end, b_subscription.status) == (False, "active")
    assert not FapiaoRequest.objects.filter(invoice=b_invoice).exists()


@override_settings(ROOT_URLCONF="billing.tests.urls_tenant_host",
                   BILLING_BANK_ACCOUNT={"name": "数码桥平台", "bank": "宁波银行慈溪支行", "account": "7101 0122 0003 3344"})
def test_an_overdue_bank_transfer_shows_the_banner_and_the_bank_details(make_enterprise):
    plans_default_ensure()
    enterprise = make_enterprise()
    owner = Membership.objects.get(enterprise=enterprise, role=Role.OWNER).user
    subscription = subscription_start(enterprise=enterprise, plan=Plan.objects.get(code="erp"), actor=owner,
                                      payment_method="bank_transfer", trial=False, now=T0)
    subscription_bank_advance(subscription=subscription, now=datetime(2026, 3, 20, 9, tzinfo=T0.tzinfo))
    page = _client(owner).get("/billing/", HTTP_HOST=_host(enterprise)).content.decode()
    assert "Payment is overdue since 2026-03-15" in page
    assert Invoice.objects.get(enterprise=enterprise).number in page
    assert "7101 0122 0003 3344" in page
