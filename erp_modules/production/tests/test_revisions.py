"""A work order for a sales line that names a part's revision is made on that revision's BOM version, not on the
one in force (issue 13: a customer's variant stays on B while C is released). Real PostgreSQL, real PDM."""

import pytest
from django.core.exceptions import ValidationError

from core.testing import codes_by_field
from erp_modules.catalog.selectors import bom_effective
from erp_modules.production.services import work_order_create
from erp_modules.sales.tests.factories import make_filter, part_with_revisions


def test_a_work_order_on_revision_b_uses_bs_bom_while_c_is_in_force(erp):
    part = part_with_revisions()
    assert bom_effective(item=part["item"]).pk == part["C"].bom_id
    on_b = work_order_create(item=part["item"], quantity="3", revision="B")
    in_force = work_order_create(item=part["item"], quantity="3")
    assert on_b.bom_id == part["B"].bom_id and in_force.bom_id == part["C"].bom_id
    assert sorted(on_b.components.values_list("item__code", flat=True)) == ["CXW-200-A1-MOT-B"]
    assert sorted(in_force.components.values_list("item__code", flat=True)) == ["CXW-200-A1-MOT-B",
                                                                                "CXW-200-A1-MOT-C"]


@pytest.mark.parametrize("revision, code, message", [
    ("D", "revision_obsolete", "Revision “D” of CXW-200-A1: revision D is obsolete."),
    ("Z", "revision_unknown", "Revision “Z” of CXW-200-A1: there is no revision “Z” (usable: A, B, C)."),
])
def test_an_obsolete_or_unknown_revision_is_refused(erp, revision, code, message):
    part = part_with_revisions()
    with pytest.raises(ValidationError) as caught:
        work_order_create(item=part["item"], quantity="1", revision=revision)
    assert codes_by_field(caught.value) == {"revision": [code]}
    assert caught.value.message_dict["revision"] == [message]


def test_an_item_that_is_not_a_part_refuses_a_revision(erp):
    from erp_modules.catalog.models import Item
    from erp_modules.workspace.testing import make_bom, make_item

    hood = make_item("HOOD-1", item_type=Item.Type.FINISHED)
    make_bom(hood, [(make_filter(), 1)])
    with pytest.raises(ValidationError) as caught:
        work_order_create(item=hood, quantity="1", revision="A")
    assert codes_by_field(caught.value) == {"revision": ["revision_not_a_part"]}
