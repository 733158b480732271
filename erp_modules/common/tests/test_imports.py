"""Excel/CSV imports: every row validated first, all or nothing, errors name row and column."""

import io
import time
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_tenants.utils import tenant_context
from openpyxl import Workbook, load_workbook

from core.testing import codes_by_field
from erp_modules.catalog.models import Bom, Item
from erp_modules.common.imports import import_job_create, import_job_run
from erp_modules.common.models import ImportJob
from erp_modules.inventory.selectors import stock_on_hand
from erp_modules.partners.models import Partner
from erp_modules.workspace.testing import make_item


def xlsx(header, rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def run_import(kind, content, name="data.xlsx", user=None):
    job = import_job_create(kind=kind, file=SimpleUploadedFile(name, content), user=user or _anon())
    return import_job_run(job_id=job.pk)


def _anon():
    return AnonymousUser()


ITEM_HEADER = ["code", "name", "item_type", "uom", "category", "lead_time_days", "safety_stock", "standard_cost"]


def test_a_second_upload_waits_for_the_first_import_to_finish(erp):
    # given an import queued and not yet run by the worker
    first = import_job_create(kind="items", file=SimpleUploadedFile("first.xlsx", xlsx(ITEM_HEADER, [])), user=_anon())
    # when a second file is uploaded meanwhile
    with pytest.raises(ValidationError) as exc:
        import_job_create(kind="items", file=SimpleUploadedFile("second.xlsx", xlsx(ITEM_HEADER, [])), user=_anon())
    # then it is refused on the file field, naming the file still being imported, and nothing is queued
    assert codes_by_field(exc) == {"file": ["import_in_progress"]} and "first.xlsx" in exc.value.messages[0]
    assert ImportJob.objects.count() == 1
    # and once the first has run, the next upload is taken
    import_job_run(job_id=first.pk)
    import_job_create(kind="items", file=SimpleUploadedFile("second.xlsx", xlsx(ITEM_HEADER, [])), user=_anon())
    assert ImportJob.objects.count() == 2


def test_items_import_writes_every_row(erp):
    rows = [["HOOD-A", "侧吸油烟机 A", "finished", "台", "吸油烟机", "7", "5", "650"],
            ["MOTOR-A", "电机 A", "component", "个", "电机", "", "", "85.5"],
            ["STEEL-1", "冷轧钢板", "raw", "kg", "", "3", "100", "6.2"]]
    job = run_import("items", xlsx(ITEM_HEADER, rows))
    assert (job.status, job.written_rows, job.error_count) == ("done", 3, 0), job.errors
    motor = Item.objects.get(code="MOTOR-A")
    assert (motor.item_type, motor.uom.code, motor.category.name, motor.standard_cost) == \
        ("component", "pcs", "电机", Decimal("85.5000"))


def test_one_bad_row_rejects_the_whole_file_and_names_row_and_column(erp):
    make_item("EXISTING")
    rows = [["OK-1", "好的", "component", "个", "", "", "", ""],
            ["OK-2", "好的", "component", "件", "", "", "", "abc"],
            ["EXISTING", "重复", "component", "个", "", "", "", ""],
            ["OK-3", "好的", "gadget", "盒子", "", "-1", "", ""],
            ["OK-1", "文件内重复", "component", "个", "", "", "", ""]]
    job = run_import("items", xlsx(ITEM_HEADER, rows))
    assert job.status == "failed"
    problems = [(e["row"], e["column"]) for e in job.errors]
    assert problems == [(3, "standard_cost"), (4, "code"), (5, "item_type"), (5, "uom"), (5, "lead_time_days"),
                        (6, "code")]
    assert not Item.objects.filter(code__startswith="OK-").exists()


def test_a_missing_required_column_is_reported(erp):
    job = run_import("items", xlsx(["code", "name"], [["X", "Y"]]))
    assert job.status == "failed"
    assert {e["column"] for e in job.errors} == {"item_type", "uom"}


def test_csv_in_gb18030_and_chinese_headers(erp):
    content = "物料编码 (code),名称 (name),类型,单位\nGB-1,国标编码测试,component,个\n".encode("gb18030")
    job = run_import("items", content.replace("类型".encode("gb18030"), b"item_type").replace(
        "单位".encode("gb18030"), b"uom"), name="items.csv")
    assert job.status == "done", job.errors
    assert Item.objects.get(code="GB-1").name == "国标编码测试"


def test_bom_lines_import_makes_one_draft_per_parent(erp):
    hood, motor, fan = make_item("HOOD-B", item_type="finished"), make_item("MOTOR-B"), make_item("FAN-B")
    job = run_import("bom_lines", xlsx(["parent", "component", "quantity", "scrap_pct"],
                                       [["HOOD-B", "MOTOR-B", "1", ""], ["HOOD-B", "FAN-B", "2", "5"]]))
    assert job.status == "done"
    bom = Bom.objects.get(item=hood)
    assert (bom.status, bom.lines.count()) == ("draft", 2)
    assert motor and fan


def test_opening_stock_posts_ledger_rows(erp):
    motor = make_item("MOTOR-C")
    job = run_import("opening_stock", xlsx(["item", "quantity", "unit_cost"], [["MOTOR-C", "120", "85.5"]]))
    assert job.status == "done"
    assert stock_on_hand(item=motor) == Decimal("120")
    motor.refresh_from_db()
    assert motor.average_cost == Decimal("85.5000")


def test_partner_import_checks_credit_codes(erp):
    job = run_import("partners", xlsx(["code", "name", "is_customer", "uscc"],
                                      [["C1", "客户一", "是", "91330282671205242Y"],
                                       ["C2", "客户二", "是", "91330282671205242X"]]))
    assert [(e["row"], e["column"]) for e in job.errors] == [(3, "uscc")]
    assert Partner.objects.count() == 0


def test_the_import_page_uploads_shows_progress_and_the_template_downloads(make_enterprise, make_user,
                                                                           django_capture_on_commit_callbacks):
    owner = make_user()
    enterprise = make_enterprise(owner=owner)
    client = Client()
    client.force_login(owner)
    host = f"{enterprise.slug}.localhost"
    template = client.get("/erp/imports/template/items.xlsx", HTTP_HOST=host)
    assert template.status_code == 200
    assert load_workbook(io.BytesIO(template.content)).active["A1"].value.endswith("(code)")
    content = xlsx(ITEM_HEADER, [["PAGE-1", "页面导入", "component", "个", "", "", "", ""]])
    response = client.post("/erp/imports/", {"kind": "items", "file": SimpleUploadedFile("a.xlsx", content)},
                           HTTP_HOST=host)
    assert response.status_code == 302
    with tenant_context(enterprise):
        job = ImportJob.objects.get()
        import_job_run(job_id=job.pk)  # what the Celery task does
    page = client.get(f"/erp/imports/{job.pk}/", HTTP_HOST=host)
    assert "1" in page.content.decode() and page.status_code == 200
    progress = client.get(f"/erp/imports/{job.pk}/progress/", HTTP_HOST=host)
    assert progress["HX-Refresh"] == "true"


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_an_import_runs_on_the_worker_in_its_enterprise(clean_schemas, celery_worker_process, make_enterprise):
    a, b = make_enterprise(), make_enterprise()
    content = xlsx(ITEM_HEADER, [[f"W-{n}", f"物料{n}", "component", "个", "", "", "", ""] for n in range(300)])
    with tenant_context(a):
        job = import_job_create(kind="items", file=SimpleUploadedFile("w.xlsx", content), user=_anon())
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with tenant_context(a):
            job.refresh_from_db()
        if job.status in ("done", "failed"):
            break
        time.sleep(0.2)
    assert job.status == "done" and job.written_rows == 300
    with tenant_context(a):
        assert Item.objects.filter(code__startswith="W-").count() == 300
    with tenant_context(b):
        assert Item.objects.filter(code__startswith="W-").count() == 0
        assert ImportJob.objects.count() == 0
