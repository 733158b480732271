"""The HTTP JSON connector against a stand-in for the centre's API on 127.0.0.1: paging, the key,
retries with back-off after a 500 and after a time-out, final failures, and all-or-nothing."""

import pytest

from api.govdata.connector import ConnectorError
from api.govdata.models import CreditEvent, RegistryRecord, SyncRun
from api.govdata.services import api_sync
from api.govdata.tests.conftest import USCC_A, USCC_B, USCC_C, USCC_D

pytestmark = pytest.mark.django_db

REGISTRY = "/api/v1/registry"


def registry_records():
    return [
        {"id": "R1", "uniscid": USCC_A, "entname": "慈溪市美厨电器有限公司", "regstate": "存续", "estdate": 1331999999000,
         "regcap": 500.0, "opfrom": "2012-03-18", "opto": "9999-09-09", "dom": "周巷镇", "industryco": "C3854",
         "empnum": 86},
        {"id": "R2", "uniscid": USCC_B, "entname": "慈溪市老厂轴承有限公司", "regstate": "吊销，未注销", "estdate": None,
         "regcap": "5,000,000元", "opto": "2031-05-07"},
        {"id": "R3", "uniscid": USCC_C, "entname": "宁波外资电器有限公司", "regstate": "注销", "regcap": "50万美元"},
        {"id": "R4", "uniscid": USCC_D, "entname": "慈溪市新厂有限公司", "regstate": "在业", "estdate": "\\N"},
        {"id": "R5", "uniscid": USCC_A.replace(USCC_A[8:16], "MA7C2Y31")[:17] + "0", "entname": "x", "regstate": "存续"},
    ]


def test_pages_are_fetched_with_the_key(centre, connector):
    records = registry_records()[:4]
    centre.paged(REGISTRY, records, page_size=2)

    assert connector.fetch_all("registry") == records
    assert [q["page"] for _p, q, _h in centre.requests] == [["1"], ["2"]]
    assert all(h["Authorization"] == "Bearer centre-key-123" for _p, _q, h in centre.requests)


def test_sync_writes_every_page_and_counts(centre, connector):
    centre.paged(REGISTRY, registry_records()[:4], page_size=2)

    run = api_sync(kind="registry", connector=connector)

    assert (run.status, run.channel, run.new_count, run.rows_total) == ("succeeded", "api", 4, 4)
    record = RegistryRecord.objects.get(uscc=USCC_A)
    assert (record.source_record_id, record.employees, record.raw["estdate"]) == ("R1", 86, 1331999999000)
    again = api_sync(kind="registry", connector=connector)
    assert (again.new_count, again.changed_count, again.unchanged_count) == (0, 0, 4)


def test_a_500_is_retried_with_back_off(centre, connector):
    centre.paged(REGISTRY, registry_records()[:4], page_size=2)
    page_two = centre.routes[f"{REGISTRY}?page=2"]
    centre.routes[f"{REGISTRY}?page=2"] = [(500, {"msg": "internal error"}), (503, {"msg": "busy"})] + page_two
    waits = []
    connector.sleep = waits.append

    run = api_sync(kind="registry", connector=connector)

    assert run.status == "succeeded" and run.new_count == 4
    assert [line.rsplit(" -> ", 1)[1] for line in connector.log] == ["200", "500", "503", "200"]
    assert waits == [0.01, 0.02]  # exponential back-off


def test_a_timeout_is_retried(centre, connector):
    records = registry_records()[:2]
    centre.paged(REGISTRY, records, page_size=2)
    page = centre.routes[f"{REGISTRY}?page=1"][0]
    centre.routes[f"{REGISTRY}?page=1"] = [("sleep", 1.5, *page), page]

    assert connector.fetch_all("registry") == records
    assert [line.rsplit(" -> ", 1)[1] for line in connector.log] == ["timeout", "200"]


def test_persistent_500_fails_the_run_and_writes_nothing(centre, connector):
    centre.paged(REGISTRY, registry_records()[:4], page_size=2)
    centre.routes[f"{REGISTRY}?page=2"] = [(500, {"msg": "internal error"})]

    run = api_sync(kind="registry", connector=connector)

    assert run.status == SyncRun.Status.FAILED
    assert "3 attempts" in run.message and "HTTP 500" in run.message
    assert RegistryRecord.objects.count() == 0  # page 1 was fine, but the batch is all or nothing


def test_a_wrong_key_fails_at_once(centre, connector):
    centre.paged(REGISTRY, registry_records()[:2], page_size=2)
    connector.api_key = "wrong"
    with pytest.raises(ConnectorError) as error:
        connector.fetch_all("registry")
    assert "401" in str(error.value)
    assert len(centre.requests) == 1  # no retry for a final answer


def test_a_bad_record_rejects_the_whole_pull(centre, connector):
    centre.paged(REGISTRY, registry_records(), page_size=2)

    run = api_sync(kind="registry", connector=connector)

    assert run.status == SyncRun.Status.REJECTED
    assert [(e["row"], e["column"]) for e in run.errors] == [(5, "uniscid")]  # the 5th record
    assert RegistryRecord.objects.count() == 0


def test_credit_events_endpoint(centre, connector):
    centre.paged("/api/v1/credit/events", [
        {"recid": "CE-9", "uniscid": USCC_B, "eventtype": "严重违法失信名单", "source": "市场监管",
         "listdate": "2024-02-02", "authority": "宁波市市场监督管理局"}], page_size=2)

    run = api_sync(kind="credit_events", connector=connector)

    assert (run.status, run.new_count) == ("succeeded", 1)
    assert CreditEvent.objects.get().severity == "serious"


def test_a_repeated_record_is_written_once_and_unused_fields_are_listed(centre, connector):
    # given: record 3 repeats record 1; every record carries a field the import does not use
    records = [dict(r, nodenum="330282") for r in registry_records()[:2]]
    records.append(dict(records[0]))
    centre.paged(REGISTRY, records, page_size=2)

    run = api_sync(kind="registry", connector=connector)

    assert (run.status, run.new_count, run.rows_total) == ("succeeded", 2, 3)
    assert [(n["row"], n["column"]) for n in run.notes] == [(0, "nodenum"), (3, "")]
    assert run.notes[1]["message"] == "The same as record 1 in every cell: written once."


def test_a_record_repeated_with_other_values_rejects_the_pull(centre, connector):
    records = registry_records()[:2]
    records.append(dict(records[0], dom="观海卫镇"))
    centre.paged(REGISTRY, records, page_size=2)

    run = api_sync(kind="registry", connector=connector)

    assert (run.status, run.rejected_count) == ("rejected", 1)
    assert run.errors == [{"row": 3, "column": "uniscid", "message":
                           "The same record as record 1, with different values (dom): correct or remove one of the "
                           "two."}]
    assert RegistryRecord.objects.count() == 0
