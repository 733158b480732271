"""Items, versioned BOMs (immutable once released), cycle detection, explosion and where-used."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from erp_modules.catalog.models import Bom, Item
from erp_modules.catalog.selectors import bom_effective, bom_explode, bom_where_used
from erp_modules.catalog.services import (bom_create, bom_line_add, bom_new_version, bom_release, item_create,
                                          item_update, uom_convert)
from erp_modules.common.selectors import audit_history
from erp_modules.workspace.testing import make_bom, make_item, receive, unit

D = Decimal


def test_item_codes_are_unique_ignoring_case(erp):
    make_item("HOOD-900")
    with pytest.raises(ValidationError) as exc:
        item_create(code="hood-900", name="x", item_type=Item.Type.FINISHED, uom=unit())
    assert exc.value.error_dict["code"][0].code == "code_taken"


def test_item_changes_are_in_the_history(erp, make_user):
    user = make_user()
    item = make_item("FILTER-1", lead_time_days=3)
    item_update(item=item, user=user, lead_time_days=7, name="不锈钢油网")
    entry = audit_history(obj=item).first()
    assert entry.action == "update" and entry.user_label == user.email
    assert entry.changes == {"lead_time_days": [3, 7], "name": ["物料 FILTER-1", "不锈钢油网"]}


def test_an_item_with_stock_cannot_become_a_kit(erp):
    item = make_item()
    receive(item, 1)
    with pytest.raises(ValidationError) as exc:
        item_update(item=item, item_type=Item.Type.KIT)
    assert exc.value.error_dict["item_type"][0].code == "has_stock"


def test_released_bom_is_immutable_and_a_new_version_is_an_editable_copy(erp):
    hood, motor, fan = make_item(item_type="finished"), make_item(), make_item()
    v1 = make_bom(hood, [(motor, 1)])
    with pytest.raises(ValidationError) as exc:
        bom_line_add(bom=v1, component=fan, quantity=D("1"))
    assert exc.value.code == "bom_locked"
    v2 = bom_new_version(bom=v1)
    assert (v2.version, v2.status, v2.lines.count()) == (2, Bom.Status.DRAFT, 1)
    bom_line_add(bom=v2, component=fan, quantity=D("2"))
    bom_release(bom=v2, effective_from=date.today() + timedelta(days=30))
    assert bom_effective(item=hood) == v1
    assert bom_effective(item=hood, on=date.today() + timedelta(days=31)) == v2


def test_cycles_are_reported_with_the_path(erp):
    a, b, c = make_item("A-ASM", item_type="subassembly"), make_item("B-ASM", item_type="subassembly"), \
        make_item("C-ASM", item_type="subassembly")
    make_bom(a, [(b, 1)])
    make_bom(b, [(c, 1)])
    draft = bom_create(item=c)
    with pytest.raises(ValidationError) as exc:
        bom_line_add(bom=draft, component=a, quantity=D("1"))
    error = exc.value.error_dict["component"][0]
    assert error.code == "bom_cycle"
    assert "C-ASM → A-ASM → B-ASM → C-ASM" in error.message
    with pytest.raises(ValidationError) as exc:
        bom_line_add(bom=draft, component=c, quantity=D("1"))
    assert exc.value.error_dict["component"][0].code == "bom_cycle"


def test_release_needs_a_component(erp):
    bom = bom_create(item=make_item(item_type="finished"))
    with pytest.raises(ValidationError) as exc:
        bom_release(bom=bom)
    assert exc.value.code == "bom_empty"


def test_explosion_multiplies_quantities_through_levels_with_scrap(erp):
    hood = make_item("HOOD", item_type="finished")
    motor_asm = make_item("MOTOR-ASM", item_type="subassembly")
    winding, screw, housing = make_item("WINDING"), make_item("SCREW"), make_item("HOUSING")
    make_bom(motor_asm, [(winding, 1), (screw, 4)], quantity="2")  # a batch of 2 motors
    make_bom(hood, [(motor_asm, 1), (housing, 1), (screw, 8)], scrap={"SCREW": 10})
    rows = {(r.level, r.item.code): r.quantity for r in bom_explode(item=hood, quantity=D("10"))}
    assert rows[(1, "MOTOR-ASM")] == D("10")
    assert rows[(1, "HOUSING")] == D("10")
    assert rows[(1, "SCREW")] == D("88.0")  # 10 × 8 × 1.10
    assert rows[(2, "WINDING")] == D("5")  # 10 motors / batch of 2 × 1
    assert rows[(2, "SCREW")] == D("20")  # 10 / 2 × 4


def test_where_used_walks_up_all_levels(erp):
    hood = make_item("HOOD2", item_type="finished")
    asm = make_item("ASM2", item_type="subassembly")
    screw = make_item("SCREW2")
    make_bom(asm, [(screw, 2)])
    make_bom(hood, [(asm, 1)])
    used = [(u["level"], u["item"].code) for u in bom_where_used(item=screw)]
    assert used == [(1, "ASM2"), (2, "HOOD2")]


def test_unit_conversion_uses_item_specific_then_general_factors(erp):
    assert uom_convert(quantity=D("2.5"), from_uom=unit("kg"), to_uom=unit("g")) == D("2500")
    assert uom_convert(quantity=D("500"), from_uom=unit("g"), to_uom=unit("kg")) == D("0.5")
    with pytest.raises(ValidationError) as exc:
        uom_convert(quantity=D("1"), from_uom=unit("roll"), to_uom=unit("m"))
    assert exc.value.code == "no_conversion"
