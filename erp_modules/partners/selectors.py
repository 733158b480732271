from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils import timezone

from core.uscc import normalize_uscc
from erp_modules.partners.models import Partner, PriceList, PriceListItem


def partner_list(*, search: str = "", customers: bool | None = None, suppliers: bool | None = None,
                 active: bool | None = True) -> QuerySet[Partner]:
    qs = Partner.objects.all()
    if search:
        qs = qs.filter(Q(code__icontains=search) | Q(name__icontains=search) | Q(uscc__icontains=normalize_uscc(search)))
    if customers is not None:
        qs = qs.filter(is_customer=customers)
    if suppliers is not None:
        qs = qs.filter(is_supplier=suppliers)
    if active is not None:
        qs = qs.filter(active=active)
    return qs.order_by("code")


def price_for(*, item, kind: str, partner: Partner | None = None, quantity: Decimal = Decimal("1"),
              on: date | None = None) -> Decimal | None:
    """The unit price from the partner's own list, else the default list: the row with the highest
    'from quantity' not above the quantity."""
    on = on or timezone.localdate()
    lists = PriceList.objects.filter(kind=kind, active=True).filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=on)).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
    for scope in ([partner, None] if partner is not None else [None]):
        row = (PriceListItem.objects.filter(price_list__in=lists.filter(partner=scope), item=item,
                                            min_quantity__lte=quantity)
               .order_by("-min_quantity").first())
        if row is not None:
            return row.unit_price
    return None
