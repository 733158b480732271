"""Builders for the ECO tests (inside tenant_context): a released part revision with its BOM, made through
pdm.parts' services as an engineer would (part, revision A in work, BOM lines, submitted, released today)."""

from __future__ import annotations

import itertools
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from erp_modules.workspace.testing import make_item
from pdm.changes.models import EcoType
from pdm.changes.services import eco_create
from pdm.parts.models import PartRevision
from pdm.parts.services import part_create, revision_bom_line_add, revision_release, revision_start, revision_submit

D = Decimal
_n = itertools.count(1)


def released_part(code: str | None = None, components=None) -> PartRevision:
    """A finished item with a released BOM (motor ×1, screws ×4 unless given), as part revision A."""
    n = next(_n)
    code = code or f"HOOD{n:03d}"
    if components is None:
        components = [(make_item(f"{code}-MOTOR"), 1), (make_item(f"{code}-SCREW"), 4)]
    item = make_item(code, item_type="finished", name=f"油烟机 {code}")
    part = part_create(item=item, number=f"RH-{code}", user=None)
    revision = revision_start(part=part, user=None)
    for component, quantity in components:
        revision_bom_line_add(revision=revision, component=component, quantity=D(str(quantity)), user=None)
    revision_submit(revision=revision, user=None)
    return revision_release(revision=revision, effective_from=timezone.localdate(), user=None)


def standard_type() -> EcoType:
    return EcoType.objects.get(code="STD")


def later(days: int = 30):
    return timezone.localdate() + timedelta(days=days)


def new_eco(revisions, *, user=None, days: int = 30, title: str = "电机换型"):
    return eco_create(eco_type=standard_type(), title=title, reason="供应商停产", effective_date=later(days),
                      revisions=list(revisions), user=user)
