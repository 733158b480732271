"""Issue 13's engineering path in a real browser (Debian's chromium, Playwright), in zh-Hans: a drawing released
with revision A is frozen; an ECO is raised and started (revision B in work); the working drawing is linked to B,
checked out and checked in as version 2 and its preview is made by the real Celery worker; a BOM line of B is
changed and another added; the ECO page shows the BOM diff; the manager (a second browser) approves, the ECO
moves to its final stage and the manager applies it with an effective date D ten days ahead; a work order planned
after D takes the new BOM's components, one planned before D the old ones. A screenshot per step
(screenshots_dir()/pdm-NN-*.png); no page answers 500, no console error, no script error."""

from __future__ import annotations

import io
import time
from datetime import timedelta
from decimal import Decimal

import ezdxf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tenants.utils import tenant_context
from playwright.sync_api import expect

from core.testing import browser_login, browser_page, live_site, screenshots_dir
from erp_modules.catalog.models import Item
from erp_modules.production.models import WorkOrder
from erp_modules.workspace.testing import make_bom, make_item
from pdm.changes.models import Eco
from pdm.parts.models import Part, PartRevision
from pdm.parts.services import part_create, revision_bom_line_add, revision_release, revision_start, revision_submit
from pdm.vault.models import Blob, Document
from pdm.vault.services import document_create, document_link
from tenants.models import Membership, Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Engineer-2026-pdm!"
D = Decimal


def dxf_bytes(text: str, width: float) -> bytes:
    """A housing drawing: outline, a fan hole and a Chinese title in an SHX text style (as AutoCAD writes it)."""
    doc = ezdxf.new("R2010")
    doc.styles.add("HZ", font="txt.shx").dxf.bigfont = "gbcbig.shx"
    msp = doc.modelspace()
    msp.add_lwpolyline([(0, 0), (width, 0), (width, 100), (0, 100)], close=True)
    msp.add_circle((width / 2, 50), 30)
    msp.add_text(text, dxfattribs={"style": "HZ", "height": 6}).set_placement((10, 10))
    stream = io.StringIO()
    doc.write(stream)
    return stream.getvalue().encode("utf-8")


def wait_for_previews(timeout_s: float = 120) -> None:
    """Until the worker has made every waiting preview of the current enterprise."""
    deadline = time.monotonic() + timeout_s
    while Blob.objects.filter(preview_status=Blob.PreviewStatus.PENDING).exists():
        assert time.monotonic() < deadline, "the Celery worker made no preview in time"
        time.sleep(0.5)


def watched(page, problems: list[str]):
    """Record every answer ≥ 500, console error and script error of the page into ``problems``."""
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text} @ {page.url}")
            if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e} @ {page.url}"))
    page.on("response", lambda r: problems.append(f"HTTP {r.status} {r.url}") if r.status >= 500 else None)
    return page


def test_drawing_check_in_preview_eco_approve_apply_and_work_orders_by_date(
        live_server, clean_schemas, chromium, celery_worker_process, make_enterprise, make_user):
    # given: an enterprise, its owner (the engineer) and a manager (the ECO's approver)
    owner = make_user(email="engineer@hoods.test", password=PASSWORD, full_name="李工")
    manager = make_user(email="manager@hoods.test", password=PASSWORD, full_name="王经理")
    enterprise = make_enterprise(slug="pdm-browser", owner=owner)
    Membership.objects.create(user=manager, enterprise=enterprise, role=Role.MANAGER)
    today = timezone.localdate()
    effective = today + timedelta(days=10)
    with tenant_context(enterprise):
        # a hood over a fan assembly (motor + 4 screws) and 2 screws; the assembly's BOM released in the catalogue
        screw = make_item("SCREW-M4", name="十字螺钉 M4", standard_cost=D("0.10"))
        motor = make_item("MOTOR-80", name="交流电机 80W", standard_cost=D("80"))
        gasket = make_item("GASKET-200", name="密封圈", standard_cost=D("1.50"))
        assembly = make_item("ASM-FAN", name="风机组件", item_type=Item.Type.SUBASSEMBLY)
        hood = make_item("HOOD-200", name="侧吸油烟机 CXW-200", item_type=Item.Type.FINISHED)
        make_bom(assembly, [(motor, 1), (screw, 4)])
        # the hood as part RH-HOOD-200, revision A: its BOM, its drawing, released today
        part = part_create(item=hood, number="RH-HOOD-200", user=owner)
        rev_a = revision_start(part=part, user=owner)
        revision_bom_line_add(revision=rev_a, component=assembly, quantity=D(1), user=owner)
        revision_bom_line_add(revision=rev_a, component=screw, quantity=D(2), user=owner)
        drawing_a = document_create(number="DOC-00001", title="油烟机外壳图", kind=Document.Kind.DRAWING,
                                    file=SimpleUploadedFile("外壳-A.dxf", dxf_bytes("油烟机外壳 CXW-200 A", 200)),
                                    comment="首版", user=owner)
        document_link(document=drawing_a, revision=rev_a, user=owner)
        wait_for_previews()  # one upload at a time: the worker's job is made for the files waiting when it runs
        revision_submit(revision=rev_a, user=owner)
        rev_a = revision_release(revision=rev_a, effective_from=today, user=owner)
        # the drawing the engineer works on for the next revision, not linked yet
        drawing = document_create(number="DOC-00002", title="油烟机外壳图（改型）", kind=Document.Kind.DRAWING,
                                  file=SimpleUploadedFile("外壳-B.dxf", dxf_bytes("油烟机外壳 CXW-200 B", 200)),
                                  comment="由 A 版复制", user=owner)
        wait_for_previews()  # the real worker makes both previews (queued when the uploads committed)
        assert Blob.objects.filter(preview_status=Blob.PreviewStatus.READY).count() == 2
    site, host = live_site(live_server), live_site(live_server, "pdm-browser")
    SHOTS = screenshots_dir()
    problems: list[str] = []
    page = watched(browser_page(chromium, locale="zh-CN", timeout_ms=30_000), problems)

    started = [time.monotonic()]

    def shot(name: str, on=None) -> None:
        """A full-page screenshot and the page's text beside it (this machine's chromium may have no Chinese
        font: the text is what a reviewer reads); prints how long the step took (never asserted)."""
        (on or page).screenshot(path=str(SHOTS / f"pdm-{name}.png"), full_page=True)
        (SHOTS / f"pdm-{name}.txt").write_text((on or page).locator("body").inner_text(), encoding="utf-8")
        now = time.monotonic()
        print(f"step pdm-{name}: {now - started[0]:.1f} s")
        started[0] = now

    browser_login(page, site, "engineer@hoods.test", PASSWORD, then=f"{host}/**")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")

    # 1. the drawing of revision A: its preview, frozen with the released revision (no check-out)
    page.goto(f"{host}/pdm/documents/{drawing_a.pk}/")
    expect(page.locator("#preview-image")).to_be_visible()
    expect(page.locator("#document-state")).to_have_text("已发布")
    expect(page.locator("#lock button")).to_have_count(0)
    shot("01-drawing-a-frozen")

    # 2. raise an ECO for the hood, effective in ten days
    page.goto(f"{host}/pdm/ecos/")
    shot("02-eco-list")
    page.locator("a[href='/pdm/ecos/new/']").click()
    page.locator("#id_title").fill("外壳加密封圈，螺钉改为 3 颗")
    page.locator("#id_reason").fill("客户反映漏油")
    page.locator("#id_effective_date").fill(effective.isoformat())
    page.locator("#id_revisions").select_option(str(rev_a.pk))
    shot("03-eco-form")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("h1")).to_contain_text("ECO-")
    with tenant_context(enterprise):
        eco = Eco.objects.get()
    shot("04-eco-raised")

    # 3. start it: revision B in work, with a draft BOM copied from A's
    page.locator(f"form[action='/pdm/ecos/{eco.pk}/start/'] button").click()
    expect(page.locator(".messages")).to_be_visible()
    with tenant_context(enterprise):
        rev_b = PartRevision.objects.get(part=part, revision="B")
    assert rev_b.state == PartRevision.State.IN_WORK
    shot("05-eco-started")

    # 4. the working drawing: linked to revision B, checked out, checked in as version 2 with a comment
    page.goto(f"{host}/pdm/documents/{drawing.pk}/")
    expect(page.locator("#preview-image")).to_be_visible()
    page.locator("#link-form select[name=revision]").select_option(str(rev_b.pk))
    page.locator("#link-form button[type=submit]").click()
    expect(page.locator("#links")).to_contain_text("RH-HOOD-200 B")
    shot("06-drawing-linked-to-b")
    page.locator(f"form[action='/pdm/documents/{drawing.pk}/check-out/'] button").click()
    expect(page.locator("#holder")).to_contain_text("李工")
    shot("07-drawing-checked-out")

    # the manager (a second browser) asks for it meanwhile: refused, naming who holds it since when
    boss = watched(browser_page(chromium, locale="zh-CN", timeout_ms=30_000), problems)
    browser_login(boss, site, "manager@hoods.test", PASSWORD, then=f"{host}/**")
    boss.goto(f"{host}/pdm/documents/{drawing.pk}/")
    expect(boss.locator("#holder")).to_contain_text("李工")
    expect(boss.locator(f"form[action='/pdm/documents/{drawing.pk}/check-out/']")).to_have_count(0)
    shot("07b-held-by-another", boss)
    page.locator("#checkin-form input[type=file]").set_input_files(files=[{
        "name": "外壳-B-v2.dxf", "mimeType": "application/dxf",
        "buffer": dxf_bytes("油烟机外壳 CXW-200 B 加密封圈", 260)}])
    page.locator("#checkin-form [name=comment]").fill("加宽外壳 260 mm，增加密封圈槽")
    shot("08-check-in-form")
    page.locator("#checkin-form button[type=submit]").click()
    expect(page.locator(".messages")).to_be_visible()
    expect(page.locator("#version-table tbody tr")).to_have_count(2)
    shot("09-checked-in-preview-pending")

    # 5. the background preview of version 2 (the real Celery worker): reload until it is there
    deadline = time.monotonic() + 120
    while page.locator("#preview-image").count() == 0:
        assert time.monotonic() < deadline, "the preview of version 2 did not appear"
        time.sleep(1)
        page.reload()
    expect(page.locator("#preview h2")).to_contain_text("2")
    with tenant_context(enterprise):
        version_2 = drawing.versions.get(number=2)
    expect(page.locator("#preview-image")).to_have_attribute(
        "src", f"/pdm/documents/versions/{version_2.pk}/preview/")
    page.wait_for_function("document.getElementById('preview-image').complete")
    status, content_type, head = page.evaluate(
        "async url => { const r = await fetch(url); return [r.status, r.headers.get('content-type'),"
        " (await r.text()).slice(0, 400)]; }", f"/pdm/documents/versions/{version_2.pk}/preview/")
    assert (status, content_type) == (200, "image/svg+xml") and "<svg" in head
    expect(page.locator("#version-table")).to_contain_text("加宽外壳 260 mm")
    shot("10-preview-of-version-2")

    # 6. revision B's BOM: the screws go from 2 to 3 (remove + add: no in-place edit) and a gasket is added
    page.goto(f"{host}/pdm/revisions/{rev_b.pk}/")
    shot("11-revision-b-before")
    page.locator(".bom-row", has_text="SCREW-M4").filter(has=page.locator("button")).locator("button").click()
    expect(page.locator(".messages")).to_be_visible()
    for component, quantity in ((screw, "3"), (gasket, "1")):
        page.locator("#line-form select[name=component]").select_option(str(component.pk))
        page.locator("#line-form [name=quantity]").fill(quantity)
        page.locator("#line-form button[type=submit]").click()
        expect(page.locator("#bom-tree")).to_contain_text(component.code)
    expect(page.locator("#bom-diff tr[data-kind=added]")).to_contain_text("GASKET-200")
    expect(page.locator("#bom-diff tr[data-kind=changed]")).to_contain_text("SCREW-M4")
    shot("12-revision-b-changed")

    # 7. the ECO page shows the BOM diff: gasket added, screws 2 → 3
    page.goto(f"{host}/pdm/ecos/{eco.pk}/")
    diff = page.locator("table.eco-diff")
    expect(diff.locator("tr.diff-added")).to_contain_text("GASKET-200")
    expect(diff.locator("tr.diff-changed")).to_contain_text("SCREW-M4")
    expect(diff.locator("tr.diff-changed")).to_contain_text("3")
    shot("13-eco-diff")

    # the ECO page sends the engineer to revision B's page to change the BOM; the catalogue's page of the same
    # draft BOM offers no line form and names the revision instead
    expect(page.locator("a.eco-edit-bom")).to_have_attribute("href", f"/pdm/revisions/{rev_b.pk}/")
    page.locator(f"a[href='/catalog/boms/{rev_b.bom_id}/']").click()
    expect(page.locator("#bom-owner")).to_be_visible()
    expect(page.locator("#bom-line-form")).to_have_count(0)
    shot("13b-catalog-draft-bom")
    page.locator("#bom-owner a").first.click()
    expect(page).to_have_url(f"{host}/pdm/revisions/{rev_b.pk}/")

    # 8. the manager, in a second browser, approves at the first stage (审核)
    boss.goto(f"{host}/pdm/ecos/{eco.pk}/")
    expect(boss.locator("#eco-stage")).to_have_text("审核")
    boss.locator("#decision-form select[name=decision]").select_option("approved")
    boss.locator("#decision-form [name=comment]").fill("同意，注意旧料用完")
    shot("14-manager-approves", boss)
    boss.locator("#decision-form button[type=submit]").click()
    expect(boss.locator("#eco-rules")).to_contain_text("✓")
    shot("15-manager-approved", boss)

    # 9. the engineer moves it to the final stage (批准); the manager applies it (effective date D)
    page.goto(f"{host}/pdm/ecos/{eco.pk}/")
    page.locator(f"form[action='/pdm/ecos/{eco.pk}/advance/'] button").click()
    expect(page.locator("#eco-stage")).to_have_text("批准")
    shot("16-eco-final-stage")
    boss.goto(f"{host}/pdm/ecos/{eco.pk}/")
    boss.locator(f"form[action='/pdm/ecos/{eco.pk}/apply/'] button").click()
    expect(boss.locator(".messages")).to_be_visible()
    shot("17-eco-applied", boss)
    with tenant_context(enterprise):
        eco.refresh_from_db()
        rev_b.refresh_from_db()
        assert eco.state == Eco.State.APPLIED
        assert rev_b.state == PartRevision.State.RELEASED and rev_b.bom.effective_from == effective
    boss.context.close()

    # the working drawing is frozen with revision B now
    page.goto(f"{host}/pdm/documents/{drawing.pk}/")
    expect(page.locator("#document-state")).to_have_text("已发布")
    shot("18-drawing-frozen-with-b")

    # 10. work orders: planned after D → revision B's BOM (screws 3, gasket); before D → revision A's (screws 2)
    def work_order(planned_start, name: str) -> WorkOrder:
        page.goto(f"{host}/production/work-orders/new/")
        page.locator("#id_item").select_option(str(hood.pk))
        expect(page.locator("#id_bom option")).to_have_count(3)  # "in force" + v1 + v2, reloaded by htmx
        page.locator("#id_quantity").fill("10")
        page.locator("#id_planned_start").fill(planned_start.isoformat())
        shot(f"{name}-form")
        page.locator("#work-order-form button[type=submit]").click()
        expect(page.locator("#wo-number")).to_be_visible()
        shot(name)
        with tenant_context(enterprise):
            return WorkOrder.objects.get(number=page.locator("#wo-number").inner_text())

    after = work_order(effective + timedelta(days=1), "19-work-order-after-d")
    table = page.locator("#component-table")
    expect(table.locator("tr[data-item='GASKET-200']")).to_contain_text("10")
    expect(table.locator("tr[data-item='SCREW-M4']")).to_contain_text("30")
    expect(table.locator("tr[data-item='ASM-FAN']")).to_contain_text("10")
    before = work_order(effective - timedelta(days=5), "20-work-order-before-d")
    expect(table.locator("tr[data-item='GASKET-200']")).to_have_count(0)
    expect(table.locator("tr[data-item='SCREW-M4']")).to_contain_text("20")
    with tenant_context(enterprise):
        assert after.bom == rev_b.bom and before.bom == Part.objects.get().revisions.get(revision="A").bom

    # 11. the ECO list, the part, revision B and the documents after the change
    page.goto(f"{host}/pdm/ecos/")
    shot("21-eco-list-applied")
    page.goto(f"{host}/pdm/parts/{part.pk}/")
    shot("22-part-revisions")
    page.goto(f"{host}/pdm/revisions/{rev_b.pk}/")
    expect(page.locator("#bom-tree")).to_contain_text("GASKET-200")
    shot("23-revision-b-released")
    page.goto(f"{host}/pdm/documents/")
    expect(page.locator("main")).to_contain_text("DOC-00002")
    shot("24-document-list")
    page.context.close()
    assert problems == []
