"""Privacy: the office sees enrolled enterprises one by one and everyone else only in groups of at
least 5 enterprises it cannot see individually; an enterprise sees only its own figures."""

import io

from django.test import Client, override_settings
from django.utils import timezone
from openpyxl import load_workbook

from office import selectors
from office.models import Enrolment
from office.services import enrolment_enrol
from office.tests.builders import make_programme, put_snapshot, registry_enterprise

def _city(groups: dict[tuple[str, str], int]) -> dict[tuple[str, str], list]:
    """groups: (industry, town) -> number of enterprises, each with 10 documents and 2 users today."""
    today = timezone.localdate()
    made = {}
    for (industry, town), n in groups.items():
        made[(industry, town)] = []
        for _ in range(n):
            enterprise = registry_enterprise(industry=industry, town=town)
            put_snapshot(enterprise, today, users=2, documents=10, completeness="50")
            made[(industry, town)].append(enterprise)
    return made


def test_small_groups_are_suppressed_and_left_out_of_the_total(db):
    # given: 6 appliance makers in one town, 3 textile mills in another, nobody enrolled
    _city({("3854", "观海卫镇"): 6, ("1712", "宗汉街道"): 3})
    # when: the office looks at the city by industry and by town
    sectors = selectors.city_figures(by="sector")
    towns = selectors.city_figures(by="town")
    # then: the group of 6 is shown, the group of 3 is suppressed and left out of the total
    assert [(r.label, r.enterprises, r.documents_30d, r.suppressed) for r in sectors.rows] == [
        ("Household electrical appliances", 6, 60, False), ("Other groups", None, None, True)]
    assert (sectors.total.label, sectors.total.enterprises, sectors.total.documents_30d) == (
        "Total of the enterprises shown", 6, 60)
    assert sectors.note == ("3 enterprises sit in groups (by industry or by town) with fewer than 5 enterprises "
                            "that are not enrolled: they are left out of every figure here.")
    assert [(r.label, r.enterprises, r.suppressed) for r in towns.rows] == [
        ("观海卫镇", 6, False), ("Other groups", None, True)]
    assert towns.total.enterprises == 6


def test_a_small_group_in_one_dimension_is_left_out_of_every_table(db):
    # given: 6 appliance makers, 5 in one town and 1 alone in another
    _city({("3854", "观海卫镇"): 5, ("3854", "逍林镇"): 1})
    sectors = selectors.city_figures(by="sector")
    towns = selectors.city_figures(by="town")
    # then: the lone one is missing from the industry row too, so industry minus town reveals nothing
    assert [(r.label, r.enterprises) for r in sectors.rows if not r.suppressed] == [
        ("Household electrical appliances", 5)]
    assert [(r.label, r.enterprises) for r in towns.rows if not r.suppressed] == [("观海卫镇", 5)]
    assert sectors.total.enterprises == towns.total.enterprises == 5
    assert sectors.suppressed_enterprises == towns.suppressed_enterprises == 1
    # and the city chart counts the same five
    series = selectors.city_activity_series(days=3)
    assert series["series"][0]["values"][-1] == 5


def test_enrolled_enterprises_do_not_count_towards_the_five(office):
    # given: 5 textile mills, 2 of them enrolled: only 3 the office cannot see one by one
    made = _city({("1712", "宗汉街道"): 5})
    programme = make_programme()
    mills = made[("1712", "宗汉街道")]
    for mill in mills[:2]:
        enrolment_enrol(programme=programme, enterprise=mill, actor=office)
    # then: the group is suppressed (its figures minus the two visible ones would reveal three)
    assert selectors.city_figures(by="sector").rows[0].suppressed is True
    # and once all five are enrolled, there is nothing left to hide
    for mill in mills[2:]:
        enrolment_enrol(programme=programme, enterprise=mill, actor=office)
    row = selectors.city_figures(by="sector").rows[0]
    assert (row.suppressed, row.enterprises) == (False, 5)


def test_the_city_page_and_its_export_show_the_note_not_the_suppressed_figures(office):
    _city({("3854", "观海卫镇"): 5, ("3451", "周巷镇"): 2})
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(office)
    page = client.get("/office/city/").content.decode()
    assert "suppressed: fewer than 5 enterprises" in page and 'id="town-note"' in page
    assert "周巷镇" not in page  # the small town is not even named
    export = client.get("/office/city/?export=xlsx&table=city-by-town")
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("Town", "Enterprises", "Active (30 days)")
    assert rows[1][:3] == ("观海卫镇", 5, 5)
    assert rows[2][:3] == ("Other groups", "suppressed: fewer than 5 enterprises", None)
    assert rows[3][:2] == ("Total of the enterprises shown", 5)


def test_an_enterprise_sees_only_its_own_figures(make_enterprise, make_user):
    # given: two enterprises with figures; the owner of A
    owner_a = make_user()
    today = timezone.localdate()
    a = make_enterprise(owner=owner_a, slug="own-a", industry="3854")
    b = make_enterprise(slug="own-b", industry="3854")
    put_snapshot(a, today, users=4, documents=37)
    put_snapshot(b, today, users=9, documents=912)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(owner_a)
    # when / then: A's page shows A's figures, B's page does not exist for A's owner
    page = client.get("/office/my/own-a/").content.decode()
    assert ">37<" in page and "912" not in page
    assert client.get("/office/my/own-b/").status_code == 404
    export = client.get("/office/my/own-a/?export=xlsx&table=my-figures-own-a")
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert [r[4] for r in rows[1:]] == [37]
    # and the sector benchmark needs at least 5 other enterprises (here: one)
    assert selectors.own_benchmark(enterprise=a) is None
    assert "Figures of your industry are shown once at least 5 other enterprises" in page


def test_the_sector_benchmark_appears_with_five_others(db):
    made = _city({("3854", "观海卫镇"): 6})
    benchmark = selectors.own_benchmark(enterprise=made[("3854", "观海卫镇")][0])
    assert (benchmark.enterprises, benchmark.active_pct, benchmark.documents_per_enterprise) == (6, 100, 10)


@override_settings(ROOT_URLCONF="office.tests.urls_tenant_host")
def test_on_its_own_host_an_enterprise_sees_its_figures_and_applies(make_enterprise, make_user):
    # given: two enterprises with figures, mounted as config/urls_tenants.py is asked to mount the page
    owner_a, owner_b = make_user(), make_user()
    a = make_enterprise(owner=owner_a, slug="host-a")
    make_enterprise(owner=owner_b, slug="host-b")
    put_snapshot(a, timezone.localdate(), users=4, documents=37)
    programme = make_programme()
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(owner_a)
    # when / then: A's owner sees A's figures on A's host and applies from there
    page = client.get("/programmes/", HTTP_HOST="host-a.localhost")
    assert page.status_code == 200 and ">37<" in page.content.decode()
    response = client.post("/programmes/apply/", {"programme": programme.pk}, HTTP_HOST="host-a.localhost")
    assert (response.status_code, response["Location"]) == (302, "/programmes/")
    assert Enrolment.objects.get(enterprise=a).status == "applied"
    # and B's host is not A's owner's to look at
    assert client.get("/programmes/", HTTP_HOST="host-b.localhost").status_code == 404
