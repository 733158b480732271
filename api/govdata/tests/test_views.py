"""Office pages: upload and report, sync now and its counts, one enterprise's records, flags."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from api.govdata.models import RegistryRecord, SyncRun
from api.govdata.services import file_import, sync_run_execute
from api.govdata.tests.conftest import USCC_A, USCC_B, csv_bytes

HOST = {"HTTP_HOST": "localhost"}
GOOD = csv_bytes([["uniscid", "entname", "regstate"], [USCC_A, "慈溪市美厨电器有限公司", "存续"],
                  [USCC_B, "慈溪市老厂轴承有限公司", "吊销，未注销"]])


@pytest.fixture
def office(client, make_user):
    user = make_user(email="office@cixi.gov.test", platform_role="office")
    client.force_login(user)
    return user


@pytest.mark.parametrize("url", ["/govdata/", "/govdata/runs/1/", f"/govdata/enterprises/{USCC_A}/",
                                 "/govdata/templates/registry.xlsx"])
def test_only_the_office(client, make_user, url, db):
    assert client.get(url, **HOST).status_code == 302  # anonymous: log in
    client.force_login(make_user())
    assert client.get(url, **HOST).status_code == 403


def test_upload_reports_bad_rows_and_writes_nothing(client, office):
    bad = csv_bytes([["统一社会信用代码", "企业名称", "登记状态"], [USCC_A, "慈溪市美厨电器有限公司", "存续"],
                     [USCC_B[:-1] + "0", "慈溪市老厂轴承有限公司", "存续"]])
    response = client.post("/govdata/upload/", {"file": SimpleUploadedFile("registry.csv", bad)}, **HOST)
    run = SyncRun.objects.get()
    assert response["Location"] == f"/govdata/runs/{run.pk}/"
    page = client.get(response["Location"], **HOST).content.decode()
    assert 'data-count="rejected">1<' in page and "<td>3</td><td><code>uniscid</code>" in page
    assert RegistryRecord.objects.count() == 0


def test_upload_then_same_file_again(client, office):
    client.post("/govdata/upload/", {"file": SimpleUploadedFile("registry.csv", GOOD)}, **HOST)
    response = client.post("/govdata/upload/", {"file": SimpleUploadedFile("registry.csv", GOOD)}, **HOST)
    page = client.get(response["Location"], **HOST).content.decode()
    assert 'data-count="new">0<' in page and 'data-count="unchanged">2<' in page


def test_upload_refuses_other_files(client, office):
    response = client.post("/govdata/upload/", {"file": SimpleUploadedFile("x.pdf", b"%PDF")}, follow=True, **HOST)
    assert SyncRun.objects.count() == 0 and response.status_code == 200


@pytest.fixture
def platform_admin(client, make_user):
    user = make_user(email="admin@platform.test", platform_role="platform_admin")
    client.force_login(user)
    return user


def test_sync_now_queues_a_run_that_the_task_executes(client, platform_admin, settings, centre,
                                                      django_capture_on_commit_callbacks):
    settings.GOVDATA_API_URL, settings.GOVDATA_API_KEY = centre.url, centre.api_key
    settings.GOVDATA_API_BACKOFF = 0.01
    centre.paged("/api/v1/registry", [{"uniscid": USCC_A, "entname": "慈溪市美厨电器有限公司", "regstate": "存续"}], 10)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post("/platform/govdata/sync/", {"kind": "registry"}, **HOST)
    run = SyncRun.objects.get()
    assert (run.status, run.kind, run.triggered_by_id) == ("queued", "registry", platform_admin.pk)
    assert len(callbacks) == 1  # the Celery task is sent once the transaction commits
    assert 'hx-trigger="every 2s"' in client.get(response["Location"], **HOST).content.decode()  # polls

    sync_run_execute(run_id=run.pk)  # what the task does

    page = client.get(response["Location"], HTTP_HX_REQUEST="true", **HOST).content.decode()
    assert 'data-count="new">1<' in page and "every 2s" not in page


def test_dashboard_lists_flags_and_the_platform_page_the_runs(client, office, make_enterprise, make_user):
    file_import(content=GOOD, filename="registry.csv")
    make_enterprise(slug="laochang", uscc=USCC_B, name="慈溪市老厂轴承有限公司")
    page = client.get("/govdata/", **HOST).content.decode()
    assert f'data-uscc="{USCC_B}"' in page and "吊销，未注销" in page
    assert "registry.csv" not in page and 'id="govdata-runs"' not in page  # the runs are the platform's
    client.force_login(make_user(platform_role="platform_admin"))
    assert "registry.csv" in client.get("/platform/govdata/", **HOST).content.decode()


def test_enterprise_page_shows_history(client, office):
    file_import(content=GOOD, filename="registry-1.csv")
    file_import(content=csv_bytes([["uniscid", "entname", "regstate"], [USCC_A, "慈溪市美厨厨电有限公司", "存续"]]),
                filename="registry-2.csv")
    page = client.get(f"/govdata/enterprises/{USCC_A}/", **HOST).content.decode()
    assert 'id="registry-history"' in page and "慈溪市美厨电器有限公司" in page and "慈溪市美厨厨电有限公司" in page
    assert client.get("/govdata/enterprises/91330100716105852F/", **HOST).status_code == 404


def test_template_download(client, office):
    response = client.get("/govdata/templates/credit_events.xlsx", **HOST)
    assert response.status_code == 200 and response.content[:2] == b"PK"
