"""Where the boards read an enterprise's government credit, without importing the government data.

The government data (api.govdata) sits above the boards in the layers (docs/architecture.md): it
registers its source here in its AppConfig.ready(), and the boards ask the source. A source answers:

- ``badges_for(usccs, today)``: {credit code: badge} of these codes, in a few queries whatever their
  number (a code without government data may be missing);
- ``card_credit(badge)``: (verified, rating text) of an enterprise card, from its badge or None;
- ``badge_html(uscc, badge, detail)``: the badge as HTML, for a badge or None;
- ``registry_for(uscc)``: the registry facts of a code, or None (the enterprise page shows them with
  ``govdata/_registry_facts.html``).

Without a source (the government data not installed) no enterprise is verified and no badge shows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class CreditSource:
    badges_for: Callable[[Iterable[str], date | None], dict]
    card_credit: Callable[[object | None], tuple[bool, str]]
    badge_html: Callable[[str, object | None, bool], str]
    registry_for: Callable[[str], object | None]


NO_SOURCE = CreditSource(badges_for=lambda usccs, today: {}, card_credit=lambda badge: (False, ""),
                         badge_html=lambda uscc, badge, detail: "", registry_for=lambda uscc: None)
_source = NO_SOURCE


def credit_source_register(source: CreditSource) -> None:
    """Called once at start-up by the app that holds the government data."""
    global _source
    _source = source


def credit_source() -> CreditSource:
    return _source
