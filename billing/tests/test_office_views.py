"""The office's pages of subsidised plans (/office/billing/ on the public host): office users and platform
administrators only; per programme the schemes, subscriptions subsidised, committed and paid amounts and
the monthly statements (PDF, Excel); recording the fund's transfer pays the grants. Only subsidy data is
shown: never a card or a payment provider's id."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import include, path
from django.utils import timezone
from openpyxl import load_workbook

from billing.models import Invoice, SubsidyScheme, SubsidySettlement, Subscription
from billing.services.subsidies import invoice_subsidy_apply, month_first, months_add, settlements_build_month
from billing.tests.test_subsidies import make_invoice, make_plan, subsidised_world
from office.models import Subsidy
from office.tests.builders import client_for, make_programme

# The public host's URLs with billing's office pages mounted as config/urls_public.py does once the include is
# there (the line reported to the lead): the tests do not depend on when it lands.
urlpatterns = [
    path("office/billing/", include("billing.urls_office")),
    path("", include("config.urls_public")),
]


@pytest.fixture(autouse=True)
def public_urls(settings):
    settings.PUBLIC_SCHEMA_URLCONF = __name__


@pytest.fixture
def office(make_user):
    return make_user(email="office@billing-office.test", platform_role="office", full_name="信息化办公室")


def _xlsx(response, *, skip: int = 0) -> list[tuple]:
    assert response["Content-Type"].startswith("application/vnd.openxmlformats"), response.status_code
    return list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))[skip:]


def test_only_the_office_reaches_the_pages(make_enterprise, make_user, office):
    owner = make_user()
    make_enterprise(owner=owner, slug="bo-a")
    admin = make_user(platform_role="platform_admin")
    programme = make_programme()
    pages = ["/office/billing/", f"/office/billing/{programme.code}/",
             f"/office/billing/{programme.code}/statements/2026-01/pdf/"]
    for url in pages:
        response = client_for().get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/?next=")
        assert client_for(owner).get(url).status_code == 403
        assert client_for(office).get(url).status_code == 200, url
        assert client_for(admin).get(url).status_code == 200, url
    # on an enterprise's host the pages do not exist
    assert client_for(owner).get("/office/billing/", HTTP_HOST="bo-a.localhost").status_code == 404
    # an owner cannot create a scheme or pay a statement
    assert client_for(owner).post(f"/office/billing/{programme.code}/schemes/", {}).status_code == 403
    assert not SubsidyScheme.objects.exists()


def test_the_office_sees_committed_and_paid_amounts_and_subsidy_data_only(office):
    # given: a subsidised subscription whose provider ids are set (a card subscription) and two split invoices
    programme, plan, scheme, enterprise, subscription = subsidised_world(office, percent="50")
    Subscription.objects.filter(pk=subscription.pk).update(provider="stripe", provider_customer_id="cus_SECRET1",
                                                           provider_subscription_id="sub_SECRET2")
    first = invoice_subsidy_apply(invoice=make_invoice(subscription, total="999.00",
                                                       provider_invoice_id="in_SECRET3"))
    invoice_subsidy_apply(invoice=make_invoice(subscription, total="200.00"))
    client = client_for(office)
    # when: the office opens the programme's page
    page = client.get(f"/office/billing/{programme.code}/")
    html = page.content.decode()
    # then: one subscription subsidised, ¥599.50 committed, nothing paid yet; the invoices with their shares
    assert page.status_code == 200
    assert 'id="subscriptions-subsidised">1<' in html
    assert 'id="committed-total">¥599.50<' in html and 'id="paid-total">¥0.00<' in html
    assert enterprise.name in html and first.number in html
    # and nothing of the card or the provider, on the page or in the exports
    assert "SECRET" not in html
    subs = _xlsx(client.get(f"/office/billing/{programme.code}/?export=xlsx"
                            f"&table={programme.code}-subsidised-subscriptions"))
    assert subs[0] == ("Enterprise", "Plan", "Subsidy (%)", "Status", "Subsidised until", "Committed (CNY)",
                       "Paid (CNY)")
    assert subs[1][0] == enterprise.name and subs[1][5] == pytest.approx(599.5)
    invoices = _xlsx(client.get(f"/office/billing/{programme.code}/?export=xlsx"
                                f"&table={programme.code}-subsidised-invoices"))
    assert "SECRET" not in repr(invoices) and len(invoices) == 3
    # the overview lists the programme with the same figures
    overview = client.get("/office/billing/").content.decode()
    assert f'data-programme="{programme.code}"' in overview and "¥599.50" in overview


def test_the_office_creates_a_scheme_with_errors_named(office):
    programme, plan = make_programme(), make_plan()
    client = client_for(office)
    refused = client.post(f"/office/billing/{programme.code}/schemes/",
                          {"plan": plan.pk, "percent": "0", "months": "12", "max_enterprises": "3"})
    assert refused.status_code == 400
    assert "Enter a percentage above 0 and at most 100" in refused.content.decode()
    assert not SubsidyScheme.objects.exists()
    done = client.post(f"/office/billing/{programme.code}/schemes/",
                       {"plan": plan.pk, "percent": "50", "months": "12", "max_enterprises": "3"})
    assert (done.status_code, done["Location"]) == (302, f"/office/billing/{programme.code}/")
    scheme = SubsidyScheme.objects.get()
    assert (scheme.programme_id, scheme.plan_id, scheme.percent, scheme.max_enterprises) == (
        programme.pk, plan.pk, Decimal("50.00"), 3)


def test_statement_downloads_and_the_funds_transfer(office):
    # given: two invoices split last month
    programme, plan, scheme, enterprise, subscription = subsidised_world(office, percent="50")
    first = invoice_subsidy_apply(invoice=make_invoice(subscription, total="999.00"))
    second = invoice_subsidy_apply(invoice=make_invoice(subscription, total="200.00"))
    month = months_add(month_first(timezone.localdate()), -1)
    Subsidy.objects.filter(pk__in=[first.subsidy_id, second.subsidy_id]).update(granted_on=month + timedelta(days=1))
    settlement = settlements_build_month()[0]
    client = client_for(office)
    base = f"/office/billing/{programme.code}/statements/{month:%Y-%m}"
    # when: the office downloads the statement
    pdf = client.get(f"{base}/pdf/")
    xlsx = client.get(f"{base}/xlsx/")
    # then: a PDF and a workbook with one line per invoice and the total
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf["Content-Disposition"] == (f'attachment; filename="subsidy-statement-{programme.code}-'
                                          f'{month:%Y-%m}.pdf"')
    rows = _xlsx(xlsx)
    assert rows[3][:3] == ("Enterprise", "Unified social credit code", "Invoice")
    lines = {r[2]: r for r in rows[4:-1]}
    assert set(lines) == {first.number, second.number}
    assert lines[first.number][7] == pytest.approx(499.5) and lines[second.number][7] == pytest.approx(100.0)
    assert rows[-1][0] == "Total" and rows[-1][7] == pytest.approx(599.5)
    assert client.get(f"{base}/csv/").status_code == 404
    assert client.get(f"/office/billing/{programme.code}/statements/2026-13/pdf/").status_code == 404
    # a wrong amount is refused, naming the field; nothing is paid
    prefix = f"s{settlement.pk}"
    url = f"/office/billing/settlements/{settlement.pk}/pay/"
    wrong = client.post(url, {f"{prefix}-amount": "599.00", f"{prefix}-paid_on": timezone.localdate().isoformat(),
                              f"{prefix}-bank_reference": "慈财 2026-201"})
    assert wrong.status_code == 400
    assert "The transfer must be the statement&#x27;s amount, 599.50 CNY." in wrong.content.decode()
    assert not Subsidy.objects.filter(paid_amount__gt=0).exists()
    # the right amount pays the statement and every grant of it
    paid = client.post(url, {f"{prefix}-amount": "599.50", f"{prefix}-paid_on": timezone.localdate().isoformat(),
                             f"{prefix}-bank_reference": "慈财 2026-201"})
    assert paid.status_code == 302
    settlement.refresh_from_db()
    assert (settlement.status, settlement.bank_reference) == (SubsidySettlement.Status.PAID, "慈财 2026-201")
    assert sorted(Subsidy.objects.values_list("paid_amount", flat=True)) == [Decimal("100.00"), Decimal("499.50")]
    page = client.get(f"/office/billing/{programme.code}/").content.decode()
    assert 'id="paid-total">¥599.50<' in page
    assert Invoice.objects.get(pk=first.pk).amount_due == Decimal("499.50")  # the enterprise's share is its own
