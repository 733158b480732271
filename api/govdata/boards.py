"""What the supply-and-demand boards read of the government data: the source registered with
ecommerce.credit_source in GovdataConfig.ready() (the boards are a lower layer and do not import this app).

An enterprise's card on the boards is verified when the registry has its credit code with a normal
status (存续/在业) and no serious credit event is in force; its level is the current rating as the
credit badge gives it ("A · 812/1000").
"""

from __future__ import annotations

from django.template.loader import render_to_string

from api.govdata.models import RegistryStatus
from api.govdata.selectors import CreditBadge, credit_badges_for, registry_for
from ecommerce.credit_source import CreditSource


def card_credit(badge: CreditBadge | None) -> tuple[bool, str]:
    """(verified, rating text) of an enterprise card: in the registry with a normal status and no
    serious event in force; the current ratings."""
    if badge is None:
        return False, ""
    return badge.registry_status == RegistryStatus.ACTIVE and not badge.serious, badge.rating_text


def badge_html(uscc: str, badge: CreditBadge | None, detail: bool) -> str:
    return render_to_string("govdata/_credit_badge.html", {"badge": badge or CreditBadge(uscc=uscc),
                                                           "detail": detail})


BOARDS_CREDIT_SOURCE = CreditSource(badges_for=lambda usccs, today: credit_badges_for(usccs, today=today),
                                    card_credit=card_credit, badge_html=badge_html, registry_for=registry_for)
