"""The ERP settings page (/erp/settings/) and erp_settings_update: who may change what, the errors, the
effect on new documents, and that one enterprise's settings never touch another's."""

import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import translation
from django_tenants.utils import tenant_context

from erp_modules.common.models import AuditEntry, ErpSettings
from erp_modules.common.services import erp_settings_get, erp_settings_update
from erp_modules.partners.models import Partner
from erp_modules.sales.tests.factories import make_customer, make_hood, order_for
from tenants.models import Membership, Role

D = Decimal


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in the English source text, whatever the zh-Hans catalogue holds."""
    with translation.override("en"):
        yield


@pytest.fixture
def members(erp, make_user):
    """One user per role in the `erp` enterprise (the owner comes with it)."""
    users = {Role.OWNER: Membership.objects.get(enterprise=erp, role=Role.OWNER).user}
    for role in (Role.VIEWER, Role.CLERK, Role.MANAGER, Role.ADMIN):
        users[role] = make_user(email=f"{role}-{erp.slug}@settings.test", language="en")
        Membership.objects.create(user=users[role], enterprise=erp, role=role)
    return users


def _as(client, erp, user):
    client.force_login(user)
    client.defaults["HTTP_HOST"] = f"{erp.slug}.localhost"
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


FORM = {"vat_rate": "3.00", "over_receipt_tolerance_pct": "5", "currency": "cny"}  # partial deliveries: unticked


def test_an_admin_saves_and_a_new_sales_order_line_then_gets_the_new_vat_rate(erp, client, members):
    # given the defaults (13 %, no over-receipt, partial deliveries allowed, CNY)
    web = _as(client, erp, members[Role.ADMIN])
    page = web.get("/erp/settings/").content.decode()
    assert 'value="13.00" selected' in page and 'id="erp-settings-readonly"' not in page
    # when the admin saves the small-scale taxpayer's rate, 5 % tolerance and no partial deliveries
    response = web.post("/erp/settings/", FORM)
    # then the settings are stored and the history says who changed what
    assert response.status_code == 302 and response["Location"] == "/erp/settings/"
    settings = ErpSettings.objects.get()
    assert (settings.vat_rate, settings.over_receipt_tolerance_pct, settings.allow_partial_delivery,
            settings.currency) == (D("3.00"), D("5.00"), False, "CNY")
    entry = AuditEntry.objects.get(object_type="erp_common.erpsettings")
    assert (entry.action, entry.user_label, entry.object_repr) == ("update", members[Role.ADMIN].email,
                                                                   "ERP settings")
    assert entry.changes == {"vat_rate": ["13.00", "3.00"], "over_receipt_tolerance_pct": ["0.00", "5.00"],
                             "allow_partial_delivery": [True, False]}
    page = web.get("/erp/settings/").content.decode()
    assert "Settings saved." in page and 'value="3.00" selected' in page and "VAT rate %: 13 → 3" in page
    # and a new sales order line without a rate gets 3 %
    order = order_for(make_customer(), (make_hood(), 2, "100"))
    assert (order.lines.get().vat_rate, order.vat_amount, order.amount_incl_vat) == (D("3.00"), D("6.00"),
                                                                                     D("206.00"))


def test_saving_the_same_values_again_writes_no_history(erp):
    erp_settings_update(vat_rate=D("13"), currency="CNY", allow_partial_delivery=True)
    assert not AuditEntry.objects.exists()


def test_the_service_names_every_bad_field_with_its_code_and_writes_nothing(erp):
    with pytest.raises(ValidationError) as caught:
        erp_settings_update(vat_rate="16", over_receipt_tolerance_pct="100.5", currency="RMB1",
                            allow_partial_delivery="no")
    errors = caught.value.error_dict
    assert {field: [e.code for e in problems] for field, problems in errors.items()} == {
        "vat_rate": ["invalid_vat_rate"], "over_receipt_tolerance_pct": ["invalid_tolerance"],
        "currency": ["invalid_currency"], "allow_partial_delivery": ["invalid_partial_delivery"]}
    assert errors["vat_rate"][0].messages == ["The VAT rate must be one of 0, 1, 3, 5, 6, 9, 13 %."]
    assert errors["over_receipt_tolerance_pct"][0].messages == [
        "The over-receipt tolerance must be between 0 and 100 %, with at most two decimals."]
    assert errors["currency"][0].messages == ["Enter a three-letter currency code such as CNY or USD."]
    for bad in ("-1", "1.005", "abc", "NaN"):
        with pytest.raises(ValidationError) as caught:
            erp_settings_update(over_receipt_tolerance_pct=bad)
        assert caught.value.error_dict["over_receipt_tolerance_pct"][0].code == "invalid_tolerance", bad
    settings = erp_settings_get()
    assert (settings.vat_rate, settings.over_receipt_tolerance_pct, settings.currency) == (D("13.00"), D("0"), "CNY")
    assert not AuditEntry.objects.exists()


def test_the_service_accepts_every_chinese_rate_and_normalises_the_currency(erp):
    for rate in ("0", "1", "3", "5", "6", "9", "13", "9.00"):
        assert erp_settings_update(vat_rate=rate).vat_rate == D(rate)
    assert erp_settings_update(currency=" usd ").currency == "USD"
    assert erp_settings_update(currency="").currency == "CNY"
    assert erp_settings_update(over_receipt_tolerance_pct="100").over_receipt_tolerance_pct == D("100.00")
    with pytest.raises(TypeError):
        erp_settings_update(singleton=False)


def test_the_page_shows_the_error_next_to_the_field_and_keeps_the_settings(erp, client, members):
    web = _as(client, erp, members[Role.OWNER])
    response = web.post("/erp/settings/", {**FORM, "over_receipt_tolerance_pct": "150", "currency": "RMB1"})
    page = response.content.decode()
    assert response.status_code == 400
    assert ('<div id="id_over_receipt_tolerance_pct_error"><div>The over-receipt tolerance must be between 0 and '
            '100 %, with at most two decimals.</div></div>') in page
    assert ('<div id="id_currency_error"><div>Enter a three-letter currency code such as CNY or USD.</div></div>'
            in page)
    assert ErpSettings.objects.get().vat_rate == D("13.00") and not AuditEntry.objects.exists()


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CLERK, Role.MANAGER])
def test_members_below_admin_see_the_settings_disabled_and_cannot_save(erp, client, members, role):
    web = _as(client, erp, members[role])
    page = web.get("/erp/settings/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Only owners and administrators can change these settings." in html
    assert re.search(r'<select name="vat_rate"[^>]* disabled', html)
    assert 'type="submit"' not in html.split('id="erp-settings-form"')[1].split("</form>")[0]
    assert "purchase receipt" in html and "delivered in parts" in html  # the explanations are shown to all
    response = web.post("/erp/settings/", FORM)
    assert response.status_code == 403 and "This needs the role" in response.content.decode()
    assert ErpSettings.objects.get().vat_rate == D("13.00") and not AuditEntry.objects.exists()


def test_the_page_is_linked_for_admins_from_the_enterprise_settings_and_the_factory_overview(erp, client, members):
    web = _as(client, erp, members[Role.ADMIN])
    assert 'href="/erp/settings/" id="erp-settings-link"' in web.get("/settings/").content.decode()
    assert 'href="/erp/settings/" id="erp-settings-link"' in web.get("/erp/").content.decode()
    viewer = _as(client, erp, members[Role.VIEWER])
    assert 'id="erp-settings-link"' not in viewer.get("/settings/").content.decode()


def test_a_change_in_enterprise_a_never_affects_enterprise_b(client, make_enterprise, make_user):
    alice, bob = make_user(email="alice@settings-a.test", language="en"), make_user(email="bob@settings-b.test")
    a = make_enterprise(slug="settings-a", owner=alice)
    b = make_enterprise(slug="settings-b", owner=bob)
    with tenant_context(b):
        erp_settings_update(over_receipt_tolerance_pct="2")
    connection.set_schema_to_public()
    # when A's owner saves A's settings through A's page
    client.force_login(alice)
    response = client.post("/erp/settings/", FORM, HTTP_HOST="settings-a.localhost")
    assert response.status_code == 302
    # and tries B's page, where she is not a member
    assert client.post("/erp/settings/", {**FORM, "vat_rate": "0.00"}, HTTP_HOST="settings-b.localhost"
                       ).status_code == 404
    # then A has the new values and B keeps its own, with only its own history
    with tenant_context(a):
        assert (erp_settings_get().vat_rate, erp_settings_get().allow_partial_delivery) == (D("3.00"), False)
        assert AuditEntry.objects.count() == 1
    with tenant_context(b):
        settings = erp_settings_get()
        assert (settings.vat_rate, settings.over_receipt_tolerance_pct, settings.allow_partial_delivery) == (
            D("13.00"), D("2.00"), True)
        assert AuditEntry.objects.get().changes == {"over_receipt_tolerance_pct": ["0.00", "2.00"]}
        order = order_for(make_customer(), (make_hood(), 1, "100"))
        assert order.lines.get().vat_rate == D("13.00")


def test_a_customer_without_a_currency_is_quoted_and_sold_in_the_enterprise_currency(erp):
    erp_settings_update(currency="USD")
    customer = make_customer()
    Partner.objects.filter(pk=customer.pk).update(currency="")
    customer.refresh_from_db()
    order = order_for(customer, (make_hood("HOOD-EXP", stock=5), 1, "99"))
    assert order.currency == "USD"
    Partner.objects.filter(pk=customer.pk).update(currency="EUR")
    customer.refresh_from_db()
    assert order_for(customer, (order.lines.first().item, 1, "99")).currency == "EUR"  # the customer's own wins
