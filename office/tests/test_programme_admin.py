"""The office keeps its programmes on its own pages (create, edit: validated by the services, every
error on its field, the budget never below what is granted, the code fixed once enterprises took
part), and reverses subsidies: a cancelled grant returns to the budget, a clawback takes back what
was paid; nothing is overwritten, every figure and export counts the reversals, and the budget
holds when cancellations and grants race."""

import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from core.testing import codes_by_field
from office.models import Programme, Subsidy, SubsidyReversal
from office.reports import report_data
from office.services import (adoption_record_write, enrolment_enrol, programme_create, programme_update,
                             subsidy_cancel, subsidy_grant, subsidy_pay, subsidy_payment_reverse)
from office.tests.builders import (add_member, client_for, make_programme, put_snapshot, registry_enterprise,
                                   xlsx_rows)
from tenants.models import Role

TODAY = timezone.localdate


def _form(**changes) -> dict:
    """A complete programme form as the page posts it."""
    data = {"code": "mes-pilot", "name": "MES 车间试点", "name_en": "Shop-floor MES pilot", "module": "erp",
            "description": "8 家企业用平台管理工单与报工。", "target_kind": "count", "target_count": "8",
            "target_share_pct": "", "cohort_sales_bands": ["5m_20m", "20m_100m"], "cohort_size": "",
            "period_start": "2026-03-01", "period_end": "2027-12-31", "fund": "慈溪市企业信息化专项资金",
            "budget": "2,400,000.00", "min_active_users_30d": "2", "min_documents_per_month": "40",
            "consecutive_months": "2", "document_kinds": ["work_orders", "receipts"], "min_modules_in_use": "",
            "min_completeness_pct": "50"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def _programme_fields(**changes) -> dict:
    fields = {"code": "svc-prog", "name": "服务层项目", "module": "erp", "target_kind": "count", "target_count": 5,
              "period_start": date(2026, 1, 1), "period_end": date(2027, 12, 31), "budget": "500000"}
    fields.update(changes)
    return fields


def _enrolled(office, *, budget="1000000.00", code=None):
    programme = make_programme(budget=Decimal(budget), **({"code": code} if code else {}))
    return programme, enrolment_enrol(programme=programme, enterprise=registry_enterprise(), actor=office)


# ---- programmes: create and edit --------------------------------------------------------------------


def test_the_office_creates_a_programme_from_the_dashboard(office):
    client = client_for(office)
    # given: the dashboard links to the new programme page
    assert 'href="/office/programmes/new/"' in client.get("/office/").content.decode()
    assert client.get("/office/programmes/new/").status_code == 200
    # when: the office fills it in
    response = client.post("/office/programmes/new/", _form())
    # then: the programme exists as typed, criteria included, and the office lands on its page
    assert (response.status_code, response["Location"]) == (302, "/office/programmes/mes-pilot/")
    programme = Programme.objects.get(code="mes-pilot")
    assert (programme.name, programme.name_en, programme.module, programme.target_kind, programme.target_count,
            programme.target_share_pct) == ("MES 车间试点", "Shop-floor MES pilot", "erp", "count", 8, None)
    assert programme.cohort_sales_bands == ["5m_20m", "20m_100m"]
    assert (programme.period_start, programme.period_end) == (date(2026, 3, 1), date(2027, 12, 31))
    assert (programme.budget, programme.granted_total, programme.fund) == (
        Decimal("2400000.00"), Decimal("0"), "慈溪市企业信息化专项资金")
    assert programme.criteria == {"min_active_users_30d": 2, "min_documents_per_month": 40, "consecutive_months": 2,
                                  "document_kinds": ["receipts", "work_orders"], "min_completeness_pct": 50}
    assert (programme.created_by, programme.updated_by, programme.updated_at) == (office, None, None)
    page = client.get("/office/programmes/mes-pilot/").content.decode()
    assert "Programme MES 车间试点 created." in page and "Shop-floor MES pilot" in page
    assert 'href="/office/programmes/mes-pilot/edit/"' in page


@pytest.mark.parametrize("changes, field, message", [
    ({"code": "erp-taken"}, "code", "The code erp-taken is already used by 已有项目."),
    ({"code": "new"}, "code", "The code new is reserved; choose another."),
    ({"period_end": "2026-02-28"}, "period_end", "The end cannot be before the start."),
    ({"budget": "12.345"}, "budget", "Enter an amount of 0 or more with at most two decimals."),
    ({"budget": "-1"}, "budget", "Enter an amount of 0 or more with at most two decimals."),
    ({"target_kind": "share", "target_share_pct": "120"}, "target_share_pct",
     "The share is a percentage above 0 and at most 100."),
    ({"target_kind": "share"}, "target_share_pct", "Give the share of the cohort."),
    ({"target_count": ""}, "target_count", "Give the number of enterprises."),
])
def test_a_wrong_programme_is_refused_next_to_the_field(changes, field, message, office):
    make_programme(code="erp-taken", name="已有项目")
    response = client_for(office).post("/office/programmes/new/", _form(**changes))
    assert response.status_code == 400
    page = response.content.decode()
    error = page.split(f'id="error-{field}"', 1)[1].split("</div></div>", 1)[0]
    assert message in error
    assert not Programme.objects.filter(code=changes.get("code", "mes-pilot")).exclude(code="erp-taken").exists()


def test_the_services_name_the_field_and_code_of_each_error(office, make_user):
    make_programme(code="svc-taken")
    cases = [({"code": "svc-taken"}, {"code": ["code_taken"]}),
             ({"period_end": date(2025, 12, 31)}, {"period_end": ["dates_invalid"]}),
             ({"budget": "abc"}, {"budget": ["amount_invalid"]}),
             ({"target_kind": "share", "target_share_pct": Decimal("100.01")}, {"target_share_pct": ["target_invalid"]}),
             ({"criteria": {"min_active_users_30d": -1}}, {"criteria": ["criteria_invalid"]}),
             ({"name": ""}, {"name": ["blank"]})]
    for changes, expected in cases:
        with pytest.raises(ValidationError) as caught:
            programme_create(actor=office, **_programme_fields(**changes))
        assert codes_by_field(caught.value) == expected, changes
    with pytest.raises(ValidationError) as caught:
        programme_create(actor=make_user(), **_programme_fields())
    assert codes_by_field(caught.value) == {"__all__": ["forbidden"]}
    assert not Programme.objects.filter(code="svc-prog").exists()


def test_the_office_edits_a_programme_and_who_and_when_are_kept(office):
    # given: a programme
    programme = make_programme(code="erp-edit", name="旧名称", budget=Decimal("800000.00"))
    client = client_for(office)
    form = client.get("/office/programmes/erp-edit/edit/").content.decode()
    assert 'value="旧名称"' in form and 'value="800000.00"' in form
    # when: the office changes its name, English name, budget, period and criteria
    response = client.post("/office/programmes/erp-edit/edit/", _form(
        code="erp-edit", name="新名称", name_en="New name", budget="900000", period_start="2026-01-01",
        min_documents_per_month="", consecutive_months="1", document_kinds=[], min_completeness_pct=""))
    # then: they are saved, with who and when, and the totals are untouched
    assert (response.status_code, response["Location"]) == (302, "/office/programmes/erp-edit/")
    programme.refresh_from_db()
    assert (programme.name, programme.name_en, programme.budget, programme.target_count) == (
        "新名称", "New name", Decimal("900000.00"), 8)
    assert programme.criteria == {"min_active_users_30d": 2}
    assert programme.updated_by == office and programme.updated_at is not None
    page = client.get("/office/programmes/erp-edit/").content.decode()
    assert "Programme 新名称 saved." in page and "changed by office@office.test on" in page
    # and with no enrolment yet the code may still change
    assert client.post("/office/programmes/erp-edit/edit/", _form(code="erp-renamed", name="新名称"))[
        "Location"] == "/office/programmes/erp-renamed/"


def test_the_budget_cannot_go_below_what_is_granted(office):
    # given: ¥600,000 granted of ¥1,000,000
    programme, enrolment = _enrolled(office, code="erp-budget")
    grant = subsidy_grant(enrolment=enrolment, amount="600000", purpose="一期", actor=office)
    # when / then: a budget one cent below is refused on the budget, naming the granted total
    with pytest.raises(ValidationError) as caught:
        programme_update(programme=programme, actor=office, budget="599999.99")
    assert codes_by_field(caught.value) == {"budget": ["budget_below_granted"]}
    assert caught.value.message_dict["budget"] == ["The budget cannot be less than the ¥600,000.00 already granted."]
    response = client_for(office).post("/office/programmes/erp-budget/edit/", _form(
        code="erp-budget", budget="500000"))
    assert response.status_code == 400
    assert "The budget cannot be less than the ¥600,000.00 already granted." in response.content.decode()
    programme.refresh_from_db()
    assert (programme.budget, programme.granted_total, programme.updated_at) == (
        Decimal("1000000.00"), Decimal("600000.00"), None)
    # the budget may equal what is granted, and drop further once the grant is cancelled
    assert programme_update(programme=programme, actor=office, budget="600000").budget == Decimal("600000.00")
    subsidy_cancel(subsidy=grant, actor=office, reason="企业放弃")
    assert programme_update(programme=programme, actor=office, budget="0").budget == Decimal("0.00")


def test_the_code_is_fixed_once_an_enterprise_has_applied_or_been_enrolled(office):
    programme, _enrolment = _enrolled(office, code="erp-fixed")
    with pytest.raises(ValidationError) as caught:
        programme_update(programme=programme, actor=office, code="erp-moved", name="改名")
    assert codes_by_field(caught.value) == {"code": ["code_locked"]}
    client = client_for(office)
    assert 'readonly' in client.get("/office/programmes/erp-fixed/edit/").content.decode().split(
        'name="code"', 1)[1].split(">", 1)[0]
    refused = client.post("/office/programmes/erp-fixed/edit/", _form(code="erp-moved"))
    assert refused.status_code == 400 and "The code cannot change once enterprises" in refused.content.decode()
    programme.refresh_from_db()
    assert (programme.code, programme.updated_at) == ("erp-fixed", None)
    # everything else stays editable
    assert programme_update(programme=programme, actor=office, code="erp-fixed", name="改名").name == "改名"


def test_new_criteria_evaluate_the_enrolled_enterprises_again(office, django_capture_on_commit_callbacks):
    # given: an enrolled enterprise at risk under "3 active users"
    programme = make_programme(criteria={"min_active_users_30d": 3})
    enterprise = registry_enterprise()
    enrolment = enrolment_enrol(programme=programme, enterprise=enterprise, actor=office)
    adoption_record_write(enrolment=enrolment, snapshot=put_snapshot(enterprise, TODAY(), users=2, documents=5))
    enrolment.refresh_from_db()
    assert enrolment.adoption_status == "at_risk"
    # when: the office lowers the need to 2 users, a re-evaluation is queued after the commit
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        programme_update(programme=programme, actor=office, criteria={"min_active_users_30d": 2})
    assert len(callbacks) == 1
    # an edit that leaves the criteria alone queues nothing
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        programme_update(programme=programme, actor=office, name="只改名称")
    assert callbacks == []
    # then: the task evaluates the stored days again
    from office.tasks import programme_reevaluate_task as programme_reevaluate

    assert programme_reevaluate(programme.pk) == 1
    enrolment.refresh_from_db()
    assert enrolment.adoption_status == "adopted"


# ---- who may ---------------------------------------------------------------------------------------


def test_only_the_office_reaches_the_new_pages(make_user, make_enterprise, office):
    # given: a programme with a paid grant; a member of an enterprise (its owner), a user without role
    owner = make_user()
    enterprise = make_enterprise(owner=owner, slug="padmin-a")
    programme = make_programme(code="erp-guard")
    enrolment = enrolment_enrol(programme=programme, enterprise=enterprise, actor=office)
    grant = subsidy_grant(enrolment=enrolment, amount="1000", purpose="培训", actor=office)
    subsidy_pay(subsidy=grant, amount="400", actor=office)
    nobody = make_user()
    admin = make_user(platform_role="platform_admin")
    gets = ["/office/programmes/new/", "/office/programmes/erp-guard/edit/"]
    posts = {"/office/programmes/new/": _form(code="erp-sneaky"),
             "/office/programmes/erp-guard/edit/": _form(code="erp-guard", budget="1"),
             f"/office/subsidies/{grant.pk}/cancel/": {"reason": "x"},
             f"/office/subsidies/{grant.pk}/clawback/": {"reason": "x"}}
    for url in gets + list(posts):
        # anonymous: the log-in page; members and users without a role: the forbidden page
        anonymous = client_for().post(url, posts.get(url, {})) if url in posts else client_for().get(url)
        assert (anonymous.status_code, anonymous["Location"]) == (302, f"/login/?next={url.replace('/', '%2F')}")
        for user in (owner, nobody):
            response = client_for(user).post(url, posts[url]) if url in posts else client_for(user).get(url)
            assert response.status_code == 403 and b'id="office-forbidden"' in response.content, (url, user)
        # and on an enterprise's own host there is no office at all
        assert client_for(owner).get(url, HTTP_HOST="padmin-a.localhost").status_code == 404
    # nothing changed
    grant.refresh_from_db()
    programme.refresh_from_db()
    assert (grant.status, grant.paid_amount, programme.budget) == ("granted", Decimal("400.00"),
                                                                   Decimal("1000000.00"))
    assert not Programme.objects.filter(code="erp-sneaky").exists() and not SubsidyReversal.objects.exists()
    # a platform administrator gets in like the office
    assert client_for(admin).get("/office/programmes/new/").status_code == 200
    assert client_for(admin).get("/office/programmes/erp-guard/edit/").status_code == 200
    # the services refuse anyone but the office too
    for call in (lambda: programme_update(programme=programme, actor=owner, name="x"),
                 lambda: subsidy_cancel(subsidy=grant, actor=owner, reason="x"),
                 lambda: subsidy_payment_reverse(subsidy=grant, actor=owner, reason="x")):
        with pytest.raises(ValidationError) as caught:
            call()
        assert codes_by_field(caught.value) == {"__all__": ["forbidden"]}


def test_a_member_of_an_enterprise_cannot_reverse_its_own_subsidy(make_user, office):
    # an administrator of the enterprise that got the grant is still not the office
    admin = make_user()
    programme, enrolment = _enrolled(office)
    add_member(enrolment.enterprise, admin, role=Role.ADMIN)
    grant = subsidy_grant(enrolment=enrolment, amount="5000", purpose="培训", actor=office)
    response = client_for(admin).post(f"/office/subsidies/{grant.pk}/cancel/", {"reason": "我们不要了"})
    assert response.status_code == 403
    grant.refresh_from_db()
    assert grant.status == "granted"


# ---- cancelling a grant ----------------------------------------------------------------------------


def test_cancelling_an_unpaid_grant_returns_it_to_the_budget(office):
    # given: ¥300,000 granted of ¥1,000,000
    programme, enrolment = _enrolled(office)
    grant = subsidy_grant(enrolment=enrolment, amount="300000", purpose="ERP 实施", actor=office)
    # a reason is required, on its field
    with pytest.raises(ValidationError) as caught:
        subsidy_cancel(subsidy=grant, actor=office, reason="  ")
    assert codes_by_field(caught.value) == {"reason": ["reason_required"]}
    # when: the office cancels it
    reversal = subsidy_cancel(subsidy=grant, actor=office, reason="企业未按期启动实施")
    # then: the grant keeps its amount, the cancellation says who, when and why, and the budget is back
    assert (reversal.kind, reversal.budget_returned, reversal.paid_back, reversal.reason, reversal.recorded_by,
            reversal.reversed_on) == ("cancellation", Decimal("300000.00"), Decimal("0"), "企业未按期启动实施", office,
                                      TODAY())
    grant.refresh_from_db()
    programme.refresh_from_db()
    assert (grant.amount, grant.returned_amount, grant.paid_amount, grant.outstanding, grant.status) == (
        Decimal("300000.00"), Decimal("300000.00"), Decimal("0.00"), Decimal("0.00"), "cancelled")
    assert (programme.granted_total, programme.paid_total, programme.remaining_budget) == (
        Decimal("0.00"), Decimal("0.00"), Decimal("1000000.00"))
    # cancelling again, or paying a cancelled grant, is refused
    with pytest.raises(ValidationError) as caught:
        subsidy_cancel(subsidy=grant, actor=office, reason="再次")
    assert codes_by_field(caught.value) == {"__all__": ["subsidy_cancelled"]}
    assert caught.value.messages == [f"This grant was cancelled on {TODAY().isoformat()}."]
    with pytest.raises(ValidationError) as caught:
        subsidy_pay(subsidy=grant, amount="1", actor=office)
    assert codes_by_field(caught.value) == {"__all__": ["subsidy_cancelled"]}
    # and the whole budget can be granted again
    subsidy_grant(enrolment=enrolment, amount="1000000", purpose="全部预算", actor=office)
    assert SubsidyReversal.objects.count() == 1


def test_cancelling_a_partly_paid_grant_returns_what_is_not_paid(office):
    programme, enrolment = _enrolled(office)
    grant = subsidy_grant(enrolment=enrolment, amount="300000", purpose="ERP 实施", actor=office)
    subsidy_pay(subsidy=grant, amount="100000", actor=office)
    reversal = subsidy_cancel(subsidy=grant, actor=office, reason="二期不再实施")
    assert reversal.budget_returned == Decimal("200000.00")
    programme.refresh_from_db()
    assert (programme.granted_total, programme.paid_total) == (Decimal("100000.00"), Decimal("100000.00"))
    # a fully paid grant has nothing to cancel: the money must be clawed back first
    other = subsidy_grant(enrolment=enrolment, amount="5000", purpose="培训", actor=office)
    subsidy_pay(subsidy=other, amount="5000", actor=office)
    with pytest.raises(ValidationError) as caught:
        subsidy_cancel(subsidy=other, actor=office, reason="x")
    assert codes_by_field(caught.value) == {"__all__": ["nothing_to_cancel"]}
    # a date before the grant, or in the future, is refused on its field
    third = subsidy_grant(enrolment=enrolment, amount="1000", purpose="咨询", actor=office, granted_on=TODAY())
    for day in (TODAY() - timedelta(days=1), TODAY() + timedelta(days=1)):
        with pytest.raises(ValidationError) as caught:
            subsidy_cancel(subsidy=third, actor=office, reason="x", reversed_on=day)
        assert codes_by_field(caught.value) == {"reversed_on": ["dates_invalid"]}


def test_the_enrolment_page_cancels_a_grant_after_asking(office):
    programme, enrolment = _enrolled(office, budget="500000.00")
    grant = subsidy_grant(enrolment=enrolment, amount="200000", purpose="ERP 实施", actor=office)
    client = client_for(office)
    url = f"/office/enrolments/{enrolment.pk}/"
    page = client.get(url).content.decode()
    cancel_form = page.split(f'id="cancel-{grant.pk}"', 1)[1].split("</form>", 1)[0]
    assert "data-confirm=" in cancel_form and 'name="reason"' in cancel_form
    # without a reason: refused next to that grant's reason, nothing written
    refused = client.post(f"/office/subsidies/{grant.pk}/cancel/", {"reason": "", "reversed_on": ""})
    assert refused.status_code == 400
    block = refused.content.decode().split(f'id="subsidy-{grant.pk}"', 1)[1]
    assert "Give the reason: it stays with the record." in block.split(f'id="cancel-{grant.pk}"', 1)[0]
    assert not SubsidyReversal.objects.exists()
    # with a reason: cancelled, and the page says so
    done = client.post(f"/office/subsidies/{grant.pk}/cancel/", {"reason": "企业放弃", "reversed_on": ""})
    assert (done.status_code, done["Location"]) == (302, url)
    page = client.get(url).content.decode()
    assert "Grant cancelled: ¥200,000.00 went back to the budget." in page
    assert f'id="cancel-{grant.pk}"' not in page  # no second cancellation offered
    rows = xlsx_rows(client.get(f"{url}?export=xlsx&table=enrolment-{enrolment.pk}-reversals"))
    assert rows[0] == ("Grant", "Reversal", "Date", "Paid back (CNY)", "Returned to the budget (CNY)", "Reason",
                       "Voucher / reference", "Recorded by", "Recorded at")
    assert rows[1][:2] == ("ERP 实施", "grant cancelled") and rows[1][3:8] == (0, 200000, "企业放弃", None,
                                                                              "office@office.test")


# ---- clawing back a payment ------------------------------------------------------------------------


def test_a_paid_grant_is_clawed_back_once_and_then_cancelled(office):
    # given: ¥300,000 granted, ¥100,000 paid
    programme, enrolment = _enrolled(office)
    grant = subsidy_grant(enrolment=enrolment, amount="300000", purpose="ERP 实施", actor=office)
    payment = subsidy_pay(subsidy=grant, amount="100000", actor=office, reference="慈财 2026-031")
    # more than was paid, or no reason, is refused on the field
    with pytest.raises(ValidationError) as caught:
        subsidy_payment_reverse(subsidy=grant, actor=office, reason="退出", amount="100000.01")
    assert codes_by_field(caught.value) == {"amount": ["reversal_exceeded"]}
    assert caught.value.message_dict["amount"] == ["¥100,000.01 is more than the ¥100,000.00 paid on this grant."]
    with pytest.raises(ValidationError) as caught:
        subsidy_payment_reverse(subsidy=grant, actor=office, reason="")
    assert codes_by_field(caught.value) == {"reason": ["reason_required"]}
    # when: the enterprise dropped out and paid everything back
    clawback = subsidy_payment_reverse(subsidy=grant, actor=office, reason="企业退出试点，款项已退回",
                                       reference="退库 2026-007")
    # then: the payment stays on record, the clawback is a record of its own, and paid is back to 0;
    # the grant still stands (its ¥300,000 is due again until it is cancelled)
    assert (clawback.kind, clawback.paid_back, clawback.budget_returned, clawback.reference) == (
        "clawback", Decimal("100000.00"), Decimal("0"), "退库 2026-007")
    payment.refresh_from_db()
    grant.refresh_from_db()
    programme.refresh_from_db()
    assert payment.amount == Decimal("100000.00")
    assert (grant.paid_amount, grant.outstanding, grant.status) == (Decimal("0.00"), Decimal("300000.00"), "granted")
    assert (programme.granted_total, programme.paid_total) == (Decimal("300000.00"), Decimal("0.00"))
    # reversing twice is refused
    with pytest.raises(ValidationError) as caught:
        subsidy_payment_reverse(subsidy=grant, actor=office, reason="再次追回")
    assert codes_by_field(caught.value) == {"__all__": ["nothing_to_reverse"]}
    # and cancelling the grant returns all of it to the budget
    subsidy_cancel(subsidy=grant, actor=office, reason="企业退出试点")
    programme.refresh_from_db()
    assert (programme.granted_total, programme.paid_total, programme.remaining_budget) == (
        Decimal("0.00"), Decimal("0.00"), Decimal("1000000.00"))
    assert list(grant.reversals.order_by("id").values_list("kind", "paid_back", "budget_returned")) == [
        ("clawback", Decimal("100000.00"), Decimal("0.00")), ("cancellation", Decimal("0.00"), Decimal("300000.00"))]


def test_a_clawback_on_a_cancelled_grant_goes_back_to_the_budget(office):
    # given: ¥300,000 granted, ¥100,000 paid, the rest cancelled
    programme, enrolment = _enrolled(office)
    grant = subsidy_grant(enrolment=enrolment, amount="300000", purpose="ERP 实施", actor=office)
    subsidy_pay(subsidy=grant, amount="100000", actor=office)
    subsidy_cancel(subsidy=grant, actor=office, reason="二期取消")
    # when: the enterprise pays back ¥40,000 of what it got
    clawback = subsidy_payment_reverse(subsidy=grant, actor=office, reason="验收未通过，部分退回", amount="40000")
    # then: the grant is closed, so the money goes back to the budget
    assert (clawback.paid_back, clawback.budget_returned) == (Decimal("40000.00"), Decimal("40000.00"))
    grant.refresh_from_db()
    programme.refresh_from_db()
    assert (grant.paid_amount, grant.returned_amount, grant.outstanding) == (
        Decimal("60000.00"), Decimal("240000.00"), Decimal("0.00"))
    assert (programme.granted_total, programme.paid_total) == (Decimal("60000.00"), Decimal("60000.00"))


def test_the_enrolment_page_records_a_clawback(office):
    programme, enrolment = _enrolled(office)
    grant = subsidy_grant(enrolment=enrolment, amount="80000", purpose="培训", actor=office)
    subsidy_pay(subsidy=grant, amount="80000", actor=office)
    client = client_for(office)
    url = f"/office/enrolments/{enrolment.pk}/"
    clawback_form = client.get(url).content.decode().split(f'id="clawback-{grant.pk}"', 1)[1].split("</form>", 1)[0]
    assert "data-confirm=" in clawback_form and 'value="80000.00"' in clawback_form
    over = client.post(f"/office/subsidies/{grant.pk}/clawback/", {"amount": "90000", "reason": "退出"})
    assert over.status_code == 400 and "¥90,000.00 is more than the ¥80,000.00 paid on this grant." in (
        over.content.decode())
    done = client.post(f"/office/subsidies/{grant.pk}/clawback/", {"amount": "30000", "reason": "退出",
                                                                   "reference": "R-1", "reversed_on": ""})
    assert (done.status_code, done["Location"]) == (302, url)
    assert "Clawback of ¥30,000.00 recorded." in client.get(url).content.decode()
    grant.refresh_from_db()
    assert (grant.paid_amount, grant.outstanding) == (Decimal("50000.00"), Decimal("30000.00"))


# ---- the figures count the reversals --------------------------------------------------------------


def test_totals_after_reversals_on_the_pages_in_the_exports_and_in_the_report(make_user, office):
    # given: ¥1,000,000; grant A ¥300,000 paid ¥100,000, clawed back and cancelled; grant B ¥200,000 paid
    # ¥50,000; grant C ¥120,000 unpaid, cancelled
    owner = make_user()
    programme, enrolment = _enrolled(office, code="erp-totals")
    add_member(enrolment.enterprise, owner, role=Role.OWNER)
    a = subsidy_grant(enrolment=enrolment, amount="300000", purpose="A", actor=office)
    b = subsidy_grant(enrolment=enrolment, amount="200000", purpose="B", actor=office)
    c = subsidy_grant(enrolment=enrolment, amount="120000", purpose="C", actor=office)
    subsidy_pay(subsidy=a, amount="100000", actor=office)
    subsidy_pay(subsidy=b, amount="50000", actor=office)
    subsidy_payment_reverse(subsidy=a, actor=office, reason="退出")
    subsidy_cancel(subsidy=a, actor=office, reason="退出")
    subsidy_cancel(subsidy=c, actor=office, reason="重复拨付")
    client = client_for(office)
    # then: granted ¥200,000, paid ¥50,000, ¥800,000 left, on the dashboard card ...
    dashboard = client.get("/office/").content.decode()
    card = dashboard.split('data-programme="erp-totals"', 1)[1].split('data-programme=', 1)[0]
    assert '<span class="granted-figure">¥200,000.00</span>' in card
    assert '<span class="paid-figure">¥50,000.00</span>' in card
    assert '<span class="remaining-figure">¥800,000.00</span>' in card
    # ... in the programmes export ...
    rows = xlsx_rows(client.get("/office/?export=xlsx&table=programmes"))
    header, row = rows[0], next(r for r in rows if r[0] == programme.name)
    assert header[-4:] == ("Budget (CNY)", "Granted (CNY)", "Paid (CNY)", "Remaining (CNY)")
    assert row[-4:] == (1000000, 200000, 50000, 800000)
    # ... on the programme page and its subsidies export ...
    page = client.get("/office/programmes/erp-totals/").content.decode()
    assert 'id="granted-total">¥200,000.00<' in page and 'id="remaining-budget">¥800,000.00<' in page
    assert 'id="paid-total">¥50,000.00<' in page
    rows = xlsx_rows(client.get("/office/programmes/erp-totals/?export=xlsx&table=erp-totals-subsidies"))
    assert rows[0][3:] == ("Granted (CNY)", "Returned to the budget (CNY)", "Paid (CNY)", "Still to pay (CNY)",
                           "Status")
    assert sorted(r[1:2] + r[3:] for r in rows[1:]) == [
        ("A", 300000, 300000, 0, 0, "cancelled"), ("B", 200000, 0, 50000, 150000, "granted"),
        ("C", 120000, 120000, 0, 0, "cancelled")]
    rows = xlsx_rows(client.get("/office/programmes/erp-totals/?export=xlsx&table=erp-totals-reversals"))
    assert sorted((r[1], r[2], r[4], r[5]) for r in rows[1:]) == [
        ("A", "grant cancelled", 0, 300000), ("A", "payment reversed (clawback)", 100000, 0),
        ("C", "grant cancelled", 0, 120000)]
    # ... on the enterprise's own page ...
    slug = enrolment.enterprise.slug
    rows = xlsx_rows(client_for(owner).get(f"/office/my/{slug}/?export=xlsx&table=my-programmes-{slug}"))
    assert rows[1][-2:] == (200000, 50000)
    # ... and in the monthly report (this month: the flows both ways)
    report = next(r for r in report_data(month=TODAY()).programmes if r["name"] == programme.name)
    assert {k: report[k] for k in ("budget", "granted", "paid", "remaining", "granted_in_month", "paid_in_month",
                                   "returned_in_month", "paid_back_in_month")} == {
        "budget": Decimal("1000000.00"), "granted": Decimal("200000.00"), "paid": Decimal("50000.00"),
        "remaining": Decimal("800000.00"), "granted_in_month": Decimal("620000.00"),
        "paid_in_month": Decimal("150000.00"), "returned_in_month": Decimal("420000.00"),
        "paid_back_in_month": Decimal("100000.00")}
    programme.refresh_from_db()
    assert (programme.granted_total, programme.paid_total) == (Decimal("200000.00"), Decimal("50000.00"))


def test_the_database_refuses_a_cancelled_grant_that_does_not_add_up(office):
    from django.db import IntegrityError, transaction

    _programme, enrolment = _enrolled(office)
    grant = subsidy_grant(enrolment=enrolment, amount="1000", purpose="x", actor=office)
    with pytest.raises(IntegrityError), transaction.atomic():
        Subsidy.objects.filter(pk=grant.pk).update(status="cancelled")  # nothing returned, nothing paid
    with pytest.raises(IntegrityError), transaction.atomic():
        Subsidy.objects.filter(pk=grant.pk).update(returned_amount=Decimal("1000.01"))


# ---- concurrency -----------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_cancelling_and_granting_at_the_same_time_never_exceed_the_budget(office):
    # given: ¥100,000 of budget, all of it granted in four grants of ¥25,000
    programme, enrolment = _enrolled(office, budget="100000.00")
    grants = [subsidy_grant(enrolment=enrolment, amount="25000", purpose=f"原拨付 {n}", actor=office)
              for n in range(4)]
    # ten office windows at the same moment: four cancel a grant each, one cancels the first grant again,
    # five grant ¥25,000 more
    jobs = [("cancel", g) for g in grants] + [("cancel", grants[0])] + [("grant", None)] * 5
    start = threading.Barrier(len(jobs))
    outcomes: list[tuple[str, str]] = []
    lock = threading.Lock()

    def run(action: str, grant) -> None:
        try:
            start.wait()
            if action == "cancel":
                subsidy_cancel(subsidy=grant, actor=office, reason="并发撤销")
                result = "cancelled"
            else:
                subsidy_grant(enrolment=enrolment, amount="25000", purpose="并发拨付", actor=office)
                result = "granted"
        except ValidationError as exc:
            result = next(iter(codes_by_field(exc).values()))[0]
        finally:
            connection.close()
        with lock:
            outcomes.append((action, result))

    threads = [threading.Thread(target=run, args=job) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    # then: every grant is cancelled exactly once, the new grants fit into what the cancellations freed,
    # never more, and the running total agrees with the rows
    assert len(outcomes) == 10
    assert sorted(r for a, r in outcomes if a == "cancel") == ["cancelled"] * 4 + ["subsidy_cancelled"]
    granted = sum(1 for a, r in outcomes if a == "grant" and r == "granted")
    assert sorted(r for a, r in outcomes if a == "grant") == ["budget_exceeded"] * (5 - granted) + (
        ["granted"] * granted)
    assert 0 <= granted <= 4
    programme = Programme.objects.get(pk=programme.pk)
    assert programme.granted_total == Decimal("25000.00") * granted <= programme.budget
    assert sum(s.amount - s.returned_amount for s in Subsidy.objects.filter(programme=programme)) == (
        programme.granted_total)
    assert SubsidyReversal.objects.filter(kind="cancellation").count() == 4


def test_a_clawback_or_cancellation_cannot_be_dated_before_the_payment(office):
    # given: granted 60 days ago, 40,000 paid 5 days ago
    today = TODAY()
    programme = make_programme(budget=Decimal("1000000.00"))
    enrolment = enrolment_enrol(programme=programme, enterprise=registry_enterprise(), actor=office)
    grant = subsidy_grant(enrolment=enrolment, amount="100000", purpose="软件", actor=office,
                          granted_on=today - timedelta(days=60))
    subsidy_pay(subsidy=grant, amount="40000", actor=office, paid_on=today - timedelta(days=5))
    # when / then: a clawback dated before the payment would leave a day with less than nothing paid
    with pytest.raises(ValidationError) as exc:
        subsidy_payment_reverse(subsidy=grant, actor=office, reason="退出", reversed_on=today - timedelta(days=50))
    assert codes_by_field(exc.value) == {"reversed_on": ["dates_invalid"]}
    with pytest.raises(ValidationError) as exc:
        subsidy_cancel(subsidy=grant, actor=office, reason="退出", reversed_on=today - timedelta(days=10))
    assert codes_by_field(exc.value) == {"reversed_on": ["dates_invalid"]}
    assert not SubsidyReversal.objects.exists()
    # a clawback after the payment is fine; another one dated before the payment is not
    subsidy_payment_reverse(subsidy=grant, actor=office, reason="退出", amount="30000", reversed_on=today)
    with pytest.raises(ValidationError) as exc:
        subsidy_payment_reverse(subsidy=grant, actor=office, reason="退出", amount="5000",
                                reversed_on=today - timedelta(days=10))
    assert codes_by_field(exc.value) == {"reversed_on": ["dates_invalid"]}
    subsidy_payment_reverse(subsidy=grant, actor=office, reason="退出", amount="5000",
                            reversed_on=today - timedelta(days=2))
    grant.refresh_from_db()
    assert grant.paid_amount == Decimal("5000")


def test_a_pdm_programmes_own_pdm_criteria_survive_an_edit(office):
    # given: a PDM programme whose criteria ask for 20 parts under revision control and 2 ECOs in 90 days
    programme = make_programme(code="pdm-edit", module="pdm", criteria={"min_parts_under_revision": 20,
                                                                        "min_ecos_completed_90d": 2})
    client = client_for(office)
    form = client.get("/office/programmes/pdm-edit/edit/").content.decode()
    assert 'name="min_parts_under_revision"' in form and 'value="20"' in form
    # when: the office edits the programme and sets the documents figure too
    response = client.post("/office/programmes/pdm-edit/edit/", _form(
        code="pdm-edit", module="pdm", min_active_users_30d="", min_documents_per_month="", consecutive_months="",
        document_kinds=[], min_completeness_pct="", min_parts_under_revision="20", min_vault_documents="8",
        min_ecos_completed_90d="2"))
    # then: the PDM figures are kept and the new one is saved
    assert response.status_code == 302
    programme.refresh_from_db()
    assert programme.criteria == {"min_parts_under_revision": 20, "min_vault_documents": 8,
                                  "min_ecos_completed_90d": 2}
