"""Numbering, parts and the revision lifecycle, on real PostgreSQL through the real catalog services."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.testing import codes, codes_by_field
from erp_modules.catalog.models import Bom, Item, ItemCategory
from erp_modules.catalog.selectors import bom_effective
from erp_modules.catalog.services import bom_archive, bom_create, bom_line_add, bom_line_remove, bom_release
from erp_modules.common.selectors import audit_history
from erp_modules.workspace.testing import make_item
from pdm.parts.models import PartRevision
from pdm.parts.services import (numbering_rule_create, numbering_rule_update, part_create, revision_bom_line_add,
                                revision_bom_line_remove, revision_letter_after, revision_obsolete, revision_release,
                                revision_return, revision_start, revision_submit)
from pdm.parts.tests.factories import hood_family, part_with_revision
from tenants.models import Role

pytestmark = pytest.mark.django_db
State = PartRevision.State
D = Decimal


def _today():
    return timezone.localdate()


def test_revision_letters_run_a_to_z_then_aa():
    assert [revision_letter_after(x) for x in (None, "A", "Y", "Z", "AZ", "ZZ")] == ["A", "B", "Z",
                                                                                      "AA", "BA", "AAA"]


def test_part_number_comes_from_the_rule_and_skips_numbers_taken(erp, member):
    # given an admin's rule RF-HD starting at 7, and the number RF-HD-00007 taken by hand
    admin = member(Role.ADMIN)
    rule = numbering_rule_create(user=admin, name="Hoods", prefix="rf", category_code="hd", next_value=7)
    part_create(item=make_item(), number="RF-HD-00007", user=admin)
    # when two items become parts through the rule
    first = part_create(item=make_item(), rule=rule, user=admin)
    second = part_create(item=make_item(), rule=rule, user=admin)
    # then the numbers are the next free ones, and the rule moved on
    assert (first.number, second.number) == ("RF-HD-00008", "RF-HD-00009")
    rule.refresh_from_db()
    assert rule.next_value == 10


def test_the_rule_of_the_items_category_is_used_when_none_is_given(erp):
    category = ItemCategory.objects.create(code="MOT", name="电机")
    numbering_rule_create(user=None, name="Motors", prefix="MT", category=category, digits=3)
    part = part_create(item=make_item(category=category), user=None)
    assert part.number == "MT-001"


def test_part_create_refuses_a_second_part_a_taken_number_and_no_number(erp):
    item = make_item()
    part_create(item=item, number="X-1", user=None)
    with pytest.raises(ValidationError) as again:
        part_create(item=item, number="X-2", user=None)
    with pytest.raises(ValidationError) as taken:
        part_create(item=make_item(), number="x-1", user=None)
    with pytest.raises(ValidationError) as nothing:
        part_create(item=make_item(), user=None)
    assert codes_by_field(again) == {"item": ["item_already_part"]}
    assert codes_by_field(taken) == {"number": ["number_taken"]}
    assert codes_by_field(nothing) == {"number": ["number_required"]}


def test_numbering_rules_are_for_admins_and_unique_and_inactive_rules_number_nothing(erp, member):
    admin, clerk = member(Role.ADMIN), member(Role.CLERK)
    with pytest.raises(ValidationError) as forbidden:
        numbering_rule_create(user=member(Role.MANAGER), name="R", prefix="R")
    rule = numbering_rule_create(user=admin, name="R", prefix="R")
    with pytest.raises(ValidationError) as taken:
        numbering_rule_create(user=admin, name="R again", prefix="r")
    with pytest.raises(ValidationError) as invalid:
        numbering_rule_create(user=admin, name="Bad", prefix="R-1")
    numbering_rule_update(rule=rule, user=admin, active=False)
    with pytest.raises(ValidationError) as inactive:
        part_create(item=make_item(), rule=rule, user=clerk)
    assert codes(forbidden) == ["forbidden"]
    assert codes_by_field(taken) == {"prefix": ["rule_taken"]}
    assert codes_by_field(invalid) == {"prefix": ["rule_invalid"]}
    assert codes_by_field(inactive) == {"rule": ["rule_inactive"]}
    assert [e.action for e in audit_history(obj=rule).order_by("pk")] == ["create", "update"]


def test_revision_a_copies_the_bom_in_force_into_a_new_draft_version(erp, member):
    # given a hood whose BOM v1 is released
    family = hood_family()
    clerk = member(Role.CLERK)
    # when it becomes a part and revision A is started
    part, rev_a = part_with_revision(family["hood"], "HD-1", user=clerk)
    # then A is in work with its own draft version 2, a copy of v1
    assert (rev_a.revision, rev_a.state, rev_a.bom.version, rev_a.bom.status) == ("A", State.IN_WORK, 2, "draft")
    assert sorted((line.component_id, line.quantity) for line in rev_a.bom.lines.all()) == sorted(
        (line.component_id, line.quantity) for line in family["hood_bom"].lines.all())
    assert audit_history(obj=rev_a).get().action == "create"


def test_a_raw_material_revision_has_no_bom_and_a_new_product_an_empty_draft(erp):
    raw = make_item(item_type=Item.Type.RAW)
    fresh = make_item(item_type=Item.Type.FINISHED)
    _part, raw_rev = part_with_revision(raw, "RAW-1")
    _part, fresh_rev = part_with_revision(fresh, "NEW-1")
    assert raw_rev.bom is None
    assert (fresh_rev.bom.version, fresh_rev.bom.lines.count()) == (1, 0)


def test_the_whole_lifecycle_release_supersedes_the_previous_and_moves_the_erp_on_the_effective_date(erp, member):
    # given revision A of the hood released today
    family = hood_family()
    clerk, manager, admin = member(Role.CLERK), member(Role.MANAGER), member(Role.ADMIN)
    part, rev_a = part_with_revision(family["hood"], "HD-1", user=clerk)
    revision_submit(revision=rev_a, user=clerk)
    rev_a = revision_release(revision=rev_a, effective_from=_today(), user=manager)
    # when B is started from A, gets one more screw, is reviewed, returned, submitted again and released in 10 days
    rev_b = revision_start(part=part, user=clerk)
    revision_bom_line_add(revision=rev_b, component=make_item(standard_cost=D("1")), quantity=D("3"), user=clerk)
    revision_submit(revision=rev_b, user=clerk)
    revision_return(revision=rev_b, user=manager)
    revision_submit(revision=rev_b, user=clerk)
    later = _today() + timedelta(days=10)
    rev_b = revision_release(revision=rev_b, effective_from=later, user=manager)
    rev_a.refresh_from_db()
    # then A is superseded, B released; the ERP uses A's BOM until the day before and B's from that day
    assert (rev_a.based_on, rev_b.based_on_id, rev_b.revision) == (None, rev_a.pk, "B")
    assert (rev_a.state, rev_b.state, rev_b.effective_from) == (State.SUPERSEDED, State.RELEASED, later)
    assert bom_effective(item=family["hood"], on=later - timedelta(days=1)) == rev_a.bom
    assert bom_effective(item=family["hood"], on=later) == rev_b.bom
    assert rev_b.bom.lines.count() == 3
    assert [e.changes["state"] for e in audit_history(obj=rev_b).filter(action="status").order_by("pk")] == [
        ["in_work", "in_review"], ["in_review", "in_work"], ["in_work", "in_review"], ["in_review", "released"]]
    # and obsoleting A archives its BOM version
    revision_obsolete(revision=rev_a, user=admin)
    rev_a.refresh_from_db()
    assert (rev_a.state, rev_a.bom.status) == (State.OBSOLETE, Bom.Status.ARCHIVED)


def test_keep_previous_leaves_a_customers_variant_released(erp):
    family = hood_family()
    part, rev_b = part_with_revision(family["hood"], "HD-2")
    revision_submit(revision=rev_b, user=None)
    revision_release(revision=rev_b, effective_from=_today(), user=None)
    rev_c = revision_start(part=part, user=None)
    revision_submit(revision=rev_c, user=None)
    revision_release(revision=rev_c, effective_from=_today(), user=None, keep_previous=True)
    assert sorted(part.revisions.values_list("revision", "state")) == [("A", "released"), ("B", "released")]


def test_a_bought_in_component_without_structure_is_released_without_a_bom(erp):
    # given a purchased component (no BOM in the catalogue) under revision control
    screw = make_item(item_type=Item.Type.COMPONENT, standard_cost=D("0.10"))
    part, rev = part_with_revision(screw, "SC-1")
    draft = rev.bom
    assert draft is not None and not draft.lines.exists()
    # when its revision A is reviewed and released
    revision_submit(revision=rev, user=None)
    rev = revision_release(revision=rev, effective_from=_today(), user=None)
    # then it is released, and the empty draft BOM is gone (the catalog would refuse to release it)
    assert rev.state == "released" and rev.bom_id is None
    assert not Bom.objects.filter(pk=draft.pk).exists()
    assert bom_effective(item=screw) is None


def test_frozen_and_in_review_revisions_refuse_bom_changes_and_catalog_refuses_the_released_bom(erp):
    family = hood_family()
    part, rev = part_with_revision(family["hood"], "HD-3")
    line_id = rev.bom.lines.first().pk
    revision_submit(revision=rev, user=None)
    with pytest.raises(ValidationError) as in_review:
        revision_bom_line_remove(revision=rev, line_id=line_id, user=None)
    revision_release(revision=rev, effective_from=_today(), user=None)
    with pytest.raises(ValidationError) as frozen:
        revision_bom_line_add(revision=rev, component=family["screw"], quantity=D("1"), user=None)
    with pytest.raises(ValidationError) as catalog_locked:
        bom_line_add(bom=rev.bom, component=family["screw"], quantity=D("1"))
    revision_obsolete(revision=rev, user=None)
    with pytest.raises(ValidationError) as obsolete:
        revision_bom_line_remove(revision=rev, line_id=line_id, user=None)
    assert codes(in_review) == ["revision_in_review"]
    assert codes(frozen) == ["revision_frozen"]
    assert codes(catalog_locked) == ["bom_locked"]
    assert codes(obsolete) == ["revision_frozen"]


def test_the_catalog_pages_cannot_change_or_release_a_revisions_draft_bom_but_pdm_can(erp):
    # given revision A of the hood in review, its BOM a catalog draft
    family = hood_family()
    part, rev = part_with_revision(family["hood"], "HD-9")
    revision_submit(revision=rev, user=None)
    line = rev.bom.lines.first()
    # when the catalog's services add or remove a line, release or archive that BOM
    refusals = []
    for change in (lambda: bom_line_add(bom=rev.bom, component=family["screw"], quantity=D("1")),
                   lambda: bom_line_remove(line=line), lambda: bom_release(bom=rev.bom, effective_from=_today()),
                   lambda: bom_archive(bom=rev.bom)):
        with pytest.raises(ValidationError) as refused:
            change()
        refusals.append(codes(refused))
    # then each is refused with the code, naming the revision; the BOM is unchanged
    assert refusals == [["bom_of_revision"]] * 4
    assert "HD-9 A" in refused.value.messages[0]
    rev.bom.refresh_from_db()
    assert (rev.bom.status, rev.bom.lines.count()) == (Bom.Status.DRAFT, 2)
    # and PDM's own release still releases it
    revision_release(revision=rev, effective_from=_today(), user=None)
    rev.bom.refresh_from_db()
    assert rev.bom.status == Bom.Status.RELEASED
    # and a BOM that belongs to no part revision is the catalog's alone
    other = bom_create(item=make_item(item_type=Item.Type.FINISHED), lines=[{"component": family["screw"],
                                                                              "quantity": D("2")}])
    bom_line_add(bom=other, component=family["motor"], quantity=D("1"))
    assert bom_release(bom=other, effective_from=_today()).status == Bom.Status.RELEASED


def test_transitions_refuse_the_wrong_state_the_wrong_role_and_bad_dates(erp, member):
    family = hood_family()
    clerk, viewer, manager = member(Role.CLERK), member(Role.VIEWER), member(Role.MANAGER)
    part, rev = part_with_revision(family["hood"], "HD-4", user=clerk)
    with pytest.raises(ValidationError) as not_in_review:
        revision_release(revision=rev, effective_from=_today(), user=manager)
    with pytest.raises(ValidationError) as viewer_submits:
        revision_submit(revision=rev, user=viewer)
    revision_submit(revision=rev, user=clerk)
    with pytest.raises(ValidationError) as clerk_releases:
        revision_release(revision=rev, effective_from=_today(), user=clerk)
    with pytest.raises(ValidationError) as past:
        revision_release(revision=rev, effective_from=_today() - timedelta(days=1), user=manager)
    with pytest.raises(ValidationError) as no_date:
        revision_release(revision=rev, effective_from=None, user=manager)
    with pytest.raises(ValidationError) as manager_obsoletes:
        revision_obsolete(revision=rev, user=manager)
    with pytest.raises(ValidationError) as viewer_starts:
        revision_start(part=part, user=viewer)
    assert codes(not_in_review) == ["wrong_state"]
    assert codes(viewer_submits) == ["forbidden"]
    assert codes(clerk_releases) == ["forbidden"]
    assert codes_by_field(past) == {"effective_from": ["effective_date_past"]}
    assert codes_by_field(no_date) == {"effective_from": ["effective_date_required"]}
    assert codes(manager_obsoletes) == ["forbidden"]
    assert codes(viewer_starts) == ["forbidden"]
    rev.refresh_from_db()
    assert rev.state == State.IN_REVIEW


def test_a_failed_release_writes_nothing(erp):
    # given an empty product's revision in review (catalog refuses to release an empty BOM)
    part, rev = part_with_revision(make_item(item_type=Item.Type.FINISHED), "EMPTY-1")
    revision_submit(revision=rev, user=None)
    # when it is released
    with pytest.raises(ValidationError) as empty:
        revision_release(revision=rev, effective_from=_today(), user=None)
    # then the catalog's code, and the revision and its BOM are as before
    rev.refresh_from_db()
    assert codes(empty) == ["bom_empty"]
    assert (rev.state, rev.bom.status, rev.released_at) == (State.IN_REVIEW, "draft", None)


def test_based_on_must_be_a_revision_of_the_same_part(erp):
    family = hood_family()
    _hood, hood_rev = part_with_revision(family["hood"], "HD-5")
    assembly, _rev = part_with_revision(family["assembly"], "AS-5")
    with pytest.raises(ValidationError) as other:
        revision_start(part=assembly, based_on=hood_rev, user=None)
    assert codes_by_field(other) == {"based_on": ["based_on_other_part"]}
