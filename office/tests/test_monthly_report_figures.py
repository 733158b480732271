"""The monthly report against a hand-made month: every figure of one programme asserted exactly, with
what each counts (at the month's end, or in the month by date). October 2026 ("the month"), built with
the real services and dated by hand:

    A  enrolled 09-10 (the month before)  grant 200,000 on 09-15, paid 150,000 on 10-10,
                                          5,000 paid back on 10-28; adopted on 10-12
    B  enrolled 10-05 (in the month)      grant 50,000 on 10-06, paid 20,000 on 10-20 and 10,000 on 10-25;
                                          adopted only on 11-10
    C  enrolled 11-03 (after the month)   grant 80,000 on 11-04, paid 80,000 on 11-05: not in October
    D  enrolled 09-03, withdrawn 10-18    grant 30,000 on 09-05, paid 30,000 on 10-08
    E  enrolled 09-01, withdrawn 11-02    grant 40,000 on 09-20, cancelled on 10-15
"""

import io
import re
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pypdfium2
import pytest
from django.utils import timezone
from openpyxl import load_workbook
from reportlab.pdfbase import pdfmetrics

from office import reports
from office.models import Enrolment
from office.services import (adoption_record_write, enrolment_enrol, enrolment_withdraw, subsidy_cancel, subsidy_grant,
                             subsidy_pay, subsidy_payment_reverse)
from office.tests.builders import make_programme, put_snapshot, registry_enterprise

MONTH = date(2026, 10, 1)
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def month(db, office):
    if timezone.localdate() < date(2026, 11, 30):
        pytest.skip("the hand-made month needs 2026-11 in the past (payments cannot be dated in the future)")
    programme = make_programme(code="hand-month", name="手工月份项目", budget=Decimal("1000000.00"),
                               period_start=date(2026, 1, 1), criteria={"min_active_users_30d": 1})
    names = {"A": "慈溪市甲电器有限公司", "B": "慈溪市乙电器有限公司", "C": "慈溪市丙电器有限公司",
             "D": "慈溪市丁电器有限公司", "E": "慈溪市戊电器有限公司"}
    ents, enrolments = {}, {}
    for key, enrolled_on in (("A", date(2026, 9, 10)), ("B", date(2026, 10, 5)), ("C", date(2026, 11, 3)),
                             ("D", date(2026, 9, 3)), ("E", date(2026, 9, 1))):
        ents[key] = registry_enterprise()
        ents[key].name = names[key]
        ents[key].save(update_fields=["name"])
        enrolment = enrolment_enrol(programme=programme, enterprise=ents[key], actor=office)
        Enrolment.objects.filter(pk=enrolment.pk).update(enrolled_on=enrolled_on)
        enrolments[key] = enrolment

    def grant(key, amount, on):
        return subsidy_grant(enrolment=enrolments[key], amount=amount, purpose="实施补助", actor=office, granted_on=on)

    a = grant("A", "200000", date(2026, 9, 15))
    subsidy_pay(subsidy=a, amount="150000", actor=office, paid_on=date(2026, 10, 10))
    subsidy_payment_reverse(subsidy=a, actor=office, reason="多付", amount="5000", reversed_on=date(2026, 10, 28))
    b = grant("B", "50000", date(2026, 10, 6))
    subsidy_pay(subsidy=b, amount="20000", actor=office, paid_on=date(2026, 10, 20))
    subsidy_pay(subsidy=b, amount="10000", actor=office, paid_on=date(2026, 10, 25))
    c = grant("C", "80000", date(2026, 11, 4))
    subsidy_pay(subsidy=c, amount="80000", actor=office, paid_on=date(2026, 11, 5))
    d = grant("D", "30000", date(2026, 9, 5))
    subsidy_pay(subsidy=d, amount="30000", actor=office, paid_on=date(2026, 10, 8))
    e = grant("E", "40000", date(2026, 9, 20))
    subsidy_cancel(subsidy=e, actor=office, reason="退出", reversed_on=date(2026, 10, 15))
    for key, withdrawn in (("D", datetime(2026, 10, 18, 10, 0, tzinfo=SHANGHAI)),
                           ("E", datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI))):
        enrolment_withdraw(enrolment=enrolments[key], actor=office)
        Enrolment.objects.filter(pk=enrolments[key].pk).update(decided_at=withdrawn)
    enrolments["A"].refresh_from_db()
    adoption_record_write(enrolment=enrolments["A"], snapshot=put_snapshot(ents["A"], date(2026, 10, 12), users=3))
    enrolments["B"].refresh_from_db()
    adoption_record_write(enrolment=enrolments["B"], snapshot=put_snapshot(ents["B"], date(2026, 11, 10), users=3))
    return programme, names


def _row(data, programme):
    return next(r for r in data.programmes if r["name"] == programme.name)


def test_every_figure_of_the_month(month):
    programme, names = month
    data = reports.report_data(month=MONTH)
    row = _row(data, programme)
    # enterprises: at the month's end (A, B, E: D left in the month, C came after) and in the month
    assert (row["enrolled"], row["enrolled_in_month"], row["paid_enterprises_in_month"]) == (3, 1, 3)
    # adoption at the month's end: A adopted on 10-12; B's evaluation is of November; E has none
    assert (row["adopted"], row["at_risk"], row["not_started"]) == (1, 0, 2)
    assert [a["enterprise"] for a in data.adoption if a["programme"] == programme.name] == sorted(
        [names["A"], names["B"], names["E"]])
    # money at the month's end: grants A+B+D+E less E's cancellation; payments less A's clawback
    assert (row["budget"], row["granted"], row["paid"], row["remaining"]) == (
        Decimal("1000000.00"), Decimal("280000.00"), Decimal("205000.00"), Decimal("720000.00"))
    # money in the month, by date: B's grant; A's, B's two and D's payments (D was withdrawn later that month)
    assert (row["granted_in_month"], row["paid_in_month"], row["returned_in_month"], row["paid_back_in_month"]) == (
        Decimal("50000.00"), Decimal("210000.00"), Decimal("40000.00"), Decimal("5000.00"))


def test_the_months_before_and_after(month):
    programme, _names = month
    september = _row(reports.report_data(month=date(2026, 9, 1)), programme)
    assert (september["enrolled"], september["enrolled_in_month"], september["paid_enterprises_in_month"]) == (3, 3, 0)
    assert (september["granted_in_month"], september["paid_in_month"], september["paid"]) == (
        Decimal("270000.00"), Decimal("0.00"), Decimal("0.00"))
    november = _row(reports.report_data(month=date(2026, 11, 1)), programme)
    # A, B, C (E withdrawn on 11-02); C enrolled and paid in November
    assert (november["enrolled"], november["enrolled_in_month"], november["paid_enterprises_in_month"]) == (3, 1, 1)
    assert (november["granted_in_month"], november["paid_in_month"], november["paid"]) == (
        Decimal("80000.00"), Decimal("80000.00"), Decimal("285000.00"))
    assert (november["adopted"], november["not_started"]) == (2, 1)


def _pdf_text(content: bytes) -> str:
    document = pypdfium2.PdfDocument(content)
    return "\n".join(document[i].get_textpage().get_text_range() for i in range(len(document)))


def test_the_pdf_prints_each_definition_and_amounts_on_one_line(month, settings):
    settings.LANGUAGE_CODE = "en"
    data = reports.report_data(month=MONTH)
    text = _pdf_text(reports.report_pdf(data))
    flat = re.sub(r"\s+", " ", text)
    for label, definition in reports.figure_definitions():
        assert f"{label}: {definition}"[:60] in flat, label
    lines = [line.strip() for line in text.splitlines()]
    for amount in ("¥1,000,000.00", "¥280,000.00", "¥205,000.00", "¥720,000.00", "¥210,000.00", "¥40,000.00"):
        assert any(amount in line for line in lines), amount  # never split over two lines


def test_amount_cells_never_wrap_and_shrink_to_fit(db):
    pdf = reports._Pdf()
    widths = [54 * reports.mm, 22 * reports.mm]
    table = pdf.table(["Programme", "Paid"], [["x", reports._money(Decimal("150000.00"))],
                                              ["y", reports._money(Decimal("123456789012.00"))]], widths=widths)
    assert table._cellvalues[1][1] == "¥150,000.00" and isinstance(table._cellvalues[1][1], str)
    size = pdf.nowrap_size("¥123,456,789,012.00", widths[1])
    assert size < pdf.cell.fontSize
    assert pdfmetrics.stringWidth("¥123,456,789,012.00", reports.CJK, size) <= widths[1] - 2 * pdf.PADDING + 0.01
    assert pdf.nowrap_size("¥150,000.00", widths[1]) == pdf.cell.fontSize


def test_the_workbook_has_the_new_figures_and_the_definitions(month, settings):
    settings.LANGUAGE_CODE = "en"
    programme, _names = month
    book = load_workbook(io.BytesIO(reports.report_workbook(reports.report_data(month=MONTH))))
    programmes = list(book.worksheets[0].iter_rows(values_only=True))
    assert programmes[0][9:11] == ("Enrolled this month", "Enterprises paid this month")
    row = next(r for r in programmes if r[0] == programme.name)
    assert row[4] == 3 and row[9:11] == (1, 3)
    subsidies = list(book.worksheets[1].iter_rows(values_only=True))
    money = next(r for r in subsidies if r[0] == programme.name)
    assert money[1:] == (1000000, 280000, 205000, 720000, 50000, 210000, 40000, 5000)
    definitions = {r[0]: r[1] for r in subsidies if r[0] and r[1] and isinstance(r[1], str)}
    assert definitions["Paid this month"].startswith("Payments dated in the month (by payment date)")
    assert "Enrolled at the month's end" in {r[1] for r in programmes if r[0] == "Enrolled"}.pop()

