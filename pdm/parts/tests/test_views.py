"""The pages as a user uses them: make an item a part, start, change, submit, release, where-used, rules."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from io import BytesIO

from erp_modules.catalog.models import Bom
from erp_modules.workspace.testing import make_item
from pdm.parts.models import NumberingRule, Part, PartRevision
from pdm.parts.services import numbering_rule_create
from pdm.parts.services import revision_start as services_revision_start
from pdm.parts.tests.factories import hood_family, part_with_revision
from tenants.models import Role

pytestmark = pytest.mark.django_db
State = PartRevision.State
D = Decimal


def test_a_clerk_makes_an_item_a_part_starts_revision_a_and_changes_its_bom(erp, web):
    # given a hood with a released BOM and a clerk
    f = hood_family()
    client = web(Role.CLERK)
    # when the clerk makes it a part, starts revision A and adds a cover to its BOM
    response = client.post("/pdm/parts/new/", {"item": f["hood"].pk, "number": "hd-100"})
    part = Part.objects.get()
    assert (response.status_code, response["Location"], part.number) == (302, f"/pdm/parts/{part.pk}/", "HD-100")
    response = client.post(f"/pdm/parts/{part.pk}/revisions/new/")
    revision = PartRevision.objects.get()
    assert response["Location"] == f"/pdm/revisions/{revision.pk}/"
    cover = make_item(standard_cost=D("3"))
    response = client.post(f"/pdm/revisions/{revision.pk}/lines/add/", {
        "component": cover.pk, "quantity": "1", "scrap_pct": "0", "line_type": "component"})
    assert response.status_code == 302
    # then the revision page shows the indented tree with the cost rolled up (80.4 + 0.2 + 3)
    page = client.get(f"/pdm/revisions/{revision.pk}/").content.decode()
    assert 'id="rolled-up-cost">83.60<' in page.replace("¥", "").replace(",", "")
    assert page.count('class="bom-node"') == 5 and "<details open>" in page
    assert f["motor"].code in page and cover.code in page


def test_submit_release_and_the_part_list_show_the_current_revision(erp, web):
    f = hood_family()
    part, revision = part_with_revision(f["hood"], "HD-200")
    clerk, manager = web(Role.CLERK), None
    assert clerk.post(f"/pdm/revisions/{revision.pk}/submit/").status_code == 302
    # a clerk may not release
    assert clerk.post(f"/pdm/revisions/{revision.pk}/release/", {"effective_from": str(timezone.localdate())}
                      ).status_code == 403
    manager = web(Role.MANAGER)
    response = manager.post(f"/pdm/revisions/{revision.pk}/release/", {"effective_from": str(timezone.localdate())})
    assert response.status_code == 302
    revision.refresh_from_db()
    assert (revision.state, revision.bom.status) == (State.RELEASED, Bom.Status.RELEASED)
    # revision B, based on A, lists what it changes against A
    rev_b = services_revision_start(part=part, user=None)
    cover = make_item(standard_cost=D("3"))
    manager.post(f"/pdm/revisions/{rev_b.pk}/lines/add/", {"component": cover.pk, "quantity": "2", "scrap_pct": "0",
                                                          "line_type": "component"})
    page = manager.get(f"/pdm/revisions/{rev_b.pk}/").content.decode()
    assert "Changes against revision A" in page and page.count('data-kind="added"') == 1 and cover.code in page
    listing = manager.get("/pdm/parts/?current_state=released").content.decode()
    assert "HD-200" in listing and "released" in listing
    export = manager.get("/pdm/parts/?export=xlsx")
    rows = list(load_workbook(BytesIO(export.content)).active.values)
    assert rows[1][:5] == ("HD-200", f["hood"].code, f["hood"].name, "A", "released")


def test_bad_input_gets_field_errors_and_writes_nothing(erp, web):
    f = hood_family()
    part, revision = part_with_revision(f["hood"], "HD-300")
    client = web(Role.OWNER)
    taken = client.post("/pdm/parts/new/", {"item": f["motor"].pk, "number": "HD-300"})
    nothing = client.post("/pdm/parts/new/", {"item": f["screw"].pk})
    client.post(f"/pdm/revisions/{revision.pk}/submit/")
    past = client.post(f"/pdm/revisions/{revision.pk}/release/",
                       {"effective_from": str(timezone.localdate() - timedelta(days=1))})
    bad_date = client.post(f"/pdm/revisions/{revision.pk}/release/", {"effective_from": "2026-13-45"})
    frozen = client.post(f"/pdm/revisions/{revision.pk}/lines/add/", {
        "component": f["motor"].pk, "quantity": "1", "scrap_pct": "0", "line_type": "component"})
    assert (taken.status_code, nothing.status_code, past.status_code, bad_date.status_code, frozen.status_code) == (
        400, 400, 400, 400, 400)
    assert "The engineering number HD-300 is used already." in taken.content.decode()
    assert "Enter an engineering number or choose a numbering rule." in nothing.content.decode()
    assert "The effective date cannot be in the past." in past.content.decode()
    assert "is in review; return it to work before changing it." in frozen.content.decode()
    revision.refresh_from_db()
    assert (Part.objects.count(), revision.state, revision.bom.lines.count()) == (1, State.IN_REVIEW, 2)


def test_roles_viewer_reads_clerk_cannot_obsolete_or_edit_rules(erp, web):
    f = hood_family()
    part, revision = part_with_revision(f["hood"], "HD-400")
    viewer = web(Role.VIEWER)
    assert viewer.get(f"/pdm/parts/{part.pk}/").status_code == 200
    assert viewer.get(f"/pdm/revisions/{revision.pk}/").status_code == 200
    assert viewer.get(f"/pdm/parts/{part.pk}/where-used/").status_code == 200
    assert viewer.post(f"/pdm/revisions/{revision.pk}/submit/").status_code == 403
    assert viewer.get("/pdm/parts/new/").status_code == 403
    clerk = web(Role.CLERK)
    assert clerk.post(f"/pdm/revisions/{revision.pk}/obsolete/").status_code == 403
    assert clerk.get("/pdm/rules/").status_code == 403
    revision.refresh_from_db()
    assert revision.state == State.IN_WORK


def test_an_admin_edits_numbering_rules_and_a_part_takes_its_next_number(erp, web):
    admin = web(Role.ADMIN)
    response = admin.post("/pdm/rules/", {"name": "油烟机", "prefix": "rf", "category_code": "hd", "digits": "4",
                                          "next_value": "12", "active": "on"})
    rule = NumberingRule.objects.get()
    assert (response.status_code, rule.prefix, rule.category_code) == (302, "RF", "HD")
    digits = admin.post(f"/pdm/rules/{rule.pk}/", {"name": "x", "prefix": "RF", "digits": "99", "next_value": "1"})
    prefix = admin.post(f"/pdm/rules/{rule.pk}/", {"name": "x", "prefix": "R F", "digits": "4", "next_value": "1"})
    assert (digits.status_code, prefix.status_code) == (400, 400)
    assert 'id="error-digits"' in digits.content.decode()
    assert 'id="error-prefix"' in prefix.content.decode() and "Use 1 to 10 letters" in prefix.content.decode()
    rule.refresh_from_db()
    assert (rule.name, rule.digits) == ("油烟机", 4)
    item = make_item()
    admin.post("/pdm/parts/new/", {"item": item.pk, "rule": rule.pk})
    assert Part.objects.get().number == "RF-HD-0012"


def test_where_used_page_lists_parents_top_products_and_quantities(erp, web):
    f = hood_family()
    part, _revision = part_with_revision(f["screw"], "SC-1")
    page = web(Role.VIEWER).get(f"/pdm/parts/{part.pk}/where-used/").content.decode()
    assert f["assembly"].code in page and f["hood"].code in page
    assert ">6 " in page or ">6<" in page


def test_enterprise_a_cannot_read_or_change_bs_parts_through_pages(client, enterprise_pair):
    from django.db import connection
    from django_tenants.utils import tenant_context

    a, b, alice, _bob = enterprise_pair("parts-a", "parts-b")
    with tenant_context(a):
        numbering_rule_create(user=None, name="A", prefix="A")
        part_with_revision(make_item(), "A-OWN")
    with tenant_context(b):
        for n in range(2):  # B's ids run ahead of A's: each id below names nothing in A
            numbering_rule_create(user=None, name=f"B{n}", prefix=f"B{n}")
            part_with_revision(make_item(), f"B-{n}")
        rule = numbering_rule_create(user=None, name="B", prefix="BSECRET")
        b_item = make_item(item_type="finished", name="BSECRET 成品")
        b_part, b_revision = part_with_revision(b_item, "BSECRET-1")
        ids = {"part": b_part.pk, "revision": b_revision.pk, "rule": rule.pk}
    connection.set_schema_to_public()
    client.force_login(alice)
    host = f"{a.slug}.localhost"
    for url in [f"/pdm/parts/{ids['part']}/", f"/pdm/parts/{ids['part']}/where-used/",
                f"/pdm/revisions/{ids['revision']}/", f"/pdm/rules/{ids['rule']}/"]:
        assert client.get(url, HTTP_HOST=host).status_code == 404, url
    for url in [f"/pdm/parts/{ids['part']}/revisions/new/", f"/pdm/revisions/{ids['revision']}/submit/",
                f"/pdm/revisions/{ids['revision']}/obsolete/", f"/pdm/revisions/{ids['revision']}/lines/remove/"]:
        assert client.post(url, {"line": "1"}, HTTP_HOST=host).status_code == 404, url
        assert client.post(url, HTTP_HOST=f"{b.slug}.localhost").status_code == 404, url
    listing = client.get("/pdm/parts/?export=xlsx", HTTP_HOST=host).content + client.get(
        "/pdm/parts/", HTTP_HOST=host).content
    assert b"BSECRET" not in listing and b"A-OWN" in client.get("/pdm/parts/", HTTP_HOST=host).content
    with tenant_context(b):
        b_revision.refresh_from_db()
        assert (b_revision.state, PartRevision.objects.count()) == (State.IN_WORK, 3)
