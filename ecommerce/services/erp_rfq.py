"""An RFQ posted from the ERP (发布询价): from an MRP purchase proposal, a shortage-list line or an item page, a
demand listing that asks for quotations, linked back to where it came from (``erp_source``/``erp_source_id``,
``need_item_id``, ``need_date``: plain ids of rows in the poster's schema, checked there) and published.

It is posted through the one path of every listing (`listing_create` as a draft, the ERP links, then
`listing_publish`): the same validation, rate limit, search index and matching; a clerk or above of the
enterprise may."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import field_error
from ecommerce.error_codes import BoardsErrorCode as Code
from ecommerce.models import Category, Listing
from ecommerce.selectors.erp_rfq import rfq_source_matches, rfq_validity_days
from ecommerce.services._common import decimal_or_none
from ecommerce.services.listings import listing_create, listing_publish
from ecommerce.services.permissions import member_require
from tenants.models import Enterprise, Role, User


@transaction.atomic
def rfq_from_erp_create(*, enterprise: Enterprise, user: User | None, erp_source: str, erp_source_id: int,
                        need_item_id: int, category: Category, title: str, quantity, need_date: date | None,
                        rfq_deadline: datetime | None, unit: str = "", description: str = "", attributes=(),
                        delivery_place: str = "", rfq_max_quotations: int | None = None,
                        api_token=None) -> Listing:
    """A published RFQ of ``enterprise`` for its ERP item ``need_item_id``, needed by ``need_date``, delivered
    to ``delivery_place``. ``erp_source``/``erp_source_id`` must be a row of the enterprise's ERP that buys
    that item (a planned purchase, a short sales-order line, or the item itself), else it is refused."""
    member_require(user=user, enterprise=enterprise, minimum=Role.CLERK, api_token=api_token)
    if erp_source not in (Listing.ErpSource.PLANNED_ORDER, Listing.ErpSource.SHORTAGE, Listing.ErpSource.ITEM):
        raise ValidationError(_("An RFQ is posted from a purchase proposal, a shortage or an item."),
                              code=Code.ERP_SOURCE)
    if not rfq_source_matches(enterprise=enterprise, source=erp_source, source_id=erp_source_id,
                              item_id=need_item_id):
        raise ValidationError(_("This proposal, shortage or item is not in %(enterprise)s's ERP (any more).")
                              % {"enterprise": enterprise}, code=Code.ERP_SOURCE)
    quantity = decimal_or_none(quantity, "quantity")
    if quantity is None or quantity <= Decimal("0"):
        raise field_error("quantity", _("Enter the quantity to buy, greater than zero."), Code.QUANTITY)
    today = timezone.localdate()
    if need_date is None or need_date < today:
        raise field_error("need_date", _("Give the date you need the goods by, today or later."), Code.NEED_DATE)
    if rfq_deadline is None or rfq_deadline <= timezone.now():
        raise field_error("rfq_deadline", _("Give a quotation deadline in the future."), Code.RFQ_DEADLINE)
    if timezone.localdate(rfq_deadline) > need_date:
        raise field_error("rfq_deadline", _("The quotation deadline must not be after the need date."),
                          Code.RFQ_DEADLINE)
    listing = listing_create(
        enterprise=enterprise, user=user, kind=Listing.Kind.DEMAND, board=category.board, category=category,
        title=title, description=description, attributes=attributes, quantity=quantity, unit=unit,
        delivery_terms=Listing.Delivery.DELIVERED, delivery_place=delivery_place,
        validity_days=rfq_validity_days(deadline=rfq_deadline, need_date=need_date), is_rfq=True,
        rfq_deadline=rfq_deadline, rfq_max_quotations=rfq_max_quotations, publish=False, api_token=api_token)
    listing.trade_type = Listing.TradeType.GOODS
    listing.erp_source, listing.erp_source_id = erp_source, erp_source_id
    listing.need_item_id, listing.need_date = need_item_id, need_date
    listing.save(update_fields=["trade_type", "erp_source", "erp_source_id", "need_item_id", "need_date",
                                "updated_at"])
    return listing_publish(listing=listing, user=user, api_token=api_token)
