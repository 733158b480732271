"""Builders for the parts tests (inside tenant_context): real rows through the real services."""

from __future__ import annotations

from decimal import Decimal

from erp_modules.catalog.models import Item
from erp_modules.workspace.testing import make_bom, make_item
from pdm.parts.services import part_create, revision_start

D = Decimal


def hood_family():
    """A hood (finished) with a motor assembly (subassembly of a motor and 4 screws) and 2 screws;
    every BOM released today. Returns a dict of the items and the hood's BOM."""
    screw = make_item(item_type=Item.Type.COMPONENT, standard_cost=D("0.10"))
    motor = make_item(item_type=Item.Type.COMPONENT, standard_cost=D("80"))
    assembly = make_item(item_type=Item.Type.SUBASSEMBLY, standard_cost=D("0"))
    hood = make_item(item_type=Item.Type.FINISHED, standard_cost=D("0"))
    assembly_bom = make_bom(assembly, [(motor, 1), (screw, 4)])
    hood_bom = make_bom(hood, [(assembly, 1), (screw, 2)])
    return {"screw": screw, "motor": motor, "assembly": assembly, "hood": hood, "hood_bom": hood_bom,
            "assembly_bom": assembly_bom}


def part_with_revision(item: Item, number: str, user=None):
    part = part_create(item=item, number=number, user=user)
    return part, revision_start(part=part, user=user)
