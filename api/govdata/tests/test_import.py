"""File drops: a messy export imports clean; one bad row → nothing written and the report names the
row; re-importing the same file changes nothing; a change makes a new version (history)."""

from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation
from openpyxl import Workbook

from api.govdata.models import CreditEvent, CreditRating, RegistryRecord, RegistryStatus, SyncRun
from api.govdata.services import file_import
from api.govdata.tests.conftest import USCC_A, USCC_B, USCC_C, csv_bytes

pytestmark = pytest.mark.django_db

HEADERS_ZH = ["统一社会信用代码", "企业名称", "曾用名", "注册号", "企业类型", "法定代表人", "注册资本", "注册资本币种",
              "成立日期", "营业期限自", "营业期限至", "登记机关", "登记状态", "住所", "住所所在行政区划", "经营范围",
              "行业代码", "从业人数"]
EST_MS = str(int(datetime(2012, 3, 18, tzinfo=ZoneInfo("Asia/Shanghai")).timestamp() * 1000))


def fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def messy_rows():
    return [
        HEADERS_ZH,
        [f" {fullwidth(USCC_A[:8])} {USCC_A[8:]} ", "慈溪市  美厨电器 有限公司 ", "\\N", "330282000123456",
         "有限责任公司(自然人投资或控股)", "王建国", "500万元", "人民币", EST_MS, "2012-03-18", "9999-09-09",
         "慈溪市市场监督管理局", "存续（在营、开业、在册）", "浙江省慈溪市周巷镇工业园区 8 号", "330282",
         "家用电器制造、销售。", "Ｃ３８５４", "暂无"],
        [USCC_B, "慈溪市老厂轴承有限公司", "慈溪市轴承厂；慈溪市老厂轴承厂", "", "有限责任公司", "李四", "5,000,000元", "",
         "1900-01-01", "2001/5/8", "2031-05-07", "慈溪市市场监督管理局", "吊销，未注销", "慈溪市坎墩街道", "330282",
         "轴承制造", "3451", "35"],
        [USCC_C, "宁波外资电器有限公司", "", "", "有限责任公司(外国法人独资)", "John Smith", "50", "美元",
         "2015年6月1日", "2015年6月1日", "2045-05-31", "宁波市市场监督管理局", "注销", "慈溪市白沙路街道", "330282",
         "", "C3855", "120"],
    ]


def test_messy_file_is_cleaned_and_imported():
    run = file_import(content=csv_bytes(messy_rows()), filename="registry-20250301.csv")

    assert (run.status, run.kind, run.new_count, run.changed_count, run.unchanged_count, run.rejected_count) == \
        ("succeeded", "registry", 3, 0, 0, 0)
    a = RegistryRecord.objects.get(uscc=USCC_A)
    assert a.name == "慈溪市美厨电器有限公司"
    assert a.former_names == []
    assert (a.registered_capital, a.capital_currency) == (Decimal("500.0000"), "CNY")
    assert a.established_on == date(2012, 3, 18)
    assert (a.term_from, a.term_to, a.term_indefinite) == (date(2012, 3, 18), None, True)
    assert (a.status, a.status_raw) == (RegistryStatus.ACTIVE, "存续（在营、开业、在册）")
    assert (a.industry_code, a.employees, a.reg_no) == ("C3854", None, "330282000123456")
    assert (a.version, a.is_current, a.channel, a.sync_run_id) == (1, True, "file", run.pk)
    assert a.raw["企业名称"] == "慈溪市  美厨电器 有限公司 "  # the payload exactly as received
    b = RegistryRecord.objects.get(uscc=USCC_B)
    assert b.former_names == ["慈溪市轴承厂", "慈溪市老厂轴承厂"]
    assert (b.registered_capital, b.established_on, b.status) == (Decimal("500.0000"), None, RegistryStatus.REVOKED)
    c = RegistryRecord.objects.get(uscc=USCC_C)
    assert (c.registered_capital, c.capital_currency, c.established_on, c.status) == \
        (Decimal("50.0000"), "USD", date(2015, 6, 1), RegistryStatus.CANCELLED)


def test_one_bad_row_writes_nothing_and_the_report_names_it():
    rows = messy_rows()
    rows.append([USCC_A[:-1] + ("0" if USCC_A[-1] != "0" else "1")] + rows[1][1:])  # row 5: mistyped code
    rows.append([USCC_B + "X", "某公司"] + rows[2][2:12] + ["在营中？"] + rows[2][13:])  # row 6: bad code (reported first)
    rows[3][8] = "2012-13-45"  # row 4 (the header is row 1): impossible date

    with translation.override("en"):
        run = file_import(content=csv_bytes(rows), filename="registry-bad.csv")

    assert run.status == SyncRun.Status.REJECTED
    assert RegistryRecord.objects.count() == 0
    assert run.rejected_count == 3 and run.new_count == 0
    assert [(e["row"], e["column"]) for e in run.errors] == [(4, "estdate"), (5, "uniscid"), (6, "uniscid")]
    assert "check character" in run.errors[1]["message"]


def test_reimporting_the_same_file_changes_nothing():
    content = csv_bytes(messy_rows())
    file_import(content=content, filename="registry.csv")
    before = list(RegistryRecord.objects.order_by("pk").values())

    again = file_import(content=content, filename="registry.csv")

    assert (again.status, again.new_count, again.changed_count, again.unchanged_count) == ("succeeded", 0, 0, 3)
    assert list(RegistryRecord.objects.order_by("pk").values()) == before


def test_a_change_makes_a_new_version_and_keeps_the_old_one():
    first = file_import(content=csv_bytes(messy_rows()), filename="registry-1.csv")
    rows = messy_rows()
    rows[1][12] = "迁出"
    rows[1][13] = "浙江省宁波市江北区长兴路 8 号"

    second = file_import(content=csv_bytes(rows), filename="registry-2.csv")

    assert (second.new_count, second.changed_count, second.unchanged_count) == (0, 1, 2)
    old, new = RegistryRecord.objects.filter(uscc=USCC_A).order_by("version")
    assert (old.version, old.is_current, old.status, old.sync_run_id) == (1, False, RegistryStatus.ACTIVE, first.pk)
    assert old.superseded_at is not None and old.domicile == "浙江省慈溪市周巷镇工业园区8号"
    assert (new.version, new.is_current, new.status, new.status_raw, new.sync_run_id) == \
        (2, True, RegistryStatus.MOVED_OUT, "迁出", second.pk)
    assert new.domicile == "浙江省宁波市江北区长兴路8号"


def test_a_column_missing_from_a_later_file_keeps_its_value():
    file_import(content=csv_bytes(messy_rows()), filename="registry-full.csv")
    short = [["uniscid", "entname", "regstate"], [USCC_B, "慈溪市老厂轴承有限公司", "2"]]  # status code 2 = 吊销未注销

    run = file_import(content=csv_bytes(short), filename="registry-short.csv")

    assert (run.new_count, run.changed_count, run.unchanged_count) == (0, 1, 0)  # only status_raw "2" differs
    current = RegistryRecord.objects.get(uscc=USCC_B, is_current=True)
    assert (current.employees, current.industry_code, current.status) == (35, "3451", RegistryStatus.REVOKED)


def test_xlsx_with_the_centre_field_names():
    book = Workbook()
    sheet = book.active
    sheet.append(["uniscid", "entname", "regstate", "estdate", "regcap", "opfrom", "opto", "dom", "opscope",
                  "industryco"])
    sheet.append([USCC_A, "慈溪市美厨电器有限公司", "在业", datetime(2012, 3, 18), 500, datetime(2012, 3, 18),
                  "9999-09-09", "周巷镇", "家用电器", "C3854"])
    buffer = BytesIO()
    book.save(buffer)

    run = file_import(content=buffer.getvalue(), filename="企业信息.xlsx")

    assert (run.status, run.new_count) == ("succeeded", 1)
    record = RegistryRecord.objects.get()
    assert (record.established_on, record.registered_capital, record.term_indefinite) == \
        (date(2012, 3, 18), Decimal("500"), True)


def test_an_exact_repeat_of_a_row_is_written_once_and_noted():
    # given: row 4 repeats row 2 in every cell (surrounding spaces aside), row 3 is another enterprise
    rows = messy_rows()[:3]
    rows.append([f" {cell} " if cell else cell for cell in rows[1]])

    run = file_import(content=csv_bytes(rows), filename="repeat.csv")

    assert (run.status, run.new_count, run.rows_total, run.errors) == ("succeeded", 2, 3, [])
    assert run.notes == [{"row": 4, "column": "", "message": "The same as row 2 in every cell: written once."}]
    assert RegistryRecord.objects.filter(uscc=USCC_A).count() == 1


def test_the_same_credit_code_with_different_values_rejects_the_batch_naming_both_rows():
    rows = messy_rows()
    repeat = rows[1][:]
    repeat[5], repeat[13] = "王建华", "慈溪市周巷镇工业园区 9 号"  # legal representative, domicile
    rows.append(repeat)  # row 5, the same code as row 2
    rows.append(rows[3][:])  # row 6: an exact repeat of row 4 is no error

    run = file_import(content=csv_bytes(rows), filename="conflict.csv")

    assert (run.status, run.rejected_count) == ("rejected", 1)
    assert run.errors == [{"row": 5, "column": "uniscid", "message":
                           "The same record as row 2, with different values (法定代表人, 住所): correct or remove one "
                           "of the two."}]
    assert RegistryRecord.objects.count() == 0


def test_market_regulation_name_is_the_legal_representative_and_unused_columns_are_listed():
    # given: the market-regulation export, where `name` is 法定代表人 and the company is `entname`
    rows = [["uniscid", "entname", "name", "regstate", "nodenum", "法定代表人", ""],
            [USCC_A, "慈溪市美厨电器有限公司", "王建国", "存续", "330282", "", ""],
            [USCC_B, "慈溪市老厂轴承有限公司", "李四", "在业", "330282", "", "备注"]]

    run = file_import(content=csv_bytes(rows), filename="scjg-20250301.csv")

    assert (run.status, run.new_count) == ("succeeded", 2)
    record = RegistryRecord.objects.get(uscc=USCC_A)
    assert (record.name, record.legal_representative) == ("慈溪市美厨电器有限公司", "王建国")
    assert record.raw["nodenum"] == "330282"  # kept in the raw data
    unused = "Not used by this import: its values are kept only in each record's raw data, not in the registry " \
             "or credit fields."
    assert run.notes == [{"row": 1, "column": "nodenum", "message": unused},
                         {"row": 1, "column": "法定代表人", "message": unused},  # a second header for lerep
                         {"row": 1, "column": "column 7, without a header", "message": unused}]


def test_a_file_with_every_column_used_has_no_notes():
    run = file_import(content=csv_bytes(messy_rows()), filename="registry.csv")
    assert (run.status, run.notes) == ("succeeded", [])


def test_a_credit_code_typed_in_full_width_forms_is_imported():
    # given: a code typed with a Chinese input method: full-width digits and letters, an ideographic space
    typed = fullwidth(USCC_A[:9]) + "\u3000" + fullwidth(USCC_A[9:].lower())
    rows = [["统一社会信用代码", "企业名称", "登记状态"], [typed, "慈溪市美厨电器有限公司", "存续"]]

    run = file_import(content=csv_bytes(rows), filename="fullwidth.csv")

    assert (run.status, run.new_count) == ("succeeded", 1)
    assert RegistryRecord.objects.get().uscc == USCC_A


def test_credit_events_and_ratings_files():
    events = [["统一社会信用代码", "类型", "来源部门", "决定文书号", "作出决定机关", "列入原因", "罚款金额", "列入日期", "移出日期", "记录编号"],
              [USCC_A, "经营异常名录", "市场监管", "慈市监异〔2024〕12号", "慈溪市市场监督管理局", "未按规定报送年度报告", "",
               "2024-07-01", "", "E-1"],
              [USCC_A, "行政处罚", "生态环境", "甬环罚〔2024〕88号", "宁波市生态环境局", "超标排放", "12,000元", "1719763200000",
               "", "E-2"],
              [USCC_B, "失信被执行人", "", "(2023)浙0282执1234号", "慈溪市人民法院", "", "", "2023-11-20", "", "E-3"],
              [USCC_C, "高新技术企业", "科技局", "GR202333001234", "浙江省科学技术厅", "", "", "2023-12-08", "", "E-4"]]
    ratings = [["统一社会信用代码", "评价类型", "评价年度", "信用等级", "得分", "分值范围", "有效期自", "有效期至"],
               [USCC_A, "纳税信用等级", "2024", "A", "", "", "2025-04-01", "2026-03-31"],
               [USCC_A, "公共信用评价", "2024", "", "812", "0-1000", "", ""],
               [USCC_B, "纳税信用等级", "2024", "Ｄ", "", "", "", ""]]

    event_run = file_import(content=csv_bytes(events), filename="credit-events.csv")
    rating_run = file_import(content=csv_bytes(ratings), filename="ratings.csv")

    assert (event_run.kind, event_run.status, event_run.new_count) == ("credit_events", "succeeded", 4)
    assert (rating_run.kind, rating_run.status, rating_run.new_count) == ("credit_ratings", "succeeded", 3)
    penalty = CreditEvent.objects.get(key="id:E-2")
    assert (penalty.kind, penalty.severity, penalty.source, penalty.amount, penalty.listed_on) == \
        ("admin_penalty", "negative", "environment", Decimal("12000"), date(2024, 7, 1))
    assert CreditEvent.objects.get(key="id:E-3").source == "court"
    assert CreditRating.objects.get(uscc=USCC_B).grade == "D"

    # removal from the abnormal-operation list: a new version of E-1, the listing kept as history
    events[1][8] = "2025-01-15"
    again = file_import(content=csv_bytes(events), filename="credit-events-2.csv")
    assert (again.new_count, again.changed_count, again.unchanged_count) == (0, 1, 3)
    assert list(CreditEvent.objects.filter(key="id:E-1").order_by("version").values_list("version", "removed_on")) == \
        [(1, None), (2, date(2025, 1, 15))]


def test_bad_enum_and_tax_grade_are_rejected():
    events = [["uniscid", "eventtype", "listdate"], [USCC_A, "表扬信", "2024-01-01"]]
    ratings = [["uniscid", "scheme", "year", "grade"], [USCC_A, "纳税信用等级", "2024", "E"]]
    run_events = file_import(content=csv_bytes(events), filename="e.csv")
    run_ratings = file_import(content=csv_bytes(ratings), filename="r.csv")
    assert [(e["row"], e["column"]) for e in run_events.errors] == [(2, "eventtype")]
    assert [(e["row"], e["column"]) for e in run_ratings.errors] == [(2, "grade")]
    assert CreditEvent.objects.count() == CreditRating.objects.count() == 0


def test_unreadable_file_is_rejected_with_a_message():
    run = file_import(content=b"\x00\x01not a workbook", filename="broken.xlsx")
    assert run.status == "rejected" and run.errors[0]["row"] == 0
