"""Reads for the boards on the enterprise host: what an RFQ posted from the ERP is prefilled with (an MRP
purchase proposal, a shortage-list line or an item, read in the enterprise's own schema), the board and
category its industry suggests, the enterprise's RFQs for an item with their quotations, and the unread
counts of the "Supply and demand" menu.

Everything is scoped to one enterprise: ERP rows are read inside its schema (`tenant_context`), board rows
are filtered by `enterprise` — an id of another enterprise's row is simply not found."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Case, F, Func, IntegerField, Prefetch, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import tenant_context

from ecommerce.board_data import FREIGHT_BOARD
from ecommerce.conf import setting
from ecommerce.models import Category, InquiryMessage, Listing, Notification, Quotation
from erp_modules.catalog.models import Item
from erp_modules.mrp.models import PlannedOrder
from erp_modules.mrp.selectors import planned_order_get
from erp_modules.sales.selectors import sales_shortage_list
from tenants.models import Enterprise, User

Source = Listing.ErpSource
# the notifications about quotations the menu's badge counts (inquiries are counted by their read marks)
QUOTATION_KINDS = (Notification.Kind.QUOTATION, Notification.Kind.ACCEPTED, Notification.Kind.DECLINED,
                   Notification.Kind.RFQ_CLOSED)
RFQ_DEADLINE_DAYS = 7  # the default quotation deadline: a week from now, earlier when the need is sooner
FRAGMENT_LIMIT = 20


@dataclass
class RfqPrefill:
    """What "Post an RFQ" starts from: the ERP item it buys, how many, by when, and the proposal's wording."""

    source: str
    source_id: int
    item_id: int
    item_code: str
    item_name: str
    title: str
    quantity: Decimal
    unit: str
    need_date: date
    description: str = ""
    attributes: list[list[str]] = field(default_factory=list)
    category_text: str = ""  # words to guess the board category from (item name, its ERP category)


def _item_attributes(item: Item) -> list[list[str]]:
    pairs = [[_("Item code"), item.code]]
    if item.drawing_ref:
        pairs.append([_("Drawing / part reference"), item.drawing_ref])
    if item.name_en:
        pairs.append([_("English name"), item.name_en])
    if item.category_id:
        pairs.append([_("Item category"), item.category.name])
    return [[k[:30], str(v)[:100]] for k, v in pairs]


def _prefill_from_item(item: Item, *, source: str, source_id: int, quantity: Decimal, need_date: date) -> RfqPrefill:
    unit = item.uom.name if item.uom_id else ""
    return RfqPrefill(
        source=source, source_id=source_id, item_id=item.pk, item_code=item.code, item_name=item.name,
        title=item.name[:120], quantity=quantity, unit=unit[:10], need_date=need_date,
        description=(item.description or "")[:5000], attributes=_item_attributes(item),
        category_text=" ".join(filter(None, [item.name, item.category.name if item.category_id else ""])))


def _item_need_date(item: Item) -> date:
    return timezone.localdate() + timedelta(days=max(item.lead_time_days or 0, 14))


def rfq_prefill(*, enterprise: Enterprise, source: str, source_id: int) -> RfqPrefill | None:
    """The prefill of an RFQ from a row of ``enterprise``'s ERP, read in its schema; None when there is no
    such row there (or it cannot be bought: a planned work order, a kit, an inactive item, a line no longer
    short)."""
    items = Item.objects.select_related("uom", "category").exclude(item_type=Item.Type.KIT)  # kits are not bought
    with tenant_context(enterprise):
        if source == Source.PLANNED_ORDER:
            order = planned_order_get(order_id=source_id)
            if order is None or order.order_type != PlannedOrder.Type.BUY:
                return None
            item = items.filter(pk=order.item_id).first()
            if item is None:
                return None
            return _prefill_from_item(item, source=source, source_id=order.pk, quantity=order.quantity,
                                      need_date=order.due_date)
        if source == Source.SHORTAGE:
            line = sales_shortage_list().filter(pk=source_id).first()
            if line is None:
                return None
            item = items.filter(pk=line.item_id).first()
            if item is None:
                return None
            need = line.order.delivery_date or _item_need_date(item)
            return _prefill_from_item(item, source=source, source_id=line.pk, quantity=line.short_quantity,
                                      need_date=need)
        if source == Source.ITEM:
            item = items.filter(pk=source_id, active=True).first()
            if item is None:
                return None
            quantity = max(item.min_order_qty or Decimal("0"), Decimal("1"))
            return _prefill_from_item(item, source=source, source_id=item.pk, quantity=quantity,
                                      need_date=_item_need_date(item))
    return None


def rfq_source_matches(*, enterprise: Enterprise, source: str, source_id: int, item_id: int) -> bool:
    """Whether ``source``/``source_id`` is a row of ``enterprise``'s ERP that buys the item ``item_id`` (what
    the service checks before linking a listing to it)."""
    prefill = rfq_prefill(enterprise=enterprise, source=source, source_id=source_id)
    return prefill is not None and prefill.item_id == item_id


def rfq_deadline_default(*, need_date: date | None, now: datetime | None = None) -> datetime:
    """A week from now at 17:00, or two days before the need date when that is sooner (but at least a day)."""
    now = timezone.localtime(now)
    deadline = now + timedelta(days=RFQ_DEADLINE_DAYS)
    if need_date is not None:
        before_need = timezone.make_aware(datetime.combine(need_date - timedelta(days=2), time(17)))
        deadline = min(deadline, before_need)
    deadline = max(deadline, now + timedelta(days=1))
    return deadline.replace(minute=0, second=0, microsecond=0)


def rfq_category_guess(*, enterprise: Enterprise, text: str = "") -> Category | None:
    """The category an RFQ of ``enterprise`` most likely belongs to: on the board of its industry (GB/T 4754
    prefix), the category whose name is in ``text`` (the item's name and ERP category: "电机" → 家电配件 ›
    电机), else the one of its industry class, else the board's first; no board for the industry: the first
    category whose name is in ``text`` on any goods board, else None (the user chooses)."""
    industry = enterprise.industry or ""
    categories = list(Category.objects.select_related("board").exclude(board__code=FREIGHT_BOARD)
                      .order_by("board__sort_order", "parent_id", "sort_order"))
    on_board = [c for c in categories if any(industry.startswith(p) for p in c.board.industry_prefixes)]
    named = [c for c in (on_board or categories) if c.name and c.name in (text or "")]
    if named:
        return max(named, key=lambda c: (len(c.name), c.parent_id is not None))
    by_class = [c for c in on_board if industry in c.industry_codes]
    if by_class:
        return next((c for c in by_class if c.parent_id is None), by_class[0])
    return on_board[0] if on_board else None


def erp_rfqs_for_item(*, enterprise: Enterprise, item_id: int, limit: int = FRAGMENT_LIMIT) -> list[Listing]:
    """``enterprise``'s RFQs for its ERP item ``item_id`` (whatever they came from), newest first, with their
    quotations (cheapest first; withdrawn ones last) and their suppliers."""
    rank = Case(When(status=Quotation.Status.ACCEPTED, then=Value(0)),
                When(status=Quotation.Status.SUBMITTED, then=Value(1)),
                When(status=Quotation.Status.DECLINED, then=Value(2)), default=Value(3))
    quotations = Quotation.objects.select_related("enterprise").order_by(rank, "unit_price", "created_at")
    return list(Listing.objects.filter(enterprise=enterprise, is_rfq=True, need_item_id=item_id)
                .select_related("board").prefetch_related(Prefetch("quotations", queryset=quotations))
                .order_by("-created_at", "-id")[:limit])


def _count(queryset) -> Coalesce:
    """COUNT(*) of ``queryset`` as a scalar subquery (no GROUP BY: COUNT over the whole filtered set)."""
    return Coalesce(Subquery(queryset.order_by().annotate(n=Func(Value(1), function="COUNT")).values("n")[:1],
                             output_field=IntegerField()), 0)


def boards_unread(*, user: User, enterprise: Enterprise) -> dict:
    """The "Supply and demand" menu's counts on ``enterprise``'s host, in one query: messages of inquiries
    ``enterprise`` has not read (its side's read mark, as the inquiries page counts them) and the user's
    unread notifications about quotations for ``enterprise``."""
    if not user.is_authenticated:
        return {"inquiries": 0, "quotations": 0, "total": 0}
    side_unread = (Q(thread__owner=enterprise.pk) & (Q(thread__owner_read_at__isnull=True)
                                                     | Q(created_at__gt=F("thread__owner_read_at"))))
    side_unread |= (Q(thread__asker=enterprise.pk) & (Q(thread__asker_read_at__isnull=True)
                                                      | Q(created_at__gt=F("thread__asker_read_at"))))
    messages = InquiryMessage.objects.filter(side_unread).exclude(sender=enterprise.pk)
    notes = Notification.objects.filter(user=user, enterprise=enterprise.pk, read_at__isnull=True,
                                        kind__in=QUOTATION_KINDS)
    inquiries, quotations = Enterprise.objects.filter(pk=enterprise.pk).annotate(
        i=_count(messages), q=_count(notes)).values_list("i", "q").get()
    return {"inquiries": inquiries, "quotations": quotations, "total": inquiries + quotations}


def rfq_validity_days(*, deadline: datetime, need_date: date | None) -> int:
    """How long an RFQ from the ERP stays on the board: the default validity, and at least past its
    quotation deadline and its need date (within the boards' maximum)."""
    today = timezone.localdate()
    days = setting("BOARDS_LISTING_DEFAULT_DAYS")
    days = max(days, (timezone.localdate(deadline) - today).days + 1)
    if need_date is not None:
        days = max(days, (need_date - today).days + 1)
    return min(days, setting("BOARDS_LISTING_MAX_DAYS"))
