"""Every change of a programme's settings is on record: who, when, each setting from what to what.
Created and saved in the same transaction as the programme, never for a save that changes
nothing or is refused, shown (and exported) on the programme page to the office only, listed in
the monthly report, and append-only down to the database."""

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from openpyxl import load_workbook

from office.models import Programme, ProgrammeChange
from office.reports import report_data, report_pdf, report_workbook
from office.services import enrolment_enrol, programme_create, programme_update, subsidy_grant
from office.tests.builders import client_for, registry_enterprise, xlsx_rows

# what the history writes, in the platform's language (zh-Hans), for the settings these tests change
ZH = {"budget": "预算（元）", "period_end": "结束", "created": "创建", "changed": "修改", "band_5m_20m": "500万至2000万元",
      "band_20m_100m": "2000万至1亿元", "work_orders": "生产工单", "receipts": "采购入库单"}


def _fields(**changes) -> dict:
    fields = {"code": "hist-prog", "name": "MES 车间试点", "name_en": "Shop-floor MES pilot", "module": "erp",
              "description": "", "target_kind": "count", "target_count": 8, "target_share_pct": None,
              "cohort_sales_bands": ["5m_20m", "20m_100m"], "cohort_size": None, "period_start": date(2026, 3, 1),
              "period_end": date(2027, 12, 31), "fund": "慈溪市企业信息化专项资金", "budget": "2,400,000.00",
              "criteria": {"min_active_users_30d": 2, "min_documents_per_month": 40, "consecutive_months": 2,
                           "document_kinds": ["receipts", "work_orders"]}}
    fields.update(changes)
    return fields


def _form(**changes) -> dict:
    """The programme form as the page posts it (the same settings as _fields)."""
    data = {"code": "hist-prog", "name": "MES 车间试点", "name_en": "Shop-floor MES pilot", "module": "erp",
            "description": "", "target_kind": "count", "target_count": "8", "target_share_pct": "",
            "cohort_sales_bands": ["5m_20m", "20m_100m"], "cohort_size": "", "period_start": "2026-03-01",
            "period_end": "2027-12-31", "fund": "慈溪市企业信息化专项资金", "budget": "2,400,000.00",
            "min_active_users_30d": "2", "min_documents_per_month": "40", "consecutive_months": "2",
            "document_kinds": ["receipts", "work_orders"], "min_modules_in_use": "", "min_completeness_pct": ""}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


# ---- the services write it ---------------------------------------------------------------------------


def test_creating_a_programme_writes_one_entry_with_what_it_starts_with(office):
    # when: the office creates a programme
    programme = programme_create(actor=office, **_fields())
    # then: one "created" entry, by the office, at the creation, naming every setting that is set
    entry = ProgrammeChange.objects.get()
    assert (entry.programme, entry.kind, entry.changed_by, entry.changed_by_label, entry.changed_at) == (
        programme, "created", office, "office@office.test", programme.created_at)
    new = {c["field"]: c["new"] for c in entry.changes}
    assert all(c["old"] is None for c in entry.changes)
    assert list(new) == ["code", "name", "name_en", "module", "target_kind", "target_count", "cohort_sales_bands",
                         "period_start", "period_end", "fund", "budget", "criteria.min_active_users_30d",
                         "criteria.min_documents_per_month", "criteria.consecutive_months",
                         "criteria.document_kinds"]
    assert new["budget"] == "¥2,400,000.00" and new["period_start"] == "2026-03-01"
    assert new["cohort_sales_bands"] == f"{ZH['band_5m_20m']}, {ZH['band_20m_100m']}"
    assert new["criteria.document_kinds"] == f"{ZH['receipts']}, {ZH['work_orders']}"
    assert new["target_count"] == "8" and new["criteria.min_documents_per_month"] == "40"


def test_an_edit_of_budget_and_end_date_writes_one_entry_with_exactly_those_two(office):
    # given: a programme, created a while ago by someone else
    programme = programme_create(**_fields())
    created = ProgrammeChange.objects.get()
    # when: the office raises the budget and moves the end
    saved = programme_update(programme=programme, actor=office,
                             **_fields(budget="2600000.5", period_end=date(2028, 6, 30)))
    # then: one more entry, with those two settings, old and new as the office reads them
    entry = ProgrammeChange.objects.exclude(pk=created.pk).get()
    assert (entry.kind, entry.changed_by, entry.changed_at) == ("updated", office, saved.updated_at)
    assert entry.changes == [
        {"field": "period_end", "label": ZH["period_end"], "old": "2027-12-31", "new": "2028-06-30"},
        {"field": "budget", "label": ZH["budget"], "old": "¥2,400,000.00", "new": "¥2,600,000.50"}]
    # and the creation's entry is as it was (an entry written by a seed names no one)
    created.refresh_from_db()
    assert (created.kind, created.changed_by, created.changed_by_label) == ("created", None, "")


def test_choices_lists_and_criteria_are_written_as_readable_text(office):
    programme = programme_create(actor=office, **_fields())
    programme_update(programme=programme, actor=office, **_fields(
        module="logistics", cohort_sales_bands=["20m_100m"], description="仅限规上企业",
        criteria={"min_active_users_30d": 3, "min_documents_per_month": 40, "document_kinds": ["work_orders"],
                  "min_completeness_pct": 62.5}))
    entry = ProgrammeChange.objects.filter(kind="updated").get()
    assert [(c["field"], c["old"], c["new"]) for c in entry.changes] == [
        ("module", "ERP", "物流"),
        ("description", None, "仅限规上企业"),
        ("cohort_sales_bands", f"{ZH['band_5m_20m']}, {ZH['band_20m_100m']}", ZH["band_20m_100m"]),
        ("criteria.min_active_users_30d", "2", "3"),
        ("criteria.consecutive_months", "连续两个 30 天周期的每一期", None),
        ("criteria.document_kinds", f"{ZH['receipts']}, {ZH['work_orders']}", ZH["work_orders"]),
        ("criteria.min_completeness_pct", None, "62.5")]


def test_a_save_that_changes_nothing_writes_nothing(office):
    programme = programme_create(actor=office, **_fields())
    # through the service, with the amount written differently
    programme_update(programme=programme, actor=office, **_fields(budget="2400000"))
    # and through the page, posting the form as it was
    response = client_for(office).post("/office/programmes/hist-prog/edit/", _form())
    assert response.status_code == 302
    programme.refresh_from_db()
    assert programme.updated_at is None
    assert list(ProgrammeChange.objects.values_list("kind", flat=True)) == ["created"]


def test_a_refused_edit_writes_nothing(office):
    # given: ¥500,000 of the budget granted
    programme = programme_create(actor=office, **_fields())
    enrolment = enrolment_enrol(programme=programme, enterprise=registry_enterprise(sales_band="5m_20m"),
                                actor=office)
    subsidy_grant(enrolment=enrolment, amount="500000", purpose="MES 实施", actor=office)
    # when: the budget would drop below it (with the end date changed in the same save)
    with pytest.raises(ValidationError) as refused:
        programme_update(programme=programme, actor=office,
                         **_fields(budget="400000", period_end=date(2028, 6, 30)))
    assert refused.value.error_dict["budget"][0].code == "budget_below_granted"
    # ... and on the page
    page = client_for(office).post("/office/programmes/hist-prog/edit/", _form(budget="400000.00"))
    assert page.status_code == 400
    # then: nothing changed and nothing is on record but the creation
    programme.refresh_from_db()
    assert (programme.budget, programme.period_end) == (Decimal("2400000.00"), date(2027, 12, 31))
    assert list(ProgrammeChange.objects.values_list("kind", flat=True)) == ["created"]


# ---- the programme page ------------------------------------------------------------------------------


def test_the_history_table_on_the_programme_page_pages_and_exports(office):
    # given: the office creates the programme on its page (15 settings) and saves it three times
    client = client_for(office)
    assert client.post("/office/programmes/new/", _form()).status_code == 302
    url = "/office/programmes/hist-prog/"
    for changes in ({"budget": "2,600,000.00", "period_end": "2028-06-30"},
                    {"budget": "2,600,000.00", "period_end": "2028-06-30", "target_count": "12",
                     "document_kinds": ["work_orders"]},
                    {"budget": "3,000,000.00", "period_end": "2028-06-30", "target_count": "12",
                     "document_kinds": ["work_orders"], "module": "logistics"}):
        assert client.post(f"{url}edit/", _form(**changes)).status_code == 302
    # when: the office opens the page
    page = client.get(url).content.decode()
    # then: the History section, newest first: 15 settings at the creation + 2 per edit
    history = page.split('id="history"', 1)[1].split('id="table-hist-prog-history"', 1)[1]
    assert "Change history" in page.split('id="history"', 1)[1][:40]
    assert "21 rows" in history
    paged = client.get(f"{url}?per_page=10&page=3").content.decode().split('id="table-hist-prog-history"', 1)[1]
    assert "3 / 3" in paged and paged.split("<tbody>", 1)[1].count("<tr>") == 1
    first_row = history.split("<tbody>", 1)[1].split("</tr>", 1)[0]
    assert ["office@office.test", "changed", "Module", "ERP", "物流"] == [
        cell.split(">", 1)[1] for cell in first_row.split("</td>")[1:6]]
    # the setting is named in the reader's language, the values as written
    assert "Budget (CNY)" in history and "¥2,600,000.00" in history and "¥3,000,000.00" in history
    # and the export has every row, not just the page
    rows = xlsx_rows(client.get(f"{url}?export=xlsx&table=hist-prog-history"))
    assert rows[0] == ("Changed at", "Changed by", "Kind of change", "Setting", "Old value", "New value")
    assert [r[1:] for r in rows[1:7]] == [
        ("office@office.test", "changed", "Module", "ERP", "物流"),
        ("office@office.test", "changed", "Budget (CNY)", "¥2,600,000.00", "¥3,000,000.00"),
        ("office@office.test", "changed", "Target (enterprises)", "8", "12"),
        ("office@office.test", "changed", "Documents that count", f"{ZH['receipts']}, {ZH['work_orders']}",
         ZH["work_orders"]),
        ("office@office.test", "changed", "End", "2027-12-31", "2028-06-30"),
        ("office@office.test", "changed", "Budget (CNY)", "¥2,400,000.00", "¥2,600,000.00")]
    assert len(rows) == 1 + 21 and rows[7][1:] == ("office@office.test", "created", "Code", None, "hist-prog")
    assert rows[-1][1:] == ("office@office.test", "created", "Documents that count", None,
                            f"{ZH['receipts']}, {ZH['work_orders']}")
    assert all(r[0] <= rows[1][0] for r in rows[1:])  # newest first
    # the line under the title links to it
    assert '<a class="link-secondary" href="#history"><span id="programme-changed">' in page


def test_only_the_office_sees_a_programme_history(make_enterprise, make_user, office):
    owner = make_user()
    make_enterprise(owner=owner, slug="hist-owner")
    programme_create(actor=office, **_fields())
    url = "/office/programmes/hist-prog/"
    export = f"{url}?export=xlsx&table=hist-prog-history"
    for path in (url, export):
        anonymous = client_for().get(path)
        assert anonymous.status_code == 302 and anonymous["Location"].startswith("/login/?next=")
        refused = client_for(owner).get(path)
        assert refused.status_code == 403 and b'id="office-forbidden"' in refused.content
    assert client_for(owner).get(url, HTTP_HOST="hist-owner.localhost").status_code == 404
    assert client_for(office).get(export)["Content-Type"].startswith("application/vnd.openxmlformats")


# ---- the monthly report --------------------------------------------------------------------------------


def test_the_monthly_report_lists_the_changes_of_the_month(office):
    # given: a programme created and edited this month, and an entry of last month
    programme = programme_create(actor=office, **_fields())
    programme_update(programme=programme, actor=office, **_fields(budget="2600000"))
    last_month = timezone.now() - timedelta(days=timezone.localdate().day + 3)
    ProgrammeChange.objects.create(programme=programme, kind="updated", changed_at=last_month,
                                   changed_by_label="earlier@office.test",  # a setting since removed
                                   changes=[{"field": "cohort_note", "label": "队列说明", "old": "甲", "new": "乙"}])
    # when: the report of this month is made
    data = report_data(month=timezone.localdate())
    # then: this month's changes, oldest first, in the platform's language; last month's is not in it
    assert [(c.kind, c.field) for c in data.changes[:2]] == [(ZH["created"], "code"), (ZH["created"], "name")]
    assert [(c.kind, c.label, c.old, c.new) for c in data.changes][-1] == (
        ZH["changed"], ZH["budget"], "¥2,400,000.00", "¥2,600,000.00")
    assert {c.kind for c in data.changes[:-1]} == {ZH["created"]} and len(data.changes) == 16
    assert "earlier@office.test" not in {c.changed_by for c in data.changes}
    # the workbook's last sheet lists them, the PDF has its section
    book = load_workbook(io.BytesIO(report_workbook(data)))
    rows = list(book.worksheets[-1].iter_rows(values_only=True))
    assert len(rows) == 1 + 16
    assert rows[-1][1:] == (programme.name, "office@office.test", ZH["changed"], ZH["budget"], "¥2,400,000.00",
                            "¥2,600,000.00")
    assert report_pdf(data).startswith(b"%PDF")
    # and last month's report has last month's entry, with the label it was written with
    earlier = report_data(month=last_month.date())
    assert [(c.changed_by, c.label, c.old, c.new) for c in earlier.changes] == [
        ("earlier@office.test", "队列说明", "甲", "乙")]


# ---- append-only ---------------------------------------------------------------------------------------


def test_the_database_refuses_to_change_or_delete_an_entry(make_user):
    # given: a programme created by a user of the office
    clerk = make_user(email="clerk@office.test", platform_role="office")
    programme = programme_create(actor=clerk, **_fields())
    entry = ProgrammeChange.objects.get()
    # when / then: no update, no delete, not even through the ORM's bulk paths
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgrammeChange.objects.filter(pk=entry.pk).update(changes=[])
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgrammeChange.objects.filter(pk=entry.pk).update(changed_by=None, changed_by_label="")
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgrammeChange.objects.filter(pk=entry.pk).delete()
    # a programme with a history cannot be deleted either (PROTECT)
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        programme.delete()
    # but the user who made the change may go: on_delete=SET_NULL is the one update let through (the
    # statement Django's collector runs; deleting a user from here also reaches tenant tables), and the
    # entry keeps the email
    assert ProgrammeChange.objects.filter(changed_by=clerk).update(changed_by=None) == 1
    entry.refresh_from_db()
    assert (entry.changed_by, entry.changed_by_label, entry.kind) == (None, "clerk@office.test", "created")


def test_an_edit_in_the_django_admin_is_in_the_history_too(make_user):
    root = make_user(email="root@platform.test", is_staff=True, is_superuser=True)
    programme = programme_create(actor=None, **_fields())
    client = client_for(root)
    url = f"/admin/office/programme/{programme.pk}/change/"
    data = {"code": "hist-prog", "name": "MES 车间试点", "name_en": "Shop-floor MES pilot", "module": "erp",
            "description": "", "target_kind": "count", "target_count": "8", "target_share_pct": "",
            "cohort_sales_bands": "5m_20m,20m_100m", "cohort_size": "", "period_start": "2026-03-01",
            "period_end": "2027-12-31", "fund": "慈溪市企业信息化专项资金", "budget": "2500000.00",
            "criteria": '{"min_active_users_30d": 2, "min_documents_per_month": 40, "consecutive_months": 2, '
                        '"document_kinds": ["receipts", "work_orders"]}',
            "changes-TOTAL_FORMS": "1", "changes-INITIAL_FORMS": "1", "changes-MIN_NUM_FORMS": "0",
            "changes-MAX_NUM_FORMS": "1000"}
    # a budget below what is granted is refused on its field, as on the office's page
    Programme.objects.filter(pk=programme.pk).update(granted_total=Decimal("1000000.00"))
    refused = client.post(url, dict(data, budget="900000.00"))
    assert refused.status_code == 200
    assert [e.code for e in refused.context["adminform"].form.errors.as_data()["budget"]] == ["budget_below_granted"]
    assert not ProgrammeChange.objects.filter(kind="updated").exists()
    # saved: through programme_update, so the change is on record
    response = client.post(url, data)
    assert response.status_code == 302, response.content[:3000]
    entry = ProgrammeChange.objects.get(kind="updated")
    assert (entry.changed_by, entry.changes) == (root, [
        {"field": "budget", "label": ZH["budget"], "old": "¥2,400,000.00", "new": "¥2,500,000.00"}])
    # the history itself is read-only there
    assert client.get(f"/admin/office/programmechange/{entry.pk}/change/").status_code == 200
    assert client.post(f"/admin/office/programmechange/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get("/admin/office/programmechange/add/").status_code == 403
