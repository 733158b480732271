"""Import error reports: every problem of every row, under the header the user typed, with the value and the fix;
the rejected file given back with its problems, corrected and uploaded again, imports all or nothing;
templates show the labels people choose from."""

import io

from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation
from django_tenants.utils import tenant_context
from openpyxl import Workbook, load_workbook

from erp_modules.catalog.models import Item
from erp_modules.common.imports import import_job_create, import_job_run
from erp_modules.workspace.testing import make_item

HEADER = ["物料编码 (code)", "名称", "类型 (item_type)", "单位 (uom)", "lead_time_days", "Safety stock",
          "standard_cost"]
GOOD = ["GOOD-1", "好的物料", "成品", "台", "7", "5", "650"]
FIVE_FAULTS = ["EXISTING", "五个错误", "gadget", "盒子", "-1", "abc", "x"]
EMPTY = ["EMPTY-1", "", "component", "", "", "", ""]


def xlsx(header, rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def run_import(kind, content, name="items.xlsx"):
    job = import_job_create(kind=kind, file=SimpleUploadedFile(name, content), user=AnonymousUser())
    with translation.override("en"):  # the worker's messages, read in English
        return import_job_run(job_id=job.pk)


def test_every_problem_of_every_row_is_listed_with_the_typed_header_the_value_and_the_fix(erp):
    # given a file with a good row, a row with five faults and a row with two required cells empty
    make_item("EXISTING")
    # when it is imported
    job = run_import("items", xlsx(HEADER, [GOOD, FIVE_FAULTS, EMPTY]))
    # then nothing is written and every problem is listed, row by row in the file's column order
    assert job.status == "failed" and not Item.objects.filter(code__in=["GOOD-1", "EMPTY-1"]).exists()
    assert [(e["row"], e["header"], e["value"]) for e in job.errors] == [
        (3, "物料编码 (code)", "EXISTING"), (3, "类型 (item_type)", "gadget"), (3, "单位 (uom)", "盒子"),
        (3, "lead_time_days", "-1"), (3, "Safety stock", "abc"), (3, "standard_cost", "x"),
        (4, "名称", ""), (4, "单位 (uom)", "")]
    by_cell = {(e["row"], e["column"]): e for e in job.errors}
    assert by_cell[(3, "code")]["message"] == "Item code EXISTING already exists."
    assert by_cell[(3, "item_type")]["message"] == "“gadget” is not one of the choices."
    assert by_cell[(3, "item_type")]["fix"] == ("Write one of: raw material, component, sub-assembly, finished good, "
                                                "kit (phantom), service.")
    assert by_cell[(3, "safety_stock")]["message"] == "“abc” is not a number."
    assert by_cell[(3, "lead_time_days")]["message"] == "Must be at least 0."
    assert by_cell[(4, "name")]["message"] == "A value is required."
    assert by_cell[(4, "uom")]["message"] == "A value is required."  # once, not also "unknown unit"
    assert all(e["fix"] for e in job.errors)
    assert job.error_count == 8 and job.message.startswith("8 problems in 2 rows; nothing was imported.")


def test_the_problem_page_lists_them_and_the_file_to_correct_comes_back_and_imports_after_fixing(
        make_enterprise, make_user):
    # given a rejected import of three rows (one good, two bad)
    owner = make_user()
    enterprise = make_enterprise(owner=owner)
    with tenant_context(enterprise):
        make_item("EXISTING")
        job = run_import("items", xlsx(HEADER, [GOOD, FIVE_FAULTS, EMPTY]))
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(owner)
    host = f"{enterprise.slug}.localhost"
    # when the clerk opens the job's page
    page = client.get(f"/erp/imports/{job.pk}/", HTTP_HOST=host).content.decode()
    # then every problem is on it, by the typed header, with the value and the fix
    assert "Rows with problems: 2." in page and "Write one of: raw material" in page
    assert "Safety stock" in page and "盒子" in page and "How to fix it" in page
    # when the clerk downloads the file to correct
    response = client.get(f"/erp/imports/{job.pk}/to-fix.xlsx", HTTP_HOST=host)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    # then it is the whole file as typed, a first column saying what to fix in each row, the faulty cells marked
    assert rows[0] == ["Problems and how to fix them (import_problems)", *HEADER]
    assert [r[1] for r in rows[1:]] == ["GOOD-1", "EXISTING", "EMPTY-1"]
    assert rows[1][0] in (None, "")
    assert "类型 (item_type): “gadget” is not one of the choices. Write one of:" in rows[2][0]
    assert rows[3][0].count("A value is required.") == 2
    assert sheet.cell(row=3, column=5).fill.fgColor.rgb.endswith("F8D7DA")  # 单位 of the five-fault row
    assert sheet.cell(row=2, column=5).fill.fgColor.rgb in (None, "00000000")
    # when the clerk corrects every marked cell and uploads the whole file again
    fixes = {3: {2: "FIXED-1", 4: "零部件", 5: "个", 6: "3", 7: "10", 8: "12.5"}, 4: {3: "已补名称", 5: "kg"}}
    for row, cells in fixes.items():
        for column, value in cells.items():
            sheet.cell(row=row, column=column).value = value
    buffer = io.BytesIO()
    sheet.parent.save(buffer)
    with tenant_context(enterprise):
        again = run_import("items", buffer.getvalue(), name="items-to-fix.xlsx")
        # then all three rows are imported at once (the problems column is ignored)
        assert (again.status, again.written_rows, again.error_count) == ("done", 3, 0), again.errors
        fixed = Item.objects.get(code="FIXED-1")
        assert (fixed.item_type, fixed.uom.code, str(fixed.standard_cost)) == ("component", "pcs", "12.5000")
        assert Item.objects.filter(code__in=["GOOD-1", "EMPTY-1"]).count() == 2


def test_a_file_with_one_bad_row_left_imports_nothing(erp):
    # given the corrected file still holding one bad row
    job = run_import("items", xlsx(HEADER, [GOOD, ["FIXED-2", "名称", "零部件", "个", "", "", "-5"]]))
    # then nothing of it is written
    assert job.status == "failed" and [(e["row"], e["column"]) for e in job.errors] == [(3, "standard_cost")]
    assert not Item.objects.filter(code__in=["GOOD-1", "FIXED-2"]).exists()


def test_an_enterprise_cannot_download_another_ones_rejected_file(enterprise_pair):
    # given a rejected import of A
    a, b, alice, bob = enterprise_pair("imp-fix-a", "imp-fix-b")
    with tenant_context(a):
        job = run_import("items", xlsx(HEADER, [FIVE_FAULTS]))
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    # when B's owner asks for it on B's host, then it is not found (as for a job that does not exist)
    client.force_login(bob)
    assert client.get(f"/erp/imports/{job.pk}/to-fix.xlsx", HTTP_HOST="imp-fix-b.localhost").status_code == 404
    assert client.get("/erp/imports/999999/to-fix.xlsx", HTTP_HOST="imp-fix-b.localhost").status_code == 404
    # and A's owner gets it
    client.force_login(alice)
    assert client.get(f"/erp/imports/{job.pk}/to-fix.xlsx", HTTP_HOST="imp-fix-a.localhost").status_code == 200


def test_the_template_gives_chinese_examples_with_the_labels_to_choose_from(erp):
    from core.imports import template_workbook
    from erp_modules.common.imports import importer_get

    # when a Chinese reader downloads the items template
    with translation.override("zh-hans"):
        workbook = load_workbook(io.BytesIO(template_workbook(importer_get("items"))))
    sheet = workbook.active
    example = {sheet.cell(row=1, column=c).value: sheet.cell(row=2, column=c).value
               for c in range(1, sheet.max_column + 1)}
    # then the choices are examples by their Chinese labels (not finished / none), offered in a drop-down
    assert example["类型 (item_type)"] == "成品" and "不跟踪" in example.values()
    assert "finished" not in example.values() and "none" not in example.values()
    lists = [v.formula1 for v in sheet.data_validations.dataValidation]
    assert '"原材料,零部件,半成品,成品,套件（虚拟件）,服务"' in lists
