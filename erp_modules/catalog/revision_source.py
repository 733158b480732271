"""Which engineering revisions of an item a sales or purchase line may name, without the catalog importing PDM.

Several revisions of a part may be alive at once (a customer's variant stays on B while C is designed), so a
quotation, a sales order or a purchase order line may say which one it needs (``revision``, e.g. "B"). PDM
sits above the ERP (docs/architecture.md): it registers a provider here in its AppConfig.ready()
(pdm/parts/revision_source.py), and sales, purchasing and production ask this module:

- ``item_revisions(item)``: the revisions a line may name, oldest first, each a ``Revision`` (code, state,
  state label, the BOM version of that revision, its effective date);
- ``revision_resolve(item=…, code=…)``: the ``Revision`` of that code, or a ``RevisionError`` (a coded
  ``ValidationError`` whose message says why: the item is not a part, it has no such revision, the revision
  is obsolete or not released yet). The caller puts its own context (the line) in front of the message;
- ``revisions_available()``: whether any provider is registered (the line forms show the field only then).

Without a provider (PDM not installed), or for an item that is not a part, there are no revisions and every
code is refused as "not a part".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_LENGTH = 8  # the `revision` field of the lines

NOT_A_PART, UNKNOWN, OBSOLETE, NOT_RELEASED = ("revision_not_a_part", "revision_unknown", "revision_obsolete",
                                               "revision_not_released")
CODES = (NOT_A_PART, UNKNOWN, OBSOLETE, NOT_RELEASED)


@dataclass(frozen=True)
class Revision:
    code: str  # "B"
    state: str  # the provider's state value ("released", "superseded")
    state_label: str  # in the reader's language ("已发布")
    bom_id: int | None  # the BOM version (catalog.Bom) of this revision
    effective_from: date | None


class RevisionError(ValidationError):
    """A revision a line may not name; ``code`` is one of CODES."""


@dataclass(frozen=True)
class RevisionProvider:
    """``revisions(item)`` lists the usable revisions of an item ([] when it is not a part);
    ``resolve(item, code)`` returns the usable Revision of that code or raises RevisionError."""

    revisions: Callable[[object], list[Revision]]
    resolve: Callable[[object, str], Revision]


_provider: RevisionProvider | None = None


def revision_provider_register(provider: RevisionProvider) -> None:
    """Called once at start-up by the app that keeps part revisions (pdm.parts); the last one counts."""
    global _provider
    _provider = provider


def revisions_available() -> bool:
    return _provider is not None


def item_revisions(item) -> list[Revision]:
    if _provider is None or item is None:
        return []
    return _provider.revisions(item)


def revision_resolve(*, item, code: str) -> Revision:
    code = (code or "").strip().upper()
    if _provider is None:
        raise RevisionError(_("the item is not a part and has no revisions"), code=NOT_A_PART)
    if not code or len(code) > MAX_LENGTH:
        raise RevisionError(_("there is no revision “%(code)s”") % {"code": code[:MAX_LENGTH]}, code=UNKNOWN)
    return _provider.resolve(item, code)
