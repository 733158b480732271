"""The audit history as pages show it: field labels, choice labels, formatted values, names, no empty changes."""

import pytest
from django.utils import translation

from erp_modules.catalog.models import Item
from erp_modules.common.history import history_entries, object_history
from erp_modules.common.models import AuditEntry
from erp_modules.common.services import audit_record
from erp_modules.workspace.testing import make_item

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_changes_show_field_labels_choice_labels_and_plain_numbers_and_skip_what_changes_nothing(erp, make_user):
    # given an item whose history holds a change, a change of nothing and a status-like choice
    item = make_item()
    li = make_user(email="li@factory.test", full_name="李工")
    audit_record(obj=item, action="update", user=li, changes={
        "item_type": ["component", "finished"], "standard_cost": ["1.5000", "18.0000"], "active": [True, False],
        "drawing_ref": [None, None], "note_key": ["a", "b"]})
    audit_record(obj=item, action="update", user=li, changes={"name_en": ["", None]})
    # when the page reads the history (without the item's creation, its oldest entry)
    rows = object_history(item)[:-1]
    # then one entry (the other changes nothing), keyed by the labels, values as a reader reads them, by name
    assert [(row.user_label, row.changes) for row in rows] == [("李工", {
        "type": ["component", "finished good"], "standard cost": ["¥1.50", "¥18.00"], "active": ["yes", "no"],
        "note_key": ["a", "b"]})]


def test_labels_given_by_the_caller_and_the_chinese_reader(erp):
    # given an entry with a field and a key that is no field
    item = make_item()
    audit_record(obj=item, action="create", user=None, changes={"item_type": [None, "finished"],
                                                                "bom_line": [None, "3"]})
    # when a Chinese reader reads it, the caller naming the key
    with translation.override("zh-hans"):
        rows = history_entries(AuditEntry.objects.filter(object_type="catalog.item", object_id=item.pk), Item,
                               labels={"bom_line": "BOM 行"})[:1]
    # then both are in Chinese
    assert [row.changes for row in rows] == [{"类型": [None, "成品"], "BOM 行": [None, "3"]}]


def test_an_entry_with_a_message_stays_when_its_changes_change_nothing_and_a_gone_user_keeps_the_stored_label(erp):
    item = make_item()
    AuditEntry.objects.create(object_type="catalog.item", object_id=item.pk, action="status", message="checked",
                              changes={"active": [True, True]}, user_label="gone@factory.test")
    rows = object_history(item)[:-1]
    assert [(row.message, row.changes, row.user_label) for row in rows] == [("checked", {}, "gone@factory.test")]
