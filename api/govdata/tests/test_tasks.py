"""The nightly sync: the exchange folder first, then the API; and the Celery task on a real worker."""

import time
from pathlib import Path

import pytest

from api.govdata.models import RegistryRecord, SyncRun
from api.govdata.services import sync_nightly, sync_run_queue
from api.govdata.tasks import sync_run_execute
from api.govdata.tests.conftest import USCC_A, USCC_B, csv_bytes


@pytest.fixture
def inbox(settings, tmp_path):
    settings.GOVDATA_EXCHANGE_DIR = str(tmp_path / "inbox")
    folder = Path(settings.GOVDATA_EXCHANGE_DIR)
    folder.mkdir()
    return folder


def test_nightly_imports_the_folder_then_the_api(db, inbox, centre, connector):
    (inbox / "registry-0301.csv").write_bytes(csv_bytes([["uniscid", "entname", "regstate"],
                                                         [USCC_A, "慈溪市美厨电器有限公司", "存续"]]))
    (inbox / "events-0301.csv").write_bytes(csv_bytes([["uniscid", "eventtype", "listdate"],
                                                       ["BAD", "经营异常名录", "2024-01-01"]]))
    centre.paged("/api/v1/registry", [{"uniscid": USCC_B, "entname": "慈溪市老厂轴承有限公司", "regstate": "存续"}], 10)
    centre.paged("/api/v1/credit/events", [], 10)
    centre.paged("/api/v1/credit/ratings", [], 10)

    run = sync_nightly(connector=connector)

    parts = {(p.kind, p.channel): p.status for p in run.children.all()}
    assert parts == {("registry", "file"): "succeeded", ("credit_events", "file"): "rejected",
                     ("registry", "api"): "succeeded", ("credit_events", "api"): "succeeded",
                     ("credit_ratings", "api"): "succeeded"}
    assert (run.status, run.new_count, run.rejected_count) == ("failed", 2, 1)  # one part rejected
    assert "events-0301.csv" in run.errors[0]["message"]
    assert sorted(p.parent.name + "/" + p.name.split("-run")[0][:0] for p in inbox.rglob("*.csv")) == \
        ["done/", "rejected/"]
    assert RegistryRecord.objects.count() == 2


@pytest.mark.celery
def test_the_task_runs_on_a_real_worker(celery_worker_process, clean_schemas, settings):
    inbox = Path(settings.DATA_DIR) / "govdata" / "inbox"  # the worker's default exchange folder
    inbox.mkdir(parents=True, exist_ok=True)
    for old in inbox.glob("*.csv"):
        old.unlink()
    (inbox / "registry-worker.csv").write_bytes(csv_bytes([["uniscid", "entname", "regstate"],
                                                           [USCC_A, "慈溪市美厨电器有限公司", "存续"]]))
    run = sync_run_queue(kind=SyncRun.Kind.NIGHTLY, channel="api")

    sync_run_execute.delay(run.pk)

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.is_finished:
            break
        time.sleep(0.2)
    assert (run.status, run.new_count) == ("succeeded", 1), run.errors
    assert not (inbox / "registry-worker.csv").exists()
