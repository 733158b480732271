"""The monthly city report: queued by the office (or beat), built by a task, PDF and Excel."""

import io
from datetime import date
from decimal import Decimal

from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from office.models import MonthlyReport
from office.services import (adoption_record_write, enrolment_enrol, monthly_report_request,
                             monthly_report_run, previous_month, subsidy_grant, subsidy_pay)
from office.tests.builders import make_programme, put_snapshot


def test_the_office_prepares_a_month_and_downloads_pdf_and_excel(make_enterprise, office,
                                                                  django_capture_on_commit_callbacks):
    # given: an enrolled enterprise adopted in the month, a grant and a payment in the month
    month = previous_month()
    in_month = month.replace(day=15)
    programme = make_programme(code="erp-report", budget=Decimal("800000.00"), criteria={"min_active_users_30d": 1})
    enterprise = make_enterprise(slug="report-a", town="观海卫镇")
    enrolment = enrolment_enrol(programme=programme, enterprise=enterprise, actor=office)
    enrolment.enrolled_on = month
    enrolment.save()
    adoption_record_write(enrolment=enrolment, snapshot=put_snapshot(enterprise, in_month, users=3, documents=60))
    grant = subsidy_grant(enrolment=enrolment, amount="300000", purpose="ERP 实施", actor=office, granted_on=in_month)
    subsidy_pay(subsidy=grant, amount="120000", actor=office, paid_on=in_month)
    subsidy_grant(enrolment=enrolment, amount="1000", purpose="下个月", actor=office,
                  granted_on=timezone.localdate().replace(day=1))
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(office)
    # when: the office asks for the month (the task is queued after the commit) and the task runs
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post("/office/reports/", {"month": month.strftime("%Y-%m")})
    assert response.status_code == 302 and len(callbacks) == 1
    report = MonthlyReport.objects.get(month=month)
    assert report.status == "queued"
    monthly_report_run(report_id=report.pk)
    # then: both files download
    pdf = client.get(f"/office/reports/{report.pk}/pdf/")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert len(pdf.content) > 5000
    xlsx = client.get(f"/office/reports/{report.pk}/xlsx/")
    book = load_workbook(io.BytesIO(xlsx.content))
    sheets = {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}
    assert len(book.worksheets) == 7  # the last one: changes to programmes in the month
    programmes, subsidies, adoption = (book.worksheets[0], book.worksheets[1], book.worksheets[2])
    assert programmes._charts and subsidies._charts  # with charts
    row = next(r for r in programmes.iter_rows(values_only=True) if r[0] == programme.name)
    assert row[3:8] == (10, 1, 1, 0, 0)  # needed, enrolled, adopted, at risk, not started
    money = next(r for r in subsidies.iter_rows(values_only=True) if r[0] == programme.name)
    # budget, granted, paid, remaining, granted / paid / returned / paid back in the month; next month's grant
    # is not in it
    assert money[1:] == (800000, 300000, 120000, 500000, 300000, 120000, 0, 0)
    assert [r[1] for r in adoption.iter_rows(values_only=True)][1:] == [enterprise.name]
    assert sheets  # every sheet readable


def test_beat_queues_last_month_and_a_future_month_is_refused(db, office, django_capture_on_commit_callbacks):
    from django.core.exceptions import ValidationError

    from office.tasks import monthly_report

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report_id = monthly_report()
    assert MonthlyReport.objects.get(pk=report_id).month == previous_month() and len(callbacks) == 1
    next_month = (timezone.localdate().replace(day=28) + timezone.timedelta(days=5)).replace(day=1)
    try:
        monthly_report_request(month=next_month, actor=office)
    except ValidationError as exc:
        assert exc.message_dict == {"month": ["That month has not started yet."]}
    else:
        raise AssertionError("a future month was accepted")
    assert previous_month(date(2026, 1, 9)) == date(2025, 12, 1)
