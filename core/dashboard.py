"""The enterprise dashboard's cards, contributed by the modules that own their data.

The dashboard (tenants) does not import the modules: each module registers its card in its
AppConfig.ready(), and the dashboard renders whatever is registered, in ``order``::

    dashboard_card_register(key="files", order=40, template="files/_dashboard_card.html",
                            context=lambda request: {"file_stats": attachment_stats()})

``context`` receives the request (tenant host, ``request.enterprise`` and ``request.membership`` set)
and returns the card template's context, or None to leave the card out for that request (e.g. a
module the enterprise has switched off). The registry is filled at start-up only, so it is the same
in every process.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class DashboardCard:
    key: str
    order: int
    template: str
    context: Callable[[object], dict | None]


_CARDS: dict[str, DashboardCard] = {}


def dashboard_card_register(*, key: str, order: int, template: str, context: Callable[[object], dict | None]) -> None:
    _CARDS[key] = DashboardCard(key=key, order=order, template=template, context=context)


def dashboard_cards_for(request) -> list[tuple[str, dict]]:
    """[(template, context)] of every registered card that shows for this request, in order."""
    cards = []
    for card in sorted(_CARDS.values(), key=lambda c: (c.order, c.key)):
        context = card.context(request)
        if context is not None:
            cards.append((card.template, context))
    return cards
