"""The ECO pages through the Django test client, on the enterprise's host."""

import io
from datetime import timedelta

import openpyxl
from django.utils import timezone

from erp_modules.catalog.models import Bom
from erp_modules.catalog.selectors import bom_effective
from erp_modules.catalog.services import bom_new_version, bom_release
from pdm.changes.models import Eco, EcoApproval
from pdm.changes.services import eco_start
from erp_modules.workspace.testing import make_item, receive
from pdm.changes.tests.factories import D, later, new_eco, released_part, standard_type
from pdm.parts.services import revision_bom_line_add
from tenants.models import Role


def test_a_user_raises_starts_approves_advances_and_applies_an_eco_through_the_pages(erp, web, member, client):
    # given a released hood
    rev = released_part("HOOD500")
    # when the owner raises an ECO on the form
    response = web.post("/pdm/ecos/new/", {
        "eco_type": standard_type().pk, "title": "换电机", "reason": "供应商停产", "effective_date": later(14).isoformat(),
        "revisions": [rev.pk], "disposition": "rework"})
    eco = Eco.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/pdm/ecos/{eco.pk}/"
    assert eco.affected.get().disposition == "rework"
    # then it is in the list and in the Excel export
    assert eco.number in web.get("/pdm/ecos/").content.decode()
    sheet = openpyxl.load_workbook(io.BytesIO(web.get("/pdm/ecos/?export=xlsx").content)).active
    assert [c.value for c in sheet[2]][:2] == [eco.number, "换电机"]
    # when it is started, approved by the owner (an administrator is a manager and more), advanced, applied
    assert web.post(f"/pdm/ecos/{eco.pk}/start/").status_code == 302
    revision_bom_line_add(revision=eco.affected.get().new_revision, component=make_item("HOOD500-CABLE"),
                          quantity=D("2"), user=None)
    page = web.get(f"/pdm/ecos/{eco.pk}/").content.decode()
    assert "→ B (in work)" in page and "HOOD500-CABLE" in page and "2 lines unchanged" in page
    # and the impact the disposition is about: the stock of the hood
    receive(rev.part.item, 5)
    assert "HOOD500: 5 pcs" in web.get(f"/pdm/ecos/{eco.pk}/").content.decode()
    web.post(f"/pdm/ecos/{eco.pk}/advance/")
    eco.refresh_from_db()
    assert eco.stage.name == "审核"  # refused: the manager's approval is missing
    assert web.post(f"/pdm/ecos/{eco.pk}/decide/", {"decision": "approved", "comment": ""}).status_code == 302
    assert "any Manager · mandatory ✓" in web.get(f"/pdm/ecos/{eco.pk}/").content.decode()
    web.post(f"/pdm/ecos/{eco.pk}/advance/")
    assert web.post(f"/pdm/ecos/{eco.pk}/apply/").status_code == 302
    # then the new BOM is in force from the effective date on
    eco.refresh_from_db()
    assert eco.state == Eco.State.APPLIED
    new_bom = eco.affected.get().new_revision.bom
    assert bom_effective(item=rev.part.item, on=later(14)).pk == new_bom.pk
    assert bom_effective(item=rev.part.item, on=later(13)).pk == rev.bom_id
    page = web.get(f"/pdm/ecos/{eco.pk}/").content.decode()
    assert "state: in progress → applied" in page


def test_a_refused_advance_says_who_is_missing(erp, web):
    eco = eco_start(eco=new_eco([released_part()]))
    response = web.post(f"/pdm/ecos/{eco.pk}/advance/", follow=True)
    assert "The stage 审核 still needs the approval of: any Manager." in response.content.decode()


def test_bad_input_comes_back_on_its_field_and_nothing_is_written(erp, web):
    rev = released_part()
    response = web.post("/pdm/ecos/new/", {
        "eco_type": standard_type().pk, "title": "x", "effective_date": (timezone.localdate() - timedelta(days=1))
        .isoformat(), "revisions": [rev.pk], "disposition": "use_up"})
    assert response.status_code == 400
    assert response.context["form"].errors["effective_date"] == [
        "The effective date cannot be in the past (orders already planned would change behind their backs)."]
    response = web.post("/pdm/ecos/new/", {"eco_type": standard_type().pk, "title": "", "effective_date": "2099-13-40",
                                           "revisions": ["abc"], "disposition": "melt"})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"title", "effective_date", "revisions", "disposition"}
    assert Eco.objects.count() == 0
    eco = eco_start(eco=new_eco([rev]))
    response = web.post(f"/pdm/ecos/{eco.pk}/decide/", {"decision": "rejected", "comment": ""})
    assert response.status_code == 400
    assert response.context["decision_form"].errors["comment"] == ["Say why you reject it."]
    assert EcoApproval.objects.count() == 0


def test_roles_viewers_read_clerks_raise_and_comment_approvers_approve_managers_apply(erp, client, member):
    rev = released_part()
    eco = eco_start(eco=new_eco([rev]))
    viewer, clerk, manager = member(Role.VIEWER), member(Role.CLERK), member(Role.MANAGER)
    host = {"HTTP_HOST": f"{erp.slug}.localhost", "HTTP_ACCEPT_LANGUAGE": "en"}
    client.force_login(viewer)
    assert client.get("/pdm/ecos/", **host).status_code == 200
    assert client.get(f"/pdm/ecos/{eco.pk}/", **host).status_code == 200
    assert client.get("/pdm/ecos/new/", **host).status_code == 403
    assert client.post(f"/pdm/ecos/{eco.pk}/decide/", {"decision": "comment", "comment": "?"}, **host).status_code == 403
    client.force_login(clerk)
    assert client.post(f"/pdm/ecos/{eco.pk}/decide/", {"decision": "comment", "comment": "看过了"},
                       **host).status_code == 302
    response = client.post(f"/pdm/ecos/{eco.pk}/decide/", {"decision": "approved"}, **host)
    assert response.status_code == 400
    assert "You are not an approver of the stage 审核." in response.content.decode()
    assert client.post(f"/pdm/ecos/{eco.pk}/apply/", **host).status_code == 403
    client.force_login(manager)
    assert client.post(f"/pdm/ecos/{eco.pk}/decide/", {"decision": "approved"}, **host).status_code == 302
    assert client.post(f"/pdm/ecos/{eco.pk}/advance/", **host).status_code == 302
    assert client.post(f"/pdm/ecos/{eco.pk}/apply/", **host).status_code == 302
    eco.refresh_from_db()
    assert eco.state == Eco.State.APPLIED
    assert list(eco.approvals.values_list("decision", flat=True).order_by("id")) == ["comment", "approved"]
    assert Bom.objects.get(pk=eco.affected.get().new_revision.bom_id).status == Bom.Status.RELEASED


def test_only_administrators_cancel_an_eco(erp, client, member):
    eco = eco_start(eco=new_eco([released_part()]))
    host = {"HTTP_HOST": f"{erp.slug}.localhost"}
    client.force_login(member(Role.MANAGER))
    assert client.post(f"/pdm/ecos/{eco.pk}/cancel/", **host).status_code == 403
    client.force_login(member(Role.ADMIN))
    assert client.post(f"/pdm/ecos/{eco.pk}/cancel/", **host).status_code == 302
    eco.refresh_from_db()
    assert eco.state == Eco.State.CANCELLED


def test_the_eco_page_names_a_bom_released_meanwhile_and_rebases_on_it(erp, web):
    rev = released_part("HOOD600")
    eco = eco_start(eco=new_eco([rev]))
    other = bom_release(bom=bom_new_version(bom=rev.bom), effective_from=later(3))
    page = web.get(f"/pdm/ecos/{eco.pk}/").content.decode()
    assert f"Released since this ECO started: HOOD600 v{other.version}" in page
    response = web.post(f"/pdm/ecos/{eco.pk}/rebase/", follow=True)
    assert "Rebased: the draft BOMs start from the newest released versions" in response.content.decode()
    assert "Released since this ECO started" not in response.content.decode()


# ---- changes once raised (issue 13) --------------------------------------------------------------------


def _host(erp):
    return {"HTTP_HOST": f"{erp.slug}.localhost", "HTTP_ACCEPT_LANGUAGE": "en"}


def test_the_owner_edits_an_open_eco_and_its_dispositions_others_are_refused(erp, client, member):
    # given an ECO on two hoods raised by a clerk
    owner, other, viewer = member(Role.CLERK), member(Role.CLERK), member(Role.VIEWER)
    eco = new_eco([released_part("HOOD810"), released_part("HOOD811")], user=owner)
    first, second = eco.affected.order_by("pk")
    host = _host(erp)
    # a viewer reads the page without forms and may not open the edit page nor post a disposition
    client.force_login(viewer)
    page = client.get(f"/pdm/ecos/{eco.pk}/", **host).content.decode()
    assert "disposition-form" not in page and f"/pdm/ecos/{eco.pk}/edit/" not in page
    assert client.get(f"/pdm/ecos/{eco.pk}/edit/", **host).status_code == 403
    assert client.post(f"/pdm/ecos/{eco.pk}/disposition/", {"affected": first.pk, "disposition": "scrap"},
                       **host).status_code == 403
    # another clerk sees no form either, and is refused on the page when posting
    client.force_login(other)
    assert "disposition-form" not in client.get(f"/pdm/ecos/{eco.pk}/", **host).content.decode()
    response = client.post(f"/pdm/ecos/{eco.pk}/edit/", {"title": "抢改", "effective_date": later(20).isoformat()},
                           **host)
    assert response.status_code == 400
    assert f"Only the member who raised {eco.number} or a manager may change it." in response.content.decode()
    # the owner changes the title and date on the edit page; a past date comes back on its field
    client.force_login(owner)
    assert client.get(f"/pdm/ecos/{eco.pk}/edit/", **host).status_code == 200
    response = client.post(f"/pdm/ecos/{eco.pk}/edit/", {"title": "换电机", "reason": "",
                                                         "effective_date": "2020-01-01"}, **host)
    assert response.status_code == 400
    assert response.context["form"].errors["effective_date"] == [
        "The effective date cannot be in the past (orders already planned would change behind their backs)."]
    response = client.post(f"/pdm/ecos/{eco.pk}/edit/", {"title": "换电机", "reason": "供应商停产",
                                                         "effective_date": later(20).isoformat()}, **host)
    assert response.status_code == 302
    # and sets the second part to scrap on the ECO page
    page = client.get(f"/pdm/ecos/{eco.pk}/", **host).content.decode()
    assert f'name="affected" value="{second.pk}"' in page and f'id="id_part{second.pk}_disposition"' in page
    response = client.post(f"/pdm/ecos/{eco.pk}/disposition/", {"affected": second.pk, "disposition": "scrap"},
                           **host)
    assert response.status_code == 302
    response = client.post(f"/pdm/ecos/{eco.pk}/disposition/", {"affected": second.pk, "disposition": "melt"},
                           **host)
    assert response.status_code == 400 and "melt" in str(response.context["affected"][1].form.errors)
    # a part of another ECO is refused, and the refusal is shown
    another = new_eco([released_part("HOOD812")], user=owner)
    response = client.post(f"/pdm/ecos/{eco.pk}/disposition/",
                           {"affected": another.affected.get().pk, "disposition": "scrap"}, **host)
    assert response.status_code == 400 and f"That part is not one of {eco.number}." in response.content.decode()
    # then the history tells it in words
    page = client.get(f"/pdm/ecos/{eco.pk}/", **host).content.decode()
    assert "title: 电机换型 → 换电机" in page
    assert f"effective date: {later(30).isoformat()} → {later(20).isoformat()}" in page
    assert "disposition of stock and open orders (RH-HOOD811): use up → scrap" in page
    assert dict(eco.affected.values_list("pk", "disposition")) == {first.pk: "use_up", second.pk: "scrap"}


def test_a_manager_moves_the_date_of_an_applied_eco_on_its_page_a_clerk_cannot(erp, client, member):
    # given an applied ECO effective in 30 days
    manager, clerk = member(Role.MANAGER), member(Role.CLERK)
    rev = released_part("HOOD820")
    eco = eco_start(eco=new_eco([rev], user=clerk), user=clerk)
    from pdm.changes.services import eco_advance, eco_apply, eco_decide
    eco_decide(eco=eco, user=manager, decision="approved")
    eco_advance(eco=eco, user=manager)
    eco = eco_apply(eco=eco, user=manager)
    new_bom = eco.affected.get().new_revision.bom
    host = _host(erp)
    # a clerk (even its owner) sees the dispositions read-only and no date form, and may not post one
    client.force_login(clerk)
    page = client.get(f"/pdm/ecos/{eco.pk}/", **host).content.decode()
    assert "effective-date-form" not in page and "disposition-form" not in page and "use up" in page
    assert client.post(f"/pdm/ecos/{eco.pk}/effective-date/", {"effective_date": later(10).isoformat()},
                       **host).status_code == 403
    # a manager: a past date and a date past another version come back on the field
    client.force_login(manager)
    assert "effective-date-form" in client.get(f"/pdm/ecos/{eco.pk}/", **host).content.decode()
    response = client.post(f"/pdm/ecos/{eco.pk}/effective-date/", {"effective_date": "2020-01-01"}, **host)
    assert response.status_code == 400
    assert response.context["date_form"].errors["effective_date"] == [
        "The effective date cannot be in the past (orders already planned would change behind their backs)."]
    other = bom_release(bom=bom_new_version(bom=new_bom), effective_from=later(45))
    response = client.post(f"/pdm/ecos/{eco.pk}/effective-date/", {"effective_date": later(60).isoformat()}, **host)
    assert response.status_code == 400
    assert f"would pass or meet HOOD820 v{other.version}" in response.content.decode()
    # a date between them moves the ECO and its BOM version
    response = client.post(f"/pdm/ecos/{eco.pk}/effective-date/", {"effective_date": later(12).isoformat()},
                           **host)
    assert response.status_code == 302
    assert bom_effective(item=rev.part.item, on=later(12)).pk == new_bom.pk
    page = client.get(f"/pdm/ecos/{eco.pk}/", **host).content.decode()
    assert f"effective date: {later(30).isoformat()} → {later(12).isoformat()}" in page
