"""The boards' "credit verified" flag, kept in step with the government data (api/govdata).

An enterprise's card is verified when the registry (企业信息数据库) has its credit code with a normal
status (存续/在业) and no serious credit event is in force (严重违法失信名单, 失信被执行人, 重大税收违法);
its level is the current rating as the credit badge gives it (tax grade, municipal public credit:
"A · 812/1000"). The cards are written only through `services.enterprise_cards_credit_set` (a few statements a chunk), which
re-indexes the listings' search facets when the flag changes (and re-scores the matches of its supply
listings after the commit).

Who calls `boards_credit_refresh`:
- the government-data sync, once a batch of records is committed, for the credit codes it added or
  changed (api.govdata.services; a batch that fails or is rejected changes nothing here);
- the nightly sync, for every enterprise (a penalty or a listing lapses with time, without a new record);
- `manage.py boards_credit_refresh [USCC …]`, after a deploy.

The pages show each poster's government credit badge (rating, negative events in force): a view
loads the badges of every enterprise on the page at once (`credit_badges_on_page`, 3 queries
whatever the number of listings) and the templates read them with `{% gov_credit_badge e credit_badges %}`.
"""

from __future__ import annotations

import logging
from datetime import date

from django.db import transaction
from django.utils import timezone

from api.govdata.models import RegistryStatus
from api.govdata.selectors import CreditBadge, credit_badges_for
from ecommerce.models import EnterpriseCard
from ecommerce.services import enterprise_cards_credit_set
from tenants.models import Enterprise

logger = logging.getLogger(__name__)

CHUNK = 1000  # enterprises per transaction (and per credit_badges_for call)
LEVEL_MAX = EnterpriseCard._meta.get_field("credit_level").max_length


def credit_badges_on_page(*, enterprises) -> dict[str, CreditBadge]:
    """The government credit badges of the enterprises shown on a page, by credit code (3 queries)."""
    return credit_badges_for({e.uscc for e in enterprises if e is not None and e.uscc})


def card_credit_verified(badge: CreditBadge) -> bool:
    """In the registry with a normal status, and no serious event in force."""
    return badge.registry_status == RegistryStatus.ACTIVE and not badge.serious


def card_credit_level(badge: CreditBadge) -> str:
    return badge.rating_text[:LEVEL_MAX].strip(" ·")


def boards_credit_refresh(*, usccs=None, today: date | None = None) -> int:
    """Set the credit flag and level of the platform enterprises with these credit codes (every
    enterprise when `usccs` is None) from their government credit badges. Set-based: the enterprises
    are taken a chunk at a time, each chunk's badges in one `credit_badges_for` call (3 queries) and
    its cards written in one transaction. Returns how many cards were set."""
    checked_at = timezone.now()
    if usccs is None:
        codes = None
    else:
        codes = sorted({c for c in usccs if c})
        if not codes:
            return 0
    done = 0
    for chunk in _enterprise_chunks(codes):
        badges = credit_badges_for([e.uscc for e in chunk], today=today)
        credits = {}
        for enterprise in chunk:
            badge = badges.get(enterprise.uscc) or CreditBadge(uscc=enterprise.uscc)
            credits[enterprise] = (card_credit_verified(badge), card_credit_level(badge))
        with transaction.atomic():
            enterprise_cards_credit_set(credits=credits, checked_at=checked_at)
        done += len(chunk)
    (logger.info if codes is None else logger.debug)(
        "boards credit: %d enterprise card(s) set from the government data", done)
    return done


def _enterprise_chunks(codes: list[str] | None):
    if codes is None:
        last = 0
        while chunk := list(Enterprise.objects.filter(pk__gt=last).order_by("pk")[:CHUNK]):
            yield chunk
            last = chunk[-1].pk
        return
    for start in range(0, len(codes), CHUNK):
        chunk = list(Enterprise.objects.filter(uscc__in=codes[start:start + CHUNK]).order_by("pk"))
        if chunk:
            yield chunk
