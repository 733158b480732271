"""Who else may refuse a change to a BOM version, without the catalog importing them.

PDM sits above the catalog (docs/architecture.md): a BOM version that belongs to a part revision is
changed only through PDM's pages and services, where its lifecycle and its change orders (ECO approvals)
apply. The app that owns such BOMs registers a guard here in its AppConfig.ready():

- ``bom_guard_register(fn)``: ``fn(bom, action)`` is called by every catalog service that changes a BOM
  version (``action`` is one of ACTIONS), after the BOM is locked and the catalog's own rules pass; it
  raises a coded ``ValidationError`` to refuse, or returns to allow.
- ``bom_guard_bypass()``: a context manager for the owner's own services, which call the catalog's
  services on purpose (PDM adding a line to a revision's draft, releasing it, archiving it). Inside it
  the guards are not asked. It is a context variable: it holds only for the code running inside the
  ``with`` block (this thread / task), never for another request.

- ``bom_owner_register(fn)``: ``fn(bom)`` returns a ``BomOwner`` (label and page name in the reader's
  language, URL of the owner's page) when that app owns the BOM, else None. The catalog's BOM page asks ``bom_owner(bom)``
  to hide the forms the guards would refuse and to point to the page where the BOM is changed.

Without a guard (PDM not installed) every BOM is the catalog's alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

LINE_ADD, LINE_REMOVE, RELEASE, ARCHIVE = "line_add", "line_remove", "release", "archive"
ACTIONS = (LINE_ADD, LINE_REMOVE, RELEASE, ARCHIVE)

_guards: list[Callable[[object, str], None]] = []
_owners: list[Callable[[object], "BomOwner | None"]] = []
_bypass: ContextVar[bool] = ContextVar("catalog_bom_guard_bypass", default=False)


def bom_guard_register(fn: Callable[[object, str], None]) -> None:
    """Called once at start-up by an app that owns some BOM versions (pdm.parts); twice is once."""
    if fn not in _guards:
        _guards.append(fn)


@contextmanager
def bom_guard_bypass() -> Iterator[None]:
    """The caller is the owner's own service: the guards are not asked inside the block."""
    token = _bypass.set(True)
    try:
        yield
    finally:
        _bypass.reset(token)


def bom_guard_check(bom, action: str) -> None:
    """Ask every registered guard (unless bypassed); the first refusal is raised."""
    assert action in ACTIONS, action
    if _bypass.get():
        return
    for fn in _guards:
        fn(bom, action)


@dataclass(frozen=True)
class BomOwner:
    """Who owns a BOM version outside the catalog, in the reader's language: ``label`` ("零件 RH-HOOD-200 版次 B"),
    ``url`` of the page where the BOM is changed and ``page``, that page's name ("版次页面")."""

    label: str
    url: str
    page: str


def bom_owner_register(fn: Callable[[object], BomOwner | None]) -> None:
    """Called once at start-up by an app that owns some BOM versions (pdm.parts); twice is once."""
    if fn not in _owners:
        _owners.append(fn)


def bom_owner(bom) -> BomOwner | None:
    """The owner of this BOM version (the first provider that claims it), or None: the catalog's alone."""
    for fn in _owners:
        owner = fn(bom)
        if owner is not None:
            return owner
    return None
