"""The one renderer of histories (erp_modules.common.history + the ``history_rows`` filter of templates/_history.html):
field labels and choice labels in the reader's language, money and numbers formatted, ids by name, entries of
any age (the stored changes are never rewritten)."""

from decimal import Decimal

import pytest
from django.test import Client
from django.utils import translation

from erp_modules.catalog.models import UnitOfMeasure
from erp_modules.common.history import history_entries
from erp_modules.common.models import AuditEntry
from erp_modules.common.services import audit_record, erp_settings_get, erp_settings_update
from erp_modules.workspace.testing import make_item
from tenants.models import Membership, Role

pytestmark = pytest.mark.django_db


def _order_entry(**changes) -> AuditEntry:
    """An entry of a purchase order as services store it (raw names, plain values); no order is needed."""
    return AuditEntry.objects.create(object_type="purchasing.purchaseorder", object_id=1, action="update",
                                     changes=changes)


def _rendered(entry: AuditEntry) -> dict:
    return history_entries(AuditEntry.objects.filter(pk=entry.pk))[0].changes


def test_a_purchase_order_entry_reads_in_chinese_with_labels_money_dates_and_choices(erp):
    # given the entry the issue quotes: status draft → approved, the total set, a date moved
    entry = _order_entry(status=["draft", "approved"], amount_total=[None, "7220.7000"],
                         expected_date=["2026-03-01", "2026-03-15"])
    # when a Chinese reader reads it (labels are the zh-Hans catalogue's msgstr)
    with translation.override("zh-hans"):
        changes = _rendered(entry)
    # then the field's verbose name, the choice's label, money with ¥ and two decimals, the date as the locale has it
    assert changes == {"状态": ["草稿", "已审批"], "价税合计": [None, "¥7,220.70"],
                       "预计到货日期": ["2026-03-01", "2026-03-15"]}


def test_the_same_entry_reads_in_english(erp):
    entry = _order_entry(status=["draft", "approved"], amount_total=["1234567.5", "7220.7000"])
    with translation.override("en"):
        changes = _rendered(entry)
    assert changes == {"status": ["draft", "approved"], "total incl. VAT": ["¥1,234,567.50", "¥7,220.70"]}


def test_quantities_plainly_booleans_yes_no_ids_by_name_and_what_is_gone_as_stored(erp):
    # given an item's entry with a quantity, a boolean, a unit stored as ids, a choice that no longer exists
    # and a key that is no field
    item = make_item()
    pcs, kg = UnitOfMeasure.objects.get(code="pcs"), UnitOfMeasure.objects.get(code="kg")
    audit_record(obj=item, action="update", changes={
        "safety_stock": ["1200.0000", "0.5000"], "standard_cost": ["18", "1500.5"], "active": [True, False],
        "uom_id": [pcs.pk, kg.pk], "item_type": ["gadget", "finished"], "note_key": ["a", "b"]})
    audit_record(obj=item, action="update", changes={"uom_id": [pcs.pk, 999_999]})
    # when read in English
    with translation.override("en"):
        rows = history_entries(AuditEntry.objects.filter(object_type="catalog.item", object_id=item.pk))
    # then each value as a reader reads it; a deleted unit's id and an unknown choice stay as stored,
    # an unknown key keeps its raw name
    assert rows[1].changes == {"safety stock": ["1,200", "0.5"], "standard cost": ["¥18.00", "¥1,500.50"],
                               "active": ["yes", "no"], "unit": [str(pcs), str(kg)],
                               "type": ["gadget", "finished good"], "note_key": ["a", "b"]}
    assert rows[0].changes == {"unit": [str(pcs), "999999"]}
    with translation.override("zh-hans"):
        zh = history_entries(AuditEntry.objects.filter(object_type="catalog.item", object_id=item.pk))[1].changes
    assert zh["安全库存"] == ["1,200", "0.5"] and zh["标准成本"] == ["¥18.00", "¥1,500.50"]
    assert zh["类型"] == ["gadget", "成品"]


def test_an_entry_of_a_model_that_no_longer_exists_shows_what_is_stored(erp):
    entry = AuditEntry.objects.create(object_type="gone.thing", object_id=1, action="update",
                                      changes={"status": ["a", "b"]})
    assert _rendered(entry) == {"status": ["a", "b"]}


def test_the_history_panel_of_a_page_reads_labels_in_english_and_chinese(erp, make_user):
    # given the ERP settings changed once (the page passes the stored entries to templates/_history.html)
    owner = Membership.objects.get(enterprise=erp, role=Role.OWNER).user
    erp_settings_get()
    erp_settings_update(user=owner, vat_rate=Decimal("9"), allow_partial_delivery=False)
    client = Client()
    client.force_login(owner)
    host = f"{erp.slug}.localhost"
    # when the owner reads the settings page in English, then in Chinese
    english = client.get("/erp/settings/", HTTP_HOST=host, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    chinese = client.get("/erp/settings/", HTTP_HOST=host, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    # then the history names the settings and their values, not the stored names
    assert "VAT rate %: 13 → 9" in english and "allow partial deliveries: yes → no" in english
    assert "vat_rate:" not in english and "allow_partial_delivery:" not in english
    assert "税率 %: 13 → 9" in chinese and "允许分批发货: 是 → 否" in chinese
