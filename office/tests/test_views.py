"""Only the office reaches the office pages; members reach their own enterprise's page; the
office enrols, decides applications, records milestones and subsidies; every table exports."""

import io
from datetime import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from office.models import Enrolment, Milestone, Subsidy
from office.services import enrolment_enrol
from office.tests.builders import add_member, client_for, make_programme, put_snapshot
from tenants.models import Role

OFFICE_PAGES = ["/office/", "/office/city/", "/office/reports/"]


def _rows(response) -> list[tuple]:
    assert response["Content-Type"].startswith("application/vnd.openxmlformats"), response.status_code
    return list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))


def test_only_office_users_reach_the_office_pages(make_enterprise, make_user, office):
    # given: an enterprise owner, a platform administrator and the office; an enterprise not enrolled
    owner = make_user()
    enterprise = make_enterprise(owner=owner, slug="views-a")
    admin = make_user(platform_role="platform_admin")
    programme = make_programme()
    pages = OFFICE_PAGES + [f"/office/programmes/{programme.code}/"]
    # then: anonymous visitors are sent to log in, members are refused, the office and admins get in
    for url in pages:
        response = client_for().get(url)
        assert (response.status_code, response["Location"]) == (302, f"/login/?next={url.replace('/', '%2F')}")
        refused = client_for(owner).get(url)
        assert refused.status_code == 403 and b'id="office-forbidden"' in refused.content
        assert client_for(office).get(url).status_code == 200, url
        assert client_for(admin).get(url).status_code == 200, url
    # a member cannot export an office table either
    assert client_for(owner).get("/office/?export=xlsx&table=enrolled-enterprises").status_code == 403
    # the office sees an enterprise's own figures only once it is enrolled
    assert client_for(office).get(f"/office/enterprises/{enterprise.pk}/").status_code == 404
    enrolment_enrol(programme=programme, enterprise=enterprise, actor=office)
    assert client_for(office).get(f"/office/enterprises/{enterprise.pk}/").status_code == 200
    assert client_for(owner).get(f"/office/enterprises/{enterprise.pk}/").status_code == 403
    # the office is not a member: an enterprise's own page does not exist for it
    assert client_for(office).get("/office/my/views-a/").status_code == 404
    # and on an enterprise's host there is no office at all
    assert client_for(owner).get("/office/", HTTP_HOST="views-a.localhost").status_code == 404


def test_the_office_enrols_an_enterprise_and_exports_the_list(make_enterprise, office):
    # given: a programme and an enterprise with figures
    programme = make_programme(code="erp-views", criteria={"min_active_users_30d": 1})
    enterprise = make_enterprise(slug="views-b", town="周巷镇")
    put_snapshot(enterprise, timezone.localdate(), users=2, documents=5)
    client = client_for(office)
    # when: the office enrols it from the programme page
    response = client.post(f"/office/programmes/{programme.code}/enrol/", {"enterprise": enterprise.pk,
                                                                           "note": "首批"})
    # then: it is enrolled, evaluated straight away from its latest figures, and listed
    assert response.status_code == 302
    enrolment = Enrolment.objects.get(programme=programme, enterprise=enterprise)
    assert (enrolment.status, enrolment.decided_by, enrolment.adoption_status) == ("enrolled", office, "adopted")
    dashboard = client.get("/office/").content.decode()
    assert enterprise.name in dashboard
    rows = _rows(client.get("/office/?export=xlsx&table=enrolled-enterprises"))
    assert rows[0] == ("Enterprise", "Programme", "Industry", "Town", "Annual sales", "Enrolled on", "Adoption",
                       "Why", "Figures of")
    assert rows[1][0] == enterprise.name and rows[1][1] == programme.name and rows[1][3] == "周巷镇"
    assert rows[1][6:8] == ("adopted", "2 active users in 30 days (needs 1)")
    programmes = _rows(client.get("/office/?export=xlsx&table=programmes"))
    assert programme.name in [r[0] for r in programmes]
    # enrolling it twice is refused next to the field
    again = client.post(f"/office/programmes/{programme.code}/enrol/", {"enterprise": enterprise.pk})
    assert again.status_code == 400
    assert "Select a valid choice" in again.content.decode()  # an enrolled enterprise is no longer offered


def test_an_owner_applies_a_clerk_cannot_and_the_office_decides(make_enterprise, make_user, office):
    # given: an enterprise with an owner and a clerk, an open programme
    owner, clerk = make_user(), make_user()
    enterprise = make_enterprise(owner=owner, slug="views-c")
    add_member(enterprise, clerk, role=Role.CLERK)
    programme = make_programme()
    # when: the clerk tries to apply, then the owner applies
    assert client_for(clerk).post("/office/my/views-c/apply/", {"programme": programme.pk}).status_code == 403
    page = client_for(clerk).get("/office/my/views-c/").content.decode()
    assert 'id="apply-form"' not in page
    response = client_for(owner).post("/office/my/views-c/apply/", {"programme": programme.pk, "note": "想上 ERP"})
    assert response.status_code == 302
    enrolment = Enrolment.objects.get(programme=programme, enterprise=enterprise)
    assert (enrolment.status, enrolment.applied_by, enrolment.note) == ("applied", owner, "想上 ERP")
    # then: the office sees the application and approves it
    detail = client_for(office).get(f"/office/programmes/{programme.code}/").content.decode()
    assert enterprise.name in detail
    assert client_for(office).post(f"/office/enrolments/{enrolment.pk}/decide/",
                                {"decision": "approve"}).status_code == 302
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.decided_by, enrolment.enrolled_on) == (
        "enrolled", office, timezone.localdate())
    # and the owner sees it on the enterprise's own page
    assert "enrolled" in client_for(owner).get("/office/my/views-c/").content.decode()


def test_milestones_and_subsidies_from_the_enrolment_page(make_enterprise, office):
    programme = make_programme(budget=Decimal("500000.00"))
    enrolment = enrolment_enrol(programme=programme, enterprise=make_enterprise(slug="views-d"), actor=office)
    client = client_for(office)
    url = f"/office/enrolments/{enrolment.pk}/"
    today = timezone.localdate().isoformat()
    assert client.post(url + "milestones/", {"kind": "kickoff", "planned_on": "2026-01-10", "done_on": today,
                                             "note": "启动会"}).status_code == 302
    assert client.post(url + "milestones/", {"kind": "go_live", "planned_on": "2026-06-30"}).status_code == 302
    assert list(Milestone.objects.filter(enrolment=enrolment).order_by("kind").values_list("kind", "note")) == [
        ("go_live", ""), ("kickoff", "启动会")]
    assert client.post(url + "subsidies/", {"amount": "300000", "purpose": "ERP 实施",
                                            "granted_on": today}).status_code == 302
    over = client.post(url + "subsidies/", {"amount": "200000.01", "purpose": "二期", "granted_on": today})
    assert over.status_code == 400 and "is more than the ¥200,000.00 left" in over.content.decode()
    subsidy = Subsidy.objects.get()
    assert client.post(f"/office/subsidies/{subsidy.pk}/pay/", {"amount": "100000", "paid_on": today,
                                                               "reference": "V-1"}).status_code == 302
    subsidy.refresh_from_db()
    assert subsidy.paid_amount == Decimal("100000.00")
    rows = _rows(client.get(url + f"?export=xlsx&table=enrolment-{enrolment.pk}-subsidies"))
    assert rows[1][:2] == (enrolment.enterprise.name, "ERP 实施")
    assert rows[1][3:] == (300000, 0, 100000, 200000, "granted")  # granted, returned, paid, still to pay, status
    programme_rows = _rows(client.get(f"/office/programmes/{programme.code}/?export=xlsx&table="
                                      f"{programme.code}-subsidies"))
    assert programme_rows[1][0] == enrolment.enterprise.name


@pytest.mark.parametrize("path", ["/office/enterprises/{pk}/", "/office/my/{slug}/"])
def test_the_daily_figures_table_exports(path, make_enterprise, make_user, office):
    owner = make_user()
    enterprise = make_enterprise(owner=owner, slug="views-e")
    enrolment_enrol(programme=make_programme(), enterprise=enterprise, actor=office)
    put_snapshot(enterprise, timezone.localdate(), users=3, documents=12, completeness="66.7")
    viewer = office if "enterprises" in path else owner
    url = path.format(pk=enterprise.pk, slug=enterprise.slug)
    name = f"figures-{enterprise.slug}" if "enterprises" in path else f"my-figures-{enterprise.slug}"
    rows = _rows(client_for(viewer).get(f"{url}?export=xlsx&table={name}"))
    assert rows[0][:5] == ("Day", "Active users (7 days)", "Active users (30 days)", "Documents (7 days)",
                           "Documents (30 days)")
    assert rows[1][2] == 3 and rows[1][4] == 12 and rows[1][-1] == 66.7


def test_the_programme_milestones_evaluations_and_own_programmes_export(make_enterprise, make_user, office):
    # given: an enrolled enterprise with two milestones, a grant and an evaluation
    owner = make_user()
    enterprise = make_enterprise(owner=owner, slug="views-f")
    programme = make_programme(code="erp-mile", criteria={"min_active_users_30d": 3})
    enrolment = enrolment_enrol(programme=programme, enterprise=enterprise, actor=office)
    from datetime import date

    from office.services import adoption_record_write, milestone_record, subsidy_grant

    milestone_record(enrolment=enrolment, kind="kickoff", actor=office, planned_on=date(2026, 1, 5),
                     done_on=date(2026, 1, 6))
    milestone_record(enrolment=enrolment, kind="go_live", actor=office, planned_on=date(2026, 5, 1))
    subsidy_grant(enrolment=enrolment, amount="50000", purpose="培训", actor=office)
    adoption_record_write(enrolment=enrolment, snapshot=put_snapshot(enterprise, timezone.localdate(), users=1,
                                                                     documents=3))
    # then: each table downloads with its own rows
    rows = _rows(client_for(office).get(f"/office/programmes/{programme.code}/?export=xlsx&table=erp-mile-milestones"))
    assert rows == [("Enterprise", "kick-off", "training", "go-live", "acceptance"),
                    (enterprise.name, datetime(2026, 1, 6), None, "planned 2026-05-01", None)]
    rows = _rows(client_for(office).get(f"/office/enrolments/{enrolment.pk}/?export=xlsx&table="
                                     f"enrolment-{enrolment.pk}-evaluations"))
    assert rows[1][1:] == ("at risk", "1 active user in 30 days (needs 3)")
    rows = _rows(client_for(owner).get("/office/my/views-f/?export=xlsx&table=my-programmes-views-f"))
    assert rows[1] == (programme.name, "enrolled", "at risk", "1 active user in 30 days (needs 3)",
                       "kick-off 2026-01-06", 50000, 0)


def test_a_table_reload_by_htmx_does_not_swallow_the_flash_message(make_enterprise, office):
    # core's table toolbar reloads on any select's change, e.g. while the enrol form is being filled in
    programme = make_programme(code="erp-htmx")
    enterprise = make_enterprise(slug="views-g")
    client = client_for(office)
    client.post(f"/office/programmes/{programme.code}/enrol/", {"enterprise": enterprise.pk})
    partial = client.get(f"/office/programmes/{programme.code}/", HTTP_HX_REQUEST="true")
    assert partial.status_code == 200
    page = client.get(f"/office/programmes/{programme.code}/").content.decode()
    assert f"{enterprise.name} is enrolled in {programme.name}." in page
