"""The demo hook enrols the demo enterprises once and every office page renders with it."""

from django.test import Client

from office.demo import seed_programme_demo
from office.models import AdoptionSnapshot, Enrolment, Subsidy
from tenants.models import Membership


def test_the_programme_demo_builds_once_and_the_office_pages_render(make_enterprise, make_user):
    office = make_user(email="office@cixi.demo", platform_role="office")
    make_enterprise(slug="ruifeng", industry="3854", sales_band="20m_100m", town="观海卫镇")
    make_enterprise(slug="yongsheng", industry="3451", sales_band="5m_20m", town="周巷镇")
    make_enterprise(slug="jinxiu", industry="1712", owner=make_user(email="owner@jinxiu.demo"), town="宗汉街道")
    assert seed_programme_demo() is True
    assert seed_programme_demo() is False
    assert sorted(Enrolment.objects.values_list("enterprise__slug", "programme__code", "status")) == [
        ("jinxiu", "pdm-demo", "applied"), ("ruifeng", "erp-pilot", "enrolled"),
        ("ruifeng", "over-20m", "enrolled"), ("yongsheng", "logistics", "enrolled")]
    assert Subsidy.objects.get().paid_amount == 150000
    assert AdoptionSnapshot.objects.count() == 3
    client = Client()
    client.force_login(office)
    erp = Enrolment.objects.get(programme__code="erp-pilot")
    for url in ["/office/", "/office/city/", "/office/reports/", "/office/programmes/erp-pilot/",
                "/office/programmes/over-20m/", f"/office/enrolments/{erp.pk}/",
                f"/office/enterprises/{erp.enterprise_id}/"]:
        assert client.get(url).status_code == 200, url
    owner = Membership.objects.get(enterprise__slug="jinxiu", role="owner").user
    client.force_login(owner)
    assert client.get("/office/my/jinxiu/").status_code == 200
