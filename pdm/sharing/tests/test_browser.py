"""The design-partner path in a real browser (Debian's chromium, Playwright), in zh-Hans: A's manager shares a
drawing with the design centre B from the document page (by credit code, upload mode); B's engineer finds it under
PDM › 共享给我们 on B's own host, downloads it and uploads version 2 for review; A sees version 2 and the history
naming B; A's manager revokes the share (confirming the dialog) and B's page is gone. A screenshot per step
(screenshots_dir()/sharing-NN-*.png); no page answers 500, no console error, no script error."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import tenant_context
from playwright.sync_api import expect

from core.testing import browser_login, browser_page, live_site, screenshots_dir
from pdm.sharing.models import Share
from pdm.vault.models import Document
from pdm.vault.services import document_create
from tenants.models import Membership, Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Partner-2026-share!"


def watched(page, problems: list[str]):
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text} @ {page.url}")
            if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e} @ {page.url}"))
    page.on("response", lambda r: problems.append(f"HTTP {r.status} {r.url}") if r.status >= 500 else None)
    return page


def test_share_a_drawing_the_partner_uploads_version_2_and_the_share_is_revoked(
        live_server, clean_schemas, chromium, make_enterprise, make_user):
    # given: the appliance maker A (its owner and a manager) and the design centre B (an engineer, a clerk)
    a_owner = make_user(email="owner@maker.test", password=PASSWORD, full_name="张总")
    manager = make_user(email="manager@maker.test", password=PASSWORD, full_name="王经理")
    b_owner = make_user(email="owner@design.test", password=PASSWORD, full_name="设计中心")
    engineer = make_user(email="engineer@design.test", password=PASSWORD, full_name="赵工")
    a = make_enterprise(slug="share-maker", owner=a_owner, name="慈溪市浏览器测试电器有限公司")
    b = make_enterprise(slug="share-design", owner=b_owner, name="宁波浏览器测试工业设计有限公司")
    Membership.objects.create(user=manager, enterprise=a, role=Role.MANAGER)
    Membership.objects.create(user=engineer, enterprise=b, role=Role.CLERK)
    with tenant_context(a):
        drawing = document_create(number="DOC-00001", title="控制面板外观图", kind=Document.Kind.DRAWING,
                                  file=SimpleUploadedFile("面板-v1.pdf", b"%PDF-1.4 panel v1"), user=a_owner)
    site, a_host, b_host = live_site(live_server), live_site(live_server, a.slug), live_site(live_server, b.slug)
    shots = screenshots_dir()
    problems: list[str] = []

    def shot(page, name: str) -> None:
        page.screenshot(path=str(shots / f"sharing-{name}.png"), full_page=True)

    # 1. A's manager shares the drawing with B by its credit code, upload mode
    page = watched(browser_page(chromium, locale="zh-CN", accept_downloads=True), problems)
    browser_login(page, site, "manager@maker.test", PASSWORD, then=f"{a_host}/**")
    page.goto(f"{a_host}/pdm/documents/{drawing.pk}/")
    expect(page.locator("#share-panel")).to_be_visible()
    page.locator("#share-form [name=partner]").fill(b.uscc)
    page.locator("#share-form [name=mode]").select_option("upload")
    page.locator("#share-form [name=note]").fill("请按新面板尺寸修改")
    shot(page, "01-share-form")
    page.locator("#share-form button[type=submit]").click()
    share = Share.objects.get()
    expect(page.locator(f"#share-list [data-share='{share.pk}']")).to_contain_text(b.name)
    shot(page, "02-shared")

    # 2. B's engineer: PDM › 共享给我们 on B's host, the drawing, its download, version 2 uploaded
    partner = watched(browser_page(chromium, locale="zh-CN", accept_downloads=True), problems)
    browser_login(partner, site, "engineer@design.test", PASSWORD, then=f"{b_host}/**")
    partner.goto(f"{b_host}/pdm/shared/")
    expect(partner.locator(f"#shared-table [data-share='{share.pk}']")).to_contain_text("DOC-00001")
    shot(partner, "03-shared-with-us")
    partner.locator(f"#shared-table a[href='/pdm/shared/{share.pk}/']").click()
    expect(partner.locator("#version-table tbody tr")).to_have_count(1)
    with partner.expect_download() as download:
        partner.locator("#version-table a").first.click()
    assert download.value.suggested_filename == "面板-v1.pdf"
    partner.locator("#upload-form input[type=file]").set_input_files(files=[{
        "name": "面板-v2.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 panel v2 by design"}])
    partner.locator("#upload-form [name=comment]").fill("面板加宽 20 mm")
    shot(partner, "04-upload-form")
    partner.locator("#upload-form button[type=submit]").click()
    expect(partner.locator("#version-table tbody tr")).to_have_count(2)
    shot(partner, "05-version-2-uploaded")

    # 3. A sees version 2 by B's engineer, and the history names B
    page.goto(f"{a_host}/pdm/documents/{drawing.pk}/")
    expect(page.locator("#version-table")).to_contain_text("面板加宽 20 mm")
    expect(page.locator("body")).to_contain_text(b.name)
    shot(page, "06-owner-sees-version-2")

    # 4. A's manager revokes (confirming the dialog); B's page is gone
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(f"form[action='/pdm/shares/{share.pk}/revoke/'] button").click()
    expect(page.locator(f"#share-list [data-share='{share.pk}'] .badge")).to_be_visible()
    shot(page, "07-revoked")
    seen = len(problems)
    response = partner.goto(f"{b_host}/pdm/shared/{share.pk}/")
    assert response.status == 404
    del problems[seen:]  # the browser reports the 404 itself in the console
    partner.goto(f"{b_host}/pdm/shared/")
    expect(partner.locator("#shared-table [data-share]")).to_have_count(0)
    shot(partner, "08-partner-after-revoke")
    Share.objects.get(pk=share.pk, revoked_by=manager)
    assert not problems, problems
