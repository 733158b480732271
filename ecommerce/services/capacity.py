"""Spare capacity and outsourced processing (外协) on the boards.

- A capacity listing (a supply, trade_type=capacity) offers the free hours of one of the poster's work
  centers for the coming weeks: ``capacity_weeks`` = [{"week": Monday, "free_hours": "52.5"}, …], computed
  from the poster's own work-order load (erp_modules.production.selectors.work_center_free_hours), never
  typed. It is recomputed on demand (capacity_listing_refresh, the "recompute" button) and every night
  (capacity_listings_refresh_all → one capacity_listings_refresh task per enterprise, in its own schema).
  Only the weekly sums leave the poster's schema: nothing of its work orders is on the listing.
- A processing demand (a demand RFQ, trade_type=processing) asks for one operation of a work order whose
  routing operation is marked outsourced: its process, the quantity still to process, the need date, the
  work order's item (need_item_id) and the operation (erp_source=operation, erp_source_id). Its
  ``capacity_weeks`` holds the hours it needs per week of its window ([{"week", "need_hours"}]), which the
  matching (ecommerce.matching) compares with the capacity listings' free hours.
- Both carry the poster's position (ecommerce.geo) for the distance part of the match.

Who may: members (clerk or above) of the posting enterprise (permissions.member_require, and again in
listing_create). The ERP rows are read in the poster's own schema (tenant_context), so an enterprise can
only post its own work centers and operations: another enterprise's id is simply not found.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum

from celery import shared_task
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, schema_context, tenant_context

from core.errors import field_error
from ecommerce.geo import enterprise_position
from ecommerce.models import Board, Category, Listing
from ecommerce.services._common import listing_close_for, listing_locked
from ecommerce.services.listings import listing_create
from ecommerce.services.matches import listing_matches_refresh_task
from ecommerce.services.permissions import member_require
from ecommerce.services.search_index import listing_search_index
from erp_modules.catalog.models import Process
from erp_modules.production.selectors import (WeekLoad, capacity_work_center_get, outsourced_operation_get,
                                              week_monday, work_center_free_hours)
from tenants.models import Enterprise, Role, User

CAPACITY_WEEKS = 6  # weeks a capacity listing shows, from this week
MAX_WEEKS = 12
RFQ_DAYS = 5  # a processing RFQ's default quotation deadline, days from now (earlier when needed sooner)


class CapacityErrorCode(str, Enum):
    NO_WORK_CENTER = "capacity_no_work_center"
    NO_OPERATION = "capacity_no_operation"
    NO_PROCESS = "capacity_no_process"
    NOTHING_LEFT = "capacity_nothing_left"
    ALREADY_POSTED = "capacity_already_posted"
    WEEKS = "capacity_weeks"
    NOT_CAPACITY = "capacity_not_capacity_listing"

    def __str__(self) -> str:
        return self.value


Code = CapacityErrorCode


def _hours(value: Decimal) -> str:
    value = Decimal(value)
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value:f}"


def _weeks_json(weeks: list[WeekLoad]) -> list[dict]:
    return [{"week": w.week.isoformat(), "free_hours": _hours(w.free_hours)} for w in weeks]


def _capacity_attributes(*, process: str, hours_per_week: Decimal, weeks: list[WeekLoad]) -> list[list[str]]:
    rows = [[_("Process"), str(Process(process).label)], [_("Hours per week"), _hours(hours_per_week)]]
    for w in weeks:
        rows.append([_("Week of %(date)s") % {"date": w.week.isoformat()},
                     _("%(hours)s h free") % {"hours": _hours(w.free_hours)}])
    return rows


def _position(listing: Listing, enterprise: Enterprise) -> None:
    position = enterprise_position(enterprise)
    listing.latitude, listing.longitude = position if position is not None else (None, None)


def _after_change(listing: Listing) -> None:
    listing_id = listing.pk
    transaction.on_commit(lambda: listing_matches_refresh_task.delay(listing_id), robust=True)


def _open_listing_for(*, enterprise: Enterprise, source: str, source_id: int) -> Listing | None:
    return (Listing.objects.filter(enterprise=enterprise, erp_source=source, erp_source_id=source_id,
                                   status__in=(Listing.Status.DRAFT, Listing.Status.PUBLISHED))
            .order_by("-created_at").first())


# ---- capacity listings -------------------------------------------------------------------------------


@transaction.atomic
def capacity_listing_post(*, enterprise: Enterprise, user: User | None, work_center_id: int, board: Board,
                          category: Category, weeks: int = CAPACITY_WEEKS, description: str = "",
                          price_min=None, price_max=None, validity_days: int | None = None,
                          api_token=None) -> Listing:
    """Post (published) a capacity listing of one of the enterprise's work centers. A work center already on
    the boards is not posted twice: its open listing is recomputed and returned."""
    member_require(user=user, enterprise=enterprise, minimum=Role.CLERK, api_token=api_token)
    if not 1 <= int(weeks) <= MAX_WEEKS:
        raise field_error("weeks", _("Show 1 to %(max)d weeks.") % {"max": MAX_WEEKS}, Code.WEEKS)
    with tenant_context(enterprise):
        work_center = capacity_work_center_get(work_center_id=work_center_id)
        if work_center is None:
            raise field_error("work_center", _("Choose an active work center of yours that has a process."),
                              Code.NO_WORK_CENTER)
        loads = work_center_free_hours(work_center=work_center, weeks=int(weeks))
        wc_name, wc_process, wc_hours = work_center.name, work_center.process, work_center.hours_per_week
    with schema_context(get_public_schema_name()):
        existing = _open_listing_for(enterprise=enterprise, source=Listing.ErpSource.WORK_CENTER,
                                     source_id=work_center_id)
        if existing is not None:
            return capacity_listing_refresh(listing=existing, weeks=int(weeks))
        total = sum((w.free_hours for w in loads), Decimal("0"))
        listing = listing_create(
            enterprise=enterprise, user=user, kind=Listing.Kind.SUPPLY, board=board, category=category,
            title=(_("Spare capacity: %(process)s — %(name)s") % {"process": Process(wc_process).label,
                                                                    "name": wc_name})[:120],
            description=description or _("Free hours of our %(process)s work center for the coming %(n)d weeks, "
                                          "computed from our own work-order load.")
            % {"process": Process(wc_process).label, "n": int(weeks)},
            attributes=_capacity_attributes(process=wc_process, hours_per_week=wc_hours, weeks=loads),
            quantity=total if total > 0 else None, unit="h", price_min=price_min, price_max=price_max,
            negotiable=price_min is None, validity_days=validity_days, publish=True, api_token=api_token)
        listing.trade_type = Listing.TradeType.CAPACITY
        listing.erp_source, listing.erp_source_id = Listing.ErpSource.WORK_CENTER, work_center_id
        listing.process = wc_process
        listing.capacity_weeks = _weeks_json(loads)
        listing.capacity_computed_at = timezone.now()
        _position(listing, enterprise)
        listing.full_clean()
        listing.save()
    return listing


@transaction.atomic
def capacity_listing_refresh(*, listing: Listing, weeks: int | None = None) -> Listing:
    """Recompute a capacity listing's free hours from its work center's load now (read in the poster's schema).
    A work center that no longer offers capacity (gone, inactive, no process) closes its listing."""
    with schema_context(get_public_schema_name()):
        listing = listing_locked(listing)
        if listing.trade_type != Listing.TradeType.CAPACITY or listing.erp_source != Listing.ErpSource.WORK_CENTER:
            raise ValidationError(_("This is not a capacity listing."), code=Code.NOT_CAPACITY)
        enterprise = listing.enterprise
    weeks = weeks or len(listing.capacity_weeks) or CAPACITY_WEEKS
    with tenant_context(enterprise):
        work_center = capacity_work_center_get(work_center_id=listing.erp_source_id)
        loads = work_center_free_hours(work_center=work_center, weeks=weeks) if work_center is not None else None
        process, hours = (work_center.process, work_center.hours_per_week) if work_center is not None else ("", 0)
    with schema_context(get_public_schema_name()):
        if loads is None:
            if listing.status != Listing.Status.CLOSED:
                listing_close_for(listing, Listing.ClosedReason.OWNER)
            return listing
        total = sum((w.free_hours for w in loads), Decimal("0"))
        listing.capacity_weeks = _weeks_json(loads)
        listing.capacity_computed_at = timezone.now()
        listing.process = process
        listing.attributes = _capacity_attributes(process=process, hours_per_week=hours, weeks=loads)
        listing.quantity = total if total > 0 else None
        _position(listing, enterprise)
        listing.save(update_fields=["capacity_weeks", "capacity_computed_at", "process", "attributes", "quantity",
                                    "latitude", "longitude", "updated_at"])
        listing_search_index(listing=listing)
        if listing.is_visible:
            _after_change(listing)
    return listing


def capacity_listings_refresh_for(*, enterprise: Enterprise) -> int:
    """Recompute every published capacity listing of ``enterprise``; the number recomputed."""
    with schema_context(get_public_schema_name()):
        listings = list(Listing.objects.filter(enterprise=enterprise, trade_type=Listing.TradeType.CAPACITY,
                                               status=Listing.Status.PUBLISHED).order_by("pk"))
    for listing in listings:
        capacity_listing_refresh(listing=listing)
    return len(listings)


@shared_task(name="ecommerce.capacity_listings_refresh")
def capacity_listings_refresh_task() -> int:
    """Runs in the schema of the enterprise it was queued from (tenant-schemas-celery) and recomputes that
    enterprise's own capacity listings; no id is passed, so it cannot touch another enterprise's."""
    if connection.schema_name == get_public_schema_name():
        return 0
    enterprise = Enterprise.objects.filter(schema_name=connection.schema_name).first()
    if enterprise is None:
        return 0
    return capacity_listings_refresh_for(enterprise=enterprise)


@shared_task(name="ecommerce.capacity_listings_refresh_all", ignore_result=True)
def capacity_listings_refresh_all() -> int:
    """Beat, nightly: one capacity_listings_refresh per active enterprise with published capacity listings,
    each queued in that enterprise's schema."""
    ids = (Listing.objects.filter(trade_type=Listing.TradeType.CAPACITY, status=Listing.Status.PUBLISHED)
           .values_list("enterprise_id", flat=True).distinct())
    count = 0
    for enterprise in Enterprise.objects.filter(pk__in=list(ids), status=Enterprise.Status.ACTIVE).order_by("pk"):
        with tenant_context(enterprise):
            capacity_listings_refresh_task.delay()
        count += 1
    return count


# ---- processing demands (外协) ----------------------------------------------------------------------------


def _need_weeks(*, start: date, need_date: date, hours: Decimal) -> list[dict]:
    """The hours an operation needs, spread evenly over the weeks from ``start`` to the need date."""
    first, last = week_monday(start), week_monday(max(need_date, start))
    mondays = [first + timedelta(days=7 * n) for n in range((last - first).days // 7 + 1)]
    share = (hours / len(mondays)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return [{"week": m.isoformat(), "need_hours": _hours(share)} for m in mondays]


def _default_deadline(need_date: date):
    now = timezone.now()
    deadline = now + timedelta(days=RFQ_DAYS)
    day_before = timezone.make_aware(datetime.combine(need_date - timedelta(days=1), time(17, 0)))
    if now + timedelta(days=1) < day_before < deadline:
        deadline = day_before
    return deadline


@transaction.atomic
def processing_demand_post(*, enterprise: Enterprise, user: User | None, operation_id: int, board: Board,
                           category: Category, rfq_deadline=None, description: str = "",
                           validity_days: int | None = None, api_token=None) -> Listing:
    """Post (published) an RFQ for an outsourced operation of one of the enterprise's open work orders."""
    member_require(user=user, enterprise=enterprise, minimum=Role.CLERK, api_token=api_token)
    with tenant_context(enterprise):
        found = outsourced_operation_get(operation_id=operation_id)
        if found is None:
            raise field_error("operation", _("Choose an outsourced operation of one of your open work orders."),
                              Code.NO_OPERATION)
        if not found.process:
            raise field_error("operation", _("Give the routing operation (or its work center) a process first."),
                              Code.NO_PROCESS)
        if found.quantity <= 0:
            raise field_error("operation", _("Nothing is left to process on this operation."), Code.NOTHING_LEFT)
        wo = found.work_order
        item, uom = wo.item, wo.item.uom
        facts = {"number": wo.number, "item_id": item.pk, "item": f"{item.code} {item.name}", "uom": uom.code,
                 "operation": found.operation.name}
    with schema_context(get_public_schema_name()):
        if _open_listing_for(enterprise=enterprise, source=Listing.ErpSource.OPERATION, source_id=operation_id):
            raise ValidationError(_("This operation is already on the boards."), code=Code.ALREADY_POSTED)
        label = str(Process(found.process).label)
        quantity = found.quantity
        attributes = [[_("Process"), label], [_("Part"), facts["item"][:100]],
                      [_("Operation"), facts["operation"][:100]], [_("Needed by"), found.need_date.isoformat()]]
        if found.hours > 0:
            attributes.append([_("Hours needed (estimate)"), _hours(found.hours)])
        listing = listing_create(
            enterprise=enterprise, user=user, kind=Listing.Kind.DEMAND, board=board, category=category,
            title=(_("Outsourced %(process)s: %(item)s × %(qty)s %(uom)s")
                   % {"process": label, "item": facts["item"], "qty": _hours(quantity), "uom": facts["uom"]})[:120],
            description=description or _("%(process)s of %(qty)s %(uom)s %(item)s, needed by %(date)s. Quote "
                                         "your price per piece.")
            % {"process": label, "qty": _hours(quantity), "uom": facts["uom"], "item": facts["item"],
               "date": found.need_date.isoformat()},
            attributes=attributes, quantity=quantity, unit=facts["uom"], delivery_terms=Listing.Delivery.NEGOTIABLE,
            validity_days=validity_days, is_rfq=True,
            rfq_deadline=rfq_deadline or _default_deadline(found.need_date), publish=True, api_token=api_token)
        listing.trade_type = Listing.TradeType.PROCESSING
        listing.erp_source, listing.erp_source_id = Listing.ErpSource.OPERATION, operation_id
        listing.need_item_id, listing.need_date = facts["item_id"], found.need_date
        listing.process = found.process
        listing.capacity_weeks = _need_weeks(start=found.start, need_date=found.need_date, hours=found.hours)
        _position(listing, enterprise)
        listing.full_clean()
        listing.save()
    return listing
