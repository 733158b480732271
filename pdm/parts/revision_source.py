"""PDM's answer to the catalog's revision registry (erp_modules/catalog/revision_source.py).

A sales or purchase line may name a revision of a part that is released or superseded: both have a released
BOM version that production can still build (a customer's variant stays on B while C is the default). A
revision in work or in review is refused (not released yet, its BOM may still change), an obsolete one too
(its BOM is archived), and so is any code of an item that is not a part. Reads the models directly, one query.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from erp_modules.catalog.revision_source import (NOT_A_PART, NOT_RELEASED, OBSOLETE, UNKNOWN, Revision,
                                                 RevisionError, RevisionProvider)
from pdm.parts.models import Part, PartRevision

State = PartRevision.State
USABLE = (State.RELEASED, State.SUPERSEDED)


def _rows(item) -> list[PartRevision]:
    if item is None or getattr(item, "pk", None) is None:
        return []
    return sorted(PartRevision.objects.filter(part__item_id=item.pk),
                  key=lambda r: (len(r.revision), r.revision))


def _as_revision(row: PartRevision) -> Revision:
    return Revision(code=row.revision, state=row.state, state_label=str(row.get_state_display()), bom_id=row.bom_id,
                    effective_from=row.effective_from)


def revisions(item) -> list[Revision]:
    return [_as_revision(r) for r in _rows(item) if r.state in USABLE]


def resolve(item, code: str) -> Revision:
    rows = _rows(item)
    if not rows and not Part.objects.filter(item_id=item.pk).exists():
        raise RevisionError(_("the item is not a part and has no revisions"), code=NOT_A_PART)
    row = next((r for r in rows if r.revision == code), None)
    if row is None:
        usable = ", ".join(r.revision for r in rows if r.state in USABLE) or "—"
        raise RevisionError(_("there is no revision “%(code)s” (usable: %(usable)s)") % {"code": code, "usable": usable},
                            code=UNKNOWN)
    if row.state == State.OBSOLETE:
        raise RevisionError(_("revision %(code)s is obsolete") % {"code": code}, code=OBSOLETE)
    if row.state not in USABLE:
        raise RevisionError(_("revision %(code)s is %(state)s, not released yet")
                            % {"code": code, "state": row.get_state_display()}, code=NOT_RELEASED)
    return _as_revision(row)


PROVIDER = RevisionProvider(revisions=revisions, resolve=resolve)
