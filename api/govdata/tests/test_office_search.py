"""The office's government-data page: search by credit code (full, partial, as typed) or name, paged,
with the registry status and the credit badge; developer details only on the platform page."""

import pytest

from api.govdata.models import SyncRun
from api.govdata.selectors import enterprise_search_codes
from api.govdata.services import file_import
from api.govdata.tests.conftest import USCC_A, USCC_B, USCC_C, csv_bytes

HOST = {"HTTP_HOST": "localhost"}
REGISTRY = csv_bytes([["uniscid", "entname", "regstate"], [USCC_A, "慈溪市美厨电器有限公司", "存续"],
                      [USCC_B, "慈溪市老厂轴承有限公司", "吊销，未注销"]])


@pytest.fixture
def office_client(make_user):
    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(make_user(email="clerk@office.test", platform_role="office"))
    return client


@pytest.fixture
def admin_client(make_user):
    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(make_user(email="root@platform.test", platform_role="platform_admin"))
    return client


def _codes(page: str) -> list[str]:
    import re

    return re.findall(r'<tr data-uscc="([0-9A-Z]{18})"', page)


def test_search_by_full_code_as_typed_in_full_width(office_client, db):
    file_import(content=REGISTRY, filename="registry.csv")
    typed = "".join(chr(ord(c) + 0xFEE0) for c in USCC_A[:6]) + "－" + USCC_A[6:].lower()
    page = office_client.get("/govdata/", {"q": typed}, **HOST).content.decode()
    assert _codes(page.split('id="govdata-results"')[1].split("</table>")[0]) == [USCC_A]
    assert f'href="/govdata/enterprises/{USCC_A}/"' in page and "存续" in page


def test_search_by_partial_code_and_by_name(office_client, db):
    file_import(content=REGISTRY, filename="registry.csv")
    results = office_client.get("/govdata/", {"q": USCC_B[8:14]}, **HOST).content.decode()
    table = results.split('id="govdata-results"')[1].split("</table>")[0]
    assert _codes(table) == [USCC_B]
    assert 'class="badge text-bg-danger">吊销，未注销<' in table  # registry status
    assert "Credit alert" in table  # the credit badge
    by_name = office_client.get("/govdata/", {"q": "美厨"}, **HOST).content.decode()
    assert _codes(by_name.split('id="govdata-results"')[1].split("</table>")[0]) == [USCC_A]
    nothing = office_client.get("/govdata/", {"q": "没有这家"}, **HOST).content.decode()
    assert 'id="govdata-no-results"' in nothing and 'id="govdata-results"' not in nothing


def test_search_finds_an_enterprise_on_the_platform_without_registry_data(office_client, make_enterprise):
    make_enterprise(slug="xinchang", uscc=USCC_C, name="慈溪市新厂模具有限公司")
    page = office_client.get("/govdata/", {"q": "新厂模具"}, **HOST).content.decode()
    table = page.split('id="govdata-results"')[1].split("</table>")[0]
    assert _codes(table) == [USCC_C] and "no registry record" in table and "No credit data" in table


def test_search_is_paged(office_client, db):
    from core.uscc import uscc_make

    rows = [["uniscid", "entname", "regstate"]] + [
        [uscc_make(org_body=f"MA2H{n:04d}"), f"慈溪市分页{n:02d}电器有限公司", "存续"] for n in range(30)]
    file_import(content=csv_bytes(rows), filename="many.csv")
    assert enterprise_search_codes(query="分页").count() == 30
    first = office_client.get("/govdata/", {"q": "分页"}, **HOST).content.decode()
    second = office_client.get("/govdata/", {"q": "分页", "page": 2}, **HOST).content.decode()
    assert len(_codes(first)) == 25 and len(_codes(second)) == 5
    assert not set(_codes(first)) & set(_codes(second))
    assert "Found for “分页”: 30" in first and "page=2" in first


def test_office_page_has_no_developer_details(office_client, db, settings):
    settings.GOVDATA_API_URL = "http://centre.example.test/api"
    file_import(content=REGISTRY, filename="registry.csv")
    page = office_client.get("/govdata/", **HOST).content.decode()
    for detail in ("GOVDATA_API_URL", "centre.example.test", "Celery", settings.GOVDATA_EXCHANGE_DIR,
                   'id="govdata-runs"', 'id="govdata-sync"'):
        assert detail not in page
    assert 'id="govdata-search"' in page and 'id="govdata-upload"' in page
    assert office_client.post("/govdata/sync/", {"kind": "registry"}, **HOST).status_code == 404


def test_platform_page_shows_the_connector_paths_and_runs(admin_client, db, settings):
    settings.GOVDATA_API_URL = "http://centre.example.test/api"
    file_import(content=REGISTRY, filename="registry.csv")
    page = admin_client.get("/platform/govdata/", **HOST).content.decode()
    assert "centre.example.test" in page and settings.GOVDATA_EXCHANGE_DIR in page and "Celery beat" in page
    assert "registry.csv" in page and 'id="govdata-sync"' in page


@pytest.mark.parametrize("url", ["/platform/govdata/"])
def test_platform_page_is_for_platform_administrators_only(client, make_user, make_enterprise, url, db):
    assert client.get(url, **HOST).status_code == 302  # anonymous: log in
    client.force_login(make_user(platform_role="office"))
    assert client.get(url, **HOST).status_code == 403
    assert client.post("/platform/govdata/sync/", {"kind": "registry"}, **HOST).status_code == 403
    assert SyncRun.objects.count() == 0
    owner = make_user()
    make_enterprise(slug="acme", owner=owner)
    client.force_login(owner)
    assert client.get(url, **HOST).status_code == 403


def test_an_enterprise_owner_cannot_search(client, make_user, make_enterprise, db):
    file_import(content=REGISTRY, filename="registry.csv")
    owner = make_user()
    make_enterprise(slug="acme", owner=owner)
    client.force_login(owner)
    response = client.get("/govdata/", {"q": USCC_A}, **HOST)
    page = response.content.decode()
    assert response.status_code == 403 and 'id="govdata-results"' not in page and "美厨电器" not in page
