"""An enterprise's card on the boards: year established, introduction, main products, "share live
stock", and its credit flag (services/credit.py)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import field_error
from ecommerce.models import EnterpriseCard
from ecommerce.services.credit import boards_credit_refresh, enterprise_cards_credit_set
from ecommerce.services.permissions import member_require
from tenants.models import Enterprise, Role, User


def enterprise_card_get(*, enterprise: Enterprise) -> EnterpriseCard:
    card, created = EnterpriseCard.objects.get_or_create(enterprise=enterprise)
    if created:  # a newcomer whose government data arrived before it joined: its credit counts at once
        boards_credit_refresh(usccs=[enterprise.uscc])
        card.refresh_from_db()
    return card


@transaction.atomic
def enterprise_card_update(*, enterprise: Enterprise, user: User, established_year: int | None = None,
                           introduction: str = "", main_products: str = "",
                           share_stock: bool = False) -> EnterpriseCard:
    member_require(user=user, enterprise=enterprise, minimum=Role.ADMIN)
    card = enterprise_card_get(enterprise=enterprise)
    if established_year is not None and not (1900 <= established_year <= timezone.now().year):
        raise field_error("established_year", _("Enter a year between 1900 and this year."), "invalid_year")
    card.established_year = established_year
    card.introduction = (introduction or "").strip()
    card.main_products = (main_products or "").strip()
    card.share_stock = bool(share_stock)
    card.full_clean()
    card.save()
    return card


def enterprise_card_credit_set(*, enterprise: Enterprise, verified: bool, level: str = "",
                               checked_at=None) -> EnterpriseCard:
    """For the government-data link: mark an enterprise's credit as verified (or not)."""
    enterprise_card_get(enterprise=enterprise)  # a newcomer's card starts from its government data
    enterprise_cards_credit_set(credits={enterprise: (verified, level)}, checked_at=checked_at)
    return EnterpriseCard.objects.get(enterprise=enterprise)
