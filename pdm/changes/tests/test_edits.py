"""Changing an ECO once raised (issue 13): its title, reason and effective date while open (its owner or a
manager), each affected part's disposition while open, and the effective date of an applied ECO while
that date is still to come (managers) — each refused with a coded error on its field, each in the
history in words."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from core.testing import codes, codes_by_field
from erp_modules.catalog.models import Bom
from erp_modules.catalog.selectors import bom_effective
from erp_modules.catalog.services import bom_new_version, bom_release
from erp_modules.common.selectors import audit_history
from pdm.changes.models import Eco, EcoAffectedPart
from pdm.changes.selectors import eco_history
from pdm.changes.services import (eco_advance, eco_apply, eco_decide, eco_disposition_set, eco_effective_date_change,
                                  eco_start, eco_update)
from pdm.changes.tests.factories import later, new_eco, released_part
from pdm.parts.models import PartRevision
from tenants.models import Role


def _changes(eco):
    return [(label, old or "—", new or "—") for h in eco_history(eco=eco) for label, (old, new) in h.changes.items()]


def _applied(revisions, *, manager, days=30, user=None):
    eco = eco_start(eco=new_eco(revisions, user=user, days=days), user=user)
    eco_decide(eco=eco, user=manager, decision="approved")
    eco_advance(eco=eco, user=manager)
    return eco_apply(eco=eco, user=manager)


# ---- title, reason, effective date of an open ECO ----------------------------------------------------


def test_the_owner_and_a_manager_change_an_open_eco_and_the_history_says_what_changed(erp, member):
    # given an ECO raised by a clerk
    clerk, manager = member(Role.CLERK), member(Role.MANAGER)
    eco = new_eco([released_part()], user=clerk, days=30)
    # when its owner changes the title and the date
    eco = eco_update(eco=eco, title="电机换型 v2", reason=eco.reason, effective_date=later(20), user=clerk)
    # then they are saved, and the history names the fields, old → new
    eco.refresh_from_db()
    assert (eco.title, eco.effective_date) == ("电机换型 v2", later(20))
    assert ("title", "电机换型", "电机换型 v2") in _changes(eco)
    assert ("effective date", later(30).isoformat(), later(20).isoformat()) in _changes(eco)
    # when a manager (not the owner) changes the reason of the started ECO
    eco = eco_start(eco=eco, user=clerk)
    eco_update(eco=eco, title=eco.title, reason="客户要求", effective_date=eco.effective_date, user=manager)
    eco.refresh_from_db()
    assert eco.reason == "客户要求"
    assert ("reason", "供应商停产", "客户要求") in _changes(eco)
    # and the labels are the fields' names in the reader's language
    with translation.override("zh-hans"):
        assert ("原因", "供应商停产", "客户要求") in _changes(eco)


def test_another_clerk_a_past_date_an_empty_title_and_no_change_are_refused_and_nothing_is_written(erp, member):
    clerk, other = member(Role.CLERK), member(Role.CLERK)
    eco = new_eco([released_part()], user=clerk, days=30)
    entries = audit_history(obj=eco).count()
    with pytest.raises(ValidationError) as refused:
        eco_update(eco=eco, title="别人的", effective_date=eco.effective_date, user=other)
    assert codes(refused) == ["not_editor"]
    with pytest.raises(ValidationError) as refused:
        eco_update(eco=eco, title="x", effective_date=timezone.localdate() - timedelta(days=1), user=clerk)
    assert codes_by_field(refused) == {"effective_date": ["effective_date_past"]}
    with pytest.raises(ValidationError) as refused:
        eco_update(eco=eco, title="  ", effective_date=eco.effective_date, user=clerk)
    assert codes_by_field(refused) == {"title": ["required"]}
    with pytest.raises(ValidationError) as refused:
        eco_update(eco=eco, title=eco.title, reason=eco.reason, effective_date=eco.effective_date, user=clerk)
    assert codes(refused) == ["no_change"]
    eco.refresh_from_db()
    assert (eco.title, eco.effective_date) == ("电机换型", later(30))
    assert audit_history(obj=eco).count() == entries


def test_an_applied_eco_is_not_edited_as_an_open_one(erp, member):
    manager = member(Role.MANAGER)
    eco = _applied([released_part()], manager=manager)
    with pytest.raises(ValidationError) as refused:
        eco_update(eco=eco, title="迟了", effective_date=eco.effective_date, user=manager)
    assert codes(refused) == ["wrong_state"]


# ---- disposition per affected part -------------------------------------------------------------------


def test_each_affected_part_has_its_own_disposition_while_the_eco_is_open(erp, member):
    # given an ECO on two hoods, both "use up"
    clerk, manager = member(Role.CLERK), member(Role.MANAGER)
    first, second = released_part("HOOD710"), released_part("HOOD711")
    eco = new_eco([first, second], user=clerk)
    a, b = eco.affected.order_by("pk")
    # when the owner sets the second to scrap, then a manager sets the first to rework
    eco_disposition_set(eco=eco, affected_id=b.pk, disposition="scrap", user=clerk)
    eco_disposition_set(eco=eco, affected_id=a.pk, disposition="rework", user=manager)
    # then each part keeps its own
    assert dict(eco.affected.values_list("old_revision__part__number", "disposition")) == {
        "RH-HOOD710": "rework", "RH-HOOD711": "scrap"}
    # and the history names the part and the dispositions in words
    assert ("disposition of stock and open orders (RH-HOOD711)", "use up", "scrap") in _changes(eco)
    with translation.override("zh-hans"):
        assert ("库存及未结订单处置（RH-HOOD710）", "用完", "返工") in _changes(eco)
    # when applied, the dispositions are fixed
    eco = eco_start(eco=eco, user=clerk)
    eco_decide(eco=eco, user=manager, decision="approved")
    eco_advance(eco=eco, user=manager)
    eco = eco_apply(eco=eco, user=manager)
    with pytest.raises(ValidationError) as refused:
        eco_disposition_set(eco=eco, affected_id=a.pk, disposition="use_up", user=manager)
    assert codes(refused) == ["wrong_state"]


def test_a_disposition_is_refused_to_another_clerk_for_a_bad_value_and_for_a_part_of_another_eco(erp, member):
    clerk, other = member(Role.CLERK), member(Role.CLERK)
    eco, another = new_eco([released_part()], user=clerk), new_eco([released_part()], user=clerk)
    affected = eco.affected.get()
    for kwargs, expected in (({"affected_id": affected.pk, "disposition": "scrap", "user": other}, ["not_editor"]),
                             ({"affected_id": affected.pk, "disposition": "melt", "user": clerk}, ["required"]),
                             ({"affected_id": another.affected.get().pk, "disposition": "scrap", "user": clerk},
                              ["not_affected"]),
                             ({"affected_id": affected.pk, "disposition": "use_up", "user": clerk}, ["no_change"])):
        with pytest.raises(ValidationError) as refused:
            eco_disposition_set(eco=eco, **kwargs)
        assert codes(refused) == expected
    assert set(EcoAffectedPart.objects.values_list("disposition", flat=True)) == {"use_up"}


# ---- the effective date of an applied ECO ------------------------------------------------------------


def test_a_manager_moves_the_date_of_an_applied_eco_and_the_released_bom_moves_with_it(erp, member):
    # given an ECO applied with the date in 30 days
    manager = member(Role.MANAGER)
    rev_a = released_part("HOOD720")
    eco = _applied([rev_a], manager=manager, days=30)
    rev_b = eco.affected.get().new_revision
    item = rev_a.part.item
    # when a manager brings it forward to 10 days
    eco = eco_effective_date_change(eco=eco, effective_date=later(10), user=manager)
    # then the ECO, the new revision and its BOM version have the new date, and the ERP switches on it
    rev_b.refresh_from_db()
    assert eco.effective_date == later(10) == rev_b.effective_from
    assert Bom.objects.get(pk=rev_b.bom_id).effective_from == later(10)
    assert bom_effective(item=item, on=later(9)).pk == rev_a.bom_id
    assert bom_effective(item=item, on=later(10)).pk == rev_b.bom_id
    # and the ECO's, the revision's and the BOM version's histories say old → new
    assert ("effective date", later(30).isoformat(), later(10).isoformat()) in _changes(eco)
    assert audit_history(obj=rev_b).first().changes == {"effective_from": [later(30).isoformat(), later(10).isoformat()]}
    assert audit_history(obj=rev_b.bom).first().changes == {
        "effective_from": [later(30).isoformat(), later(10).isoformat()]}
    # when it is moved later than first planned, it moves again
    eco = eco_effective_date_change(eco=eco, effective_date=later(40), user=manager)
    assert bom_effective(item=item, on=later(39)).pk == rev_a.bom_id


def test_moving_an_applied_date_is_refused_in_the_past_past_another_version_when_reached_and_to_a_clerk(
        erp, member):
    manager, clerk = member(Role.MANAGER), member(Role.CLERK)
    rev_a = released_part("HOOD730")
    eco = _applied([rev_a], manager=manager, days=30)
    new_bom = eco.affected.get().new_revision.bom
    # another version of the hood released meanwhile, in force from day 45
    other = bom_release(bom=bom_new_version(bom=new_bom), effective_from=later(45))
    refusals = {}
    for user, date in ((manager, timezone.localdate() - timedelta(days=1)), (manager, later(50)),
                       (manager, later(45)), (clerk, later(20)), (manager, later(30))):
        with pytest.raises(ValidationError) as refused:
            eco_effective_date_change(eco=eco, effective_date=date, user=user)
        refusals[(user.pk, date)] = codes_by_field(refused) if hasattr(refused.value, "error_dict") else codes(refused)
    assert list(refusals.values()) == [
        {"effective_date": ["effective_date_past"]}, {"effective_date": ["effective_date_order"]},
        {"effective_date": ["effective_date_order"]}, ["not_editor"], {"effective_date": ["no_change"]}]
    # the refusal names the version it would pass
    with pytest.raises(ValidationError) as refused:
        eco_effective_date_change(eco=eco, effective_date=later(50), user=manager)
    assert f"HOOD730 v{other.version}" in refused.value.messages[0]
    # nothing moved
    eco.refresh_from_db()
    assert eco.effective_date == later(30) and Bom.objects.get(pk=new_bom.pk).effective_from == later(30)
    # up to the day before the other version it moves
    eco_effective_date_change(eco=eco, effective_date=later(44), user=manager)
    # an ECO in force today (its date reached) cannot move
    in_force = _applied([released_part()], manager=manager, days=0)
    with pytest.raises(ValidationError) as refused:
        eco_effective_date_change(eco=in_force, effective_date=later(5), user=manager)
    assert codes_by_field(refused) == {"effective_date": ["effective_date_reached"]}
    # an open ECO is not moved this way (it is edited)
    with pytest.raises(ValidationError) as refused:
        eco_effective_date_change(eco=new_eco([released_part()]), effective_date=later(5), user=manager)
    assert codes(refused) == ["wrong_state"]
    assert Eco.objects.filter(state=Eco.State.APPLIED).count() == 2
    assert PartRevision.objects.filter(effective_from=later(44)).count() == 1
