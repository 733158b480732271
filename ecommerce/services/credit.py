"""The boards' "credit verified" flag, kept in step with the government data (api/govdata, read through
the source it registers: ecommerce.credit_source).

An enterprise's card is verified when the registry (企业信息数据库) has its credit code with a normal
status (存续/在业) and no serious credit event is in force (严重违法失信名单, 失信被执行人, 重大税收违法);
its level is the current rating as the credit badge gives it (tax grade, municipal public credit:
"A · 812/1000"). Both are the source's answer (`card_credit`). The cards are written only through `enterprise_cards_credit_set` (a few statements a
chunk), which re-indexes the listings' search facets when the flag changes (and re-scores the matches
of its supply listings after the commit).

Who calls `boards_credit_refresh`:
- the government-data sync, once a batch of records is committed, for the credit codes it added or
  changed (api.govdata.services; a batch that fails or is rejected changes nothing here);
- the nightly sync, for every enterprise (a penalty or a listing lapses with time, without a new record);
- a newcomer's card, when it is first created (services.enterprise_card_get);
- `manage.py boards_credit_refresh [USCC …]`, after a deploy.

The pages show each poster's government credit badge (rating, negative events in force): a view
loads the badges of every enterprise on the page at once (`selectors.credit_badges_on_page`, 3 queries
whatever the number of listings) and the templates read them with `{% gov_credit_badge e credit_badges %}`.
"""

from __future__ import annotations

import logging
from datetime import date

from django.db import transaction
from django.utils import timezone

from ecommerce.credit_source import credit_source
from ecommerce.models import EnterpriseCard, Listing
from ecommerce.services.matches import listing_matches_refresh_task
from ecommerce.services.search_index import listings_reindex
from tenants.models import Enterprise

logger = logging.getLogger(__name__)

CHUNK = 1000  # enterprises per transaction (and per call of the credit source)
LEVEL_MAX = EnterpriseCard._meta.get_field("credit_level").max_length
# An enterprise has a handful of listings on view; the cap bounds the work a flag change can queue.
CREDIT_REMATCH_LIMIT = 200


def boards_credit_refresh(*, usccs=None, today: date | None = None) -> int:
    """Set the credit flag and level of the platform enterprises with these credit codes (every
    enterprise when `usccs` is None) from their government credit badges. Set-based: the enterprises
    are taken a chunk at a time, each chunk's badges in one call of the source (3 queries) and its
    cards written in one transaction. Returns how many cards were set."""
    source = credit_source()
    checked_at = timezone.now()
    if usccs is None:
        codes = None
    else:
        codes = sorted({c for c in usccs if c})
        if not codes:
            return 0
    done = 0
    for chunk in _enterprise_chunks(codes):
        badges = source.badges_for([e.uscc for e in chunk], today)
        credits = {}
        for enterprise in chunk:
            verified, level = source.card_credit(badges.get(enterprise.uscc))
            credits[enterprise] = (verified, level[:LEVEL_MAX].strip(" ·"))
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


def enterprise_cards_credit_set(*, credits: dict, checked_at=None) -> list[int]:
    """Set many enterprises' credit flag and level at once ({enterprise: (verified, level)}), in a few
    statements whatever their number; returns the ids of the enterprises whose flag changed. For those,
    the listings' search facets are rewritten now and the match scores of their supply listings are
    recomputed after the commit (the credit part of a score is the supplier's, see matching.py)."""
    if not credits:
        return []
    checked_at = checked_at or timezone.now()
    by_id = {enterprise.pk: (bool(verified), level or "") for enterprise, (verified, level) in credits.items()}
    cards = {card.enterprise_id: card for card in EnterpriseCard.objects.filter(enterprise_id__in=list(by_id))}
    missing = [EnterpriseCard(enterprise_id=pk) for pk in by_id if pk not in cards]
    for card in EnterpriseCard.objects.bulk_create(missing, ignore_conflicts=True):
        cards.setdefault(card.enterprise_id, card)
    cards = {card.enterprise_id: card for card in EnterpriseCard.objects.filter(enterprise_id__in=list(by_id))}
    changed = []
    for pk, card in cards.items():
        verified, level = by_id[pk]
        if card.credit_verified != verified:
            changed.append(pk)
        card.credit_verified, card.credit_level, card.credit_checked_at = verified, level, checked_at
        card.updated_at = checked_at
    EnterpriseCard.objects.bulk_update(list(cards.values()), ["credit_verified", "credit_level", "credit_checked_at",
                                                              "updated_at"], batch_size=500)
    if changed:
        listings_reindex(enterprise_ids=changed)
        for pk in changed:
            _credit_matches_refresh_queue(enterprise_id=pk)
    return changed


def _credit_matches_refresh_queue(*, enterprise_id: int) -> list[int]:
    """Queue the matching task, without notifications, for the enterprise's visible supply listings (the
    newest CREDIT_REMATCH_LIMIT), once the transaction commits, so their stored scores take the new credit
    part. Its demands are left alone: their scores carry the suppliers' credit, not theirs. A stored pair
    that is no longer among the supply's best kept matches keeps its old score until it is matched again."""
    listing_ids = list(Listing.objects.filter(
        enterprise_id=enterprise_id, kind=Listing.Kind.SUPPLY, status=Listing.Status.PUBLISHED, hidden_at__isnull=True,
        expires_at__gt=timezone.now()).order_by("-published_at", "-id").values_list("pk", flat=True)
        [:CREDIT_REMATCH_LIMIT])
    for listing_id in listing_ids:
        # robust: a broker outage must not undo the credit change (the next match or renewal catches up)
        transaction.on_commit(lambda pk=listing_id: listing_matches_refresh_task.delay(pk, notify=False), robust=True)
    return listing_ids
