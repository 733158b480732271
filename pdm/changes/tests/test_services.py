"""ECO services: create → start → approvals → advance → apply, with effective dates that hold."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.testing import codes, codes_by_field
from erp_modules.catalog.models import Bom
from erp_modules.catalog.selectors import bom_effective
from erp_modules.catalog.services import bom_line_add, bom_new_version, bom_release
from erp_modules.workspace.testing import make_item
from pdm.changes.models import Eco, EcoApproval, EcoApprovalRule
from pdm.changes.selectors import eco_bom_diffs, eco_history
from pdm.changes.services import (eco_advance, eco_apply, eco_cancel, eco_create, eco_decide, eco_rebase,
                                  eco_start)
from pdm.changes.tests.factories import D, later, new_eco, released_part, standard_type
from pdm.parts.models import PartRevision
from pdm.parts.services import revision_bom_line_add, revision_bom_line_remove
from tenants.models import Role


def test_the_whole_path_releases_the_new_bom_on_the_effective_date_and_not_before(erp, owner, member):
    # given a released hood (rev A) and a clerk, a manager
    rev_a = released_part("HOOD900")
    clerk, manager = member(Role.CLERK), member(Role.MANAGER)
    old_bom = rev_a.bom
    # when the clerk raises and starts an ECO effective in 30 days
    eco = new_eco([rev_a], user=clerk)
    assert eco.number == f"ECO-{timezone.localdate().year}-0001"
    assert (eco.state, eco.stage.name) == (Eco.State.DRAFT, "审核")
    eco = eco_start(eco=eco, user=clerk)
    # then rev B is in work with a draft copy of the BOM
    affected = eco.affected.get()
    rev_b = affected.new_revision
    assert (rev_b.revision, rev_b.state, rev_b.based_on_id) == ("B", PartRevision.State.IN_WORK, rev_a.pk)
    assert rev_b.bom.status == Bom.Status.DRAFT and rev_b.bom.version == 2
    # when the engineer changes the draft BOM: a new cable, 6 screws instead of 4
    screw_line = rev_b.bom.lines.get(component__code="HOOD900-SCREW")
    revision_bom_line_remove(revision=rev_b, line_id=screw_line.pk, user=clerk)
    revision_bom_line_add(revision=rev_b, component=screw_line.component, quantity=D("6"), user=clerk)
    revision_bom_line_add(revision=rev_b, component=make_item("CABLE"), quantity=D("1"), user=clerk)
    diff = eco_bom_diffs(eco=eco)[0]
    assert {row.code: row.kind for row in diff.diff.rows} == {"HOOD900-SCREW": "changed", "CABLE": "added"}
    assert diff.diff.unchanged == 1 and list(diff.changes.values()) == ["quantity", ""]
    # then advancing without the manager's approval is refused, naming who is missing
    with pytest.raises(ValidationError) as refused:
        eco_advance(eco=eco, user=clerk)
    assert codes(refused) == ["approvals_missing"]
    assert "any Manager" in refused.value.messages[0]
    # a clerk cannot approve
    with pytest.raises(ValidationError) as not_approver:
        eco_decide(eco=eco, user=clerk, decision="approved")
    assert codes(not_approver) == ["not_approver"]
    # when the manager approves, it advances to the final stage and is applied
    eco_decide(eco=eco, user=manager, decision="approved", comment="同意")
    eco = eco_advance(eco=eco, user=clerk)
    assert (eco.stage.name, eco.stage_round) == ("批准", 2)
    eco = eco_apply(eco=eco, user=manager)
    # then the new BOM is released effective on the ECO's date; before it, the old one is in force
    rev_a.refresh_from_db()
    rev_b.refresh_from_db()
    assert eco.state == Eco.State.APPLIED and eco.applied_by == manager
    assert (rev_a.state, rev_b.state) == (PartRevision.State.SUPERSEDED, PartRevision.State.RELEASED)
    assert rev_b.bom.status == Bom.Status.RELEASED and rev_b.bom.effective_from == later(30)
    item = rev_a.part.item
    assert bom_effective(item=item, on=later(29)).pk == old_bom.pk
    assert bom_effective(item=item, on=later(30)).pk == rev_b.bom_id
    assert bom_effective(item=item).pk == old_bom.pk
    # and the history says it all, in words
    changes = [(label, old or "—", new or "—") for h in eco_history(eco=eco) for label, (old, new) in h.changes.items()]
    assert [c for c in changes if c[0] == "state"][0] == ("state", "in progress", "applied")
    assert ("decision", "—", "approved") in changes


def test_a_rejection_needs_a_comment_and_sends_the_eco_back_to_the_first_stage_where_approvals_start_again(
        erp, member):
    rev = released_part()
    manager = member(Role.MANAGER)
    eco = eco_start(eco=new_eco([rev]))
    eco_decide(eco=eco, user=manager, decision="approved")
    eco = eco_advance(eco=eco)
    with pytest.raises(ValidationError) as no_comment:
        eco_decide(eco=eco, user=manager, decision="rejected")
    assert codes_by_field(no_comment) == {"comment": ["comment_required"]}
    eco_decide(eco=eco, user=manager, decision="rejected", comment="电机功率不够")
    eco.refresh_from_db()
    assert (eco.stage.name, eco.stage_round, eco.state) == ("审核", 3, Eco.State.IN_PROGRESS)
    with pytest.raises(ValidationError) as again:
        eco_advance(eco=eco)
    assert codes(again) == ["approvals_missing"]
    assert EcoApproval.objects.filter(eco=eco).count() == 2


def test_a_named_mandatory_approver_is_needed_even_when_a_manager_approved(erp, member):
    rev = released_part()
    manager, engineer = member(Role.MANAGER), member(Role.CLERK)
    stage = standard_type().stages.get(sequence=10)
    EcoApprovalRule.objects.create(stage=stage, user=engineer)
    eco = eco_start(eco=new_eco([rev]))
    eco_decide(eco=eco, user=manager, decision="approved")
    with pytest.raises(ValidationError) as refused:
        eco_advance(eco=eco)
    assert codes(refused) == ["approvals_missing"]
    assert engineer.email in refused.value.messages[0] and "Manager" not in refused.value.messages[0]
    eco_decide(eco=eco, user=engineer, decision="approved")
    assert eco_advance(eco=eco).stage.name == "批准"


def test_apply_is_refused_at_a_stage_that_does_not_allow_it_and_in_draft(erp, member):
    eco = new_eco([released_part()])
    with pytest.raises(ValidationError) as draft:
        eco_apply(eco=eco)
    assert codes(draft) == ["wrong_state"]
    eco = eco_start(eco=eco)
    with pytest.raises(ValidationError) as early:
        eco_apply(eco=eco)
    assert codes(early) == ["apply_not_allowed"]
    assert Eco.objects.get(pk=eco.pk).state == Eco.State.IN_PROGRESS


def test_applying_is_refused_with_a_conflict_naming_the_bom_someone_else_released_meanwhile(erp, member):
    # given a started ECO, approved and at the final stage
    rev = released_part("HOOD700")
    manager = member(Role.MANAGER)
    eco = eco_start(eco=new_eco([rev]))
    eco_decide(eco=eco, user=manager, decision="approved")
    eco = eco_advance(eco=eco)
    # when someone else releases another version of the same BOM meanwhile
    other = bom_release(bom=bom_new_version(bom=rev.bom), effective_from=later(10))
    # then applying is refused, naming it, and nothing is released
    with pytest.raises(ValidationError) as conflict:
        eco_apply(eco=eco, user=manager)
    assert codes(conflict) == ["conflict"]
    assert f"HOOD700 v{other.version}" in conflict.value.messages[0]
    eco.refresh_from_db()
    assert eco.state == Eco.State.IN_PROGRESS
    assert eco.affected.get().new_revision.bom.status == Bom.Status.DRAFT


def test_bad_input_is_refused_on_its_field(erp):
    rev = released_part()
    eco_type = standard_type()
    with pytest.raises(ValidationError) as no_title:
        eco_create(eco_type=eco_type, title=" ", effective_date=later(), revisions=[rev])
    assert codes_by_field(no_title) == {"title": ["required"]}
    with pytest.raises(ValidationError) as past:
        eco_create(eco_type=eco_type, title="x", effective_date=timezone.localdate() - timedelta(days=1),
                   revisions=[rev])
    assert codes_by_field(past) == {"effective_date": ["effective_date_past"]}
    with pytest.raises(ValidationError) as none:
        eco_create(eco_type=eco_type, title="x", effective_date=later(), revisions=[])
    assert codes_by_field(none) == {"revisions": ["no_parts"]}
    eco_create(eco_type=eco_type, title="x", effective_date=later(), revisions=[rev])
    with pytest.raises(ValidationError) as busy:
        eco_create(eco_type=eco_type, title="y", effective_date=later(), revisions=[rev])
    assert codes_by_field(busy) == {"revisions": ["part_in_open_eco"]}
    work = PartRevision.objects.create(part=released_part().part, revision="B")
    with pytest.raises(ValidationError) as unreleased:
        eco_create(eco_type=eco_type, title="z", effective_date=later(), revisions=[work])
    assert codes_by_field(unreleased) == {"revisions": ["not_released"]}
    assert Eco.objects.count() == 1


def test_cancelling_obsoletes_the_started_revision_and_frees_the_part_for_another_eco(erp, member):
    rev = released_part()
    eco = eco_start(eco=new_eco([rev]))
    new = eco.affected.get().new_revision
    eco = eco_cancel(eco=eco, user=member(Role.ADMIN))
    new.refresh_from_db()
    assert eco.state == Eco.State.CANCELLED
    assert new.state == PartRevision.State.OBSOLETE and new.bom.status == Bom.Status.ARCHIVED
    rev.refresh_from_db()
    assert rev.state == PartRevision.State.RELEASED
    with pytest.raises(ValidationError) as again:
        eco_cancel(eco=eco)
    assert codes(again) == ["wrong_state"]
    assert new_eco([rev]).state == Eco.State.DRAFT


def test_a_rebase_replays_the_ecos_changes_on_the_version_released_meanwhile_and_then_it_applies(erp, member):
    # given an ECO that changes the screws 4 → 6 and removes the motor, at its final stage
    rev = released_part("HOOD800")
    manager = member(Role.MANAGER)
    eco = eco_start(eco=new_eco([rev], days=20))
    draft = eco.affected.get().new_revision
    screw = draft.bom.lines.get(component__code="HOOD800-SCREW")
    revision_bom_line_remove(revision=draft, line_id=screw.pk, user=None)
    revision_bom_line_add(revision=draft, component=screw.component, quantity=D("6"), user=None)
    revision_bom_line_remove(revision=draft, line_id=draft.bom.lines.get(component__code="HOOD800-MOTOR").pk, user=None)
    eco_decide(eco=eco, user=manager, decision="approved")
    eco = eco_advance(eco=eco)
    # and meanwhile someone released a version with a new lamp
    other = bom_new_version(bom=rev.bom)
    lamp = make_item("HOOD800-LAMP")
    bom_line_add(bom=other, component=lamp, quantity=D("2"), sequence=30)
    bom_release(bom=other, effective_from=later(5))
    with pytest.raises(ValidationError) as conflict:
        eco_apply(eco=eco, user=manager)
    assert codes(conflict) == ["conflict"]
    # when the ECO is rebased
    eco = eco_rebase(eco=eco)
    # then its draft is the newer version with the ECO's changes: the lamp kept, 6 screws, no motor
    draft.bom.refresh_from_db()
    assert sorted((line.component.code, line.quantity) for line in draft.bom.lines.all()) == [
        ("HOOD800-LAMP", D("2")), ("HOOD800-SCREW", D("6"))]
    with pytest.raises(ValidationError) as nothing:
        eco_rebase(eco=eco)
    assert codes(nothing) == ["nothing_to_rebase"]
    # and it applies: from its date on the rebased BOM is in force, before it the other change
    eco = eco_apply(eco=eco, user=manager)
    assert bom_effective(item=rev.part.item, on=later(20)).pk == draft.bom_id
    assert bom_effective(item=rev.part.item, on=later(19)).pk == other.pk
