"""Listings: post, change, publish, close, renew and expire (the beat task), each saved with its
search vector. Who may: members (clerk or above) of the posting enterprise or its `boards:write` token
(services/permissions.py)."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import tenant_context

from core.errors import field_error
from ecommerce.conf import setting
from ecommerce.error_codes import BoardsErrorCode as Code
from ecommerce.models import Board, Category, EnterpriseCard, Listing, Notification
from ecommerce.services._common import decimal_or_none, listing_close_for, listing_locked, listing_url
from ecommerce.services.cards import enterprise_card_get
from ecommerce.services.matches import listing_matches_refresh_task
from ecommerce.services.notifications import notification_create
from ecommerce.services.permissions import listing_poster, member_require
from ecommerce.services.search_index import enterprise_listings_reindex, listing_search_index
from erp_modules.catalog.models import Item
from tenants.models import Enterprise, Role, User

EDITABLE_FIELDS = ("board", "category", "title", "description", "attributes", "quantity", "unit", "moq", "price_min",
                   "price_max", "negotiable", "delivery_terms", "delivery_place", "contact_name", "contact_phone",
                   "contact_email", "is_rfq", "rfq_deadline", "rfq_max_quotations", "show_stock")


def _attributes_clean(attributes) -> list[list[str]]:
    cleaned = []
    for pair in attributes or []:
        if len(pair) != 2:
            raise field_error("attributes", _("Each specification is a name and a value."), Code.ATTRIBUTES)
        key, value = str(pair[0]).strip(), str(pair[1]).strip()
        if not key and not value:
            continue
        if not key or not value or len(key) > 30 or len(value) > 100:
            raise field_error("attributes", _("Specification “%(key)s”: give a name (up to 30 characters) and a "
                                              "value (up to 100).") % {"key": key or value}, Code.ATTRIBUTES)
        cleaned.append([key, value])
    if len(cleaned) > 30:
        raise field_error("attributes", _("At most 30 specifications."), Code.ATTRIBUTES)
    return cleaned


def _erp_item_resolve(*, enterprise: Enterprise, code: str) -> tuple[int | None, str]:
    """The id of the enterprise's active ERP item with this code, read in the enterprise's schema."""
    code = (code or "").strip()
    if not code:
        return None, ""
    with tenant_context(enterprise):
        item = Item.objects.filter(code__iexact=code, active=True).exclude(
            item_type__in=[Item.Type.KIT, Item.Type.SERVICE]).values("pk", "code").first()
    if item is None:
        raise field_error("erp_item_code", _("No active stocked item with code “%(code)s” in %(enterprise)s's ERP.")
                          % {"code": code, "enterprise": enterprise}, Code.ERP_ITEM)
    return item["pk"], item["code"]


def _listing_validate(listing: Listing, *, validity_days: int | None, creating: bool) -> None:
    now = timezone.now()
    if listing.category_id and listing.board_id and listing.category.board_id != listing.board_id:
        raise field_error("category", _("Choose a category of the board “%(board)s”.") % {"board": listing.board},
                          Code.CATEGORY_BOARD)
    listing.title = (listing.title or "").strip()
    listing.attributes = _attributes_clean(listing.attributes)
    for name in ("quantity", "moq", "price_min", "price_max"):
        setattr(listing, name, decimal_or_none(getattr(listing, name), name))
    if listing.quantity is not None and listing.quantity == 0:
        raise field_error("quantity", _("Enter a quantity greater than zero, or leave it empty."), Code.QUANTITY)
    if listing.price_min is not None and listing.price_max is None:
        listing.price_max = listing.price_min
    elif listing.price_max is not None and listing.price_min is None:
        listing.price_min = listing.price_max
    if listing.price_min is not None and listing.price_min > listing.price_max:
        raise field_error("price_max", _("The upper price must not be below the lower price."), Code.PRICE_RANGE)
    if validity_days is not None or creating:
        days = validity_days if validity_days is not None else setting("BOARDS_LISTING_DEFAULT_DAYS")
        if not 1 <= int(days) <= setting("BOARDS_LISTING_MAX_DAYS"):
            raise field_error("validity_days", _("A listing is valid for 1 to %(max)d days.")
                              % {"max": setting("BOARDS_LISTING_MAX_DAYS")}, Code.VALIDITY)
        listing.expires_at = now + timedelta(days=int(days))
    if listing.is_rfq:
        if listing.kind != Listing.Kind.DEMAND:
            raise field_error("is_rfq", _("Only a demand can ask for quotations."), Code.RFQ_DEMAND_ONLY)
        if listing.rfq_deadline is None or listing.rfq_deadline <= now:
            raise field_error("rfq_deadline", _("Give a quotation deadline in the future."), Code.RFQ_DEADLINE)
        if listing.rfq_deadline > listing.expires_at:
            raise field_error("rfq_deadline", _("The quotation deadline must fall within the listing's validity."),
                              Code.RFQ_DEADLINE)
        limit = setting("BOARDS_RFQ_MAX_QUOTATIONS")
        if listing.rfq_max_quotations is not None and not 1 <= listing.rfq_max_quotations <= limit:
            raise field_error("rfq_max_quotations", _("Between 1 and %(max)d quotations.") % {"max": limit},
                              Code.RFQ_DEADLINE)
    else:
        listing.rfq_deadline = None
        listing.rfq_max_quotations = None
    if listing.kind != Listing.Kind.SUPPLY and listing.erp_item_code:
        raise field_error("erp_item_code", _("Only a supply listing can be linked to an ERP item."),
                          Code.ERP_ITEM_SUPPLY_ONLY)


def _rate_limit_check(*, enterprise: Enterprise) -> None:
    """At most BOARDS_POSTING_LIMIT new listings per enterprise per window, counted in the database.
    The enterprise's card row is locked first so two concurrent posts are counted one after the other."""
    card = enterprise_card_get(enterprise=enterprise)
    EnterpriseCard.objects.select_for_update().filter(pk=card.pk).first()
    window = timedelta(minutes=setting("BOARDS_POSTING_WINDOW_MINUTES"))
    recent = Listing.objects.filter(enterprise=enterprise, created_at__gte=timezone.now() - window).count()
    if recent >= setting("BOARDS_POSTING_LIMIT"):
        raise ValidationError(
            _("%(enterprise)s has posted %(n)d listings in the last %(minutes)d minutes, the most allowed. "
              "Please try again later.") % {"enterprise": enterprise, "n": recent,
                                            "minutes": setting("BOARDS_POSTING_WINDOW_MINUTES")},
            code=Code.RATE_LIMITED)


def _after_publish(listing: Listing) -> None:
    listing_id = listing.pk
    # robust: a broker outage must not undo a post that was saved; matching runs again on renewal
    transaction.on_commit(lambda: listing_matches_refresh_task.delay(listing_id), robust=True)


@transaction.atomic
def listing_create(*, enterprise: Enterprise, user: User | None, kind: str, board: Board, category: Category, title: str,
                   description: str = "", attributes=(), quantity=None, unit: str = "", moq=None, price_min=None,
                   price_max=None, negotiable: bool = False, delivery_terms: str = Listing.Delivery.NEGOTIABLE,
                   delivery_place: str = "", contact_name: str = "", contact_phone: str = "",
                   contact_email: str = "", validity_days: int | None = None, is_rfq: bool = False,
                   rfq_deadline=None, rfq_max_quotations: int | None = None, erp_item_code: str = "",
                   show_stock: bool = True, publish: bool = True, api_token=None) -> Listing:
    member_require(user=user, enterprise=enterprise, minimum=Role.CLERK, api_token=api_token)
    _rate_limit_check(enterprise=enterprise)
    enterprise_card_get(enterprise=enterprise)  # the card (and its credit from the government data) exists
    listing = Listing(
        enterprise=enterprise, created_by=user, kind=kind, board=board, category=category, title=title,
        description=(description or "").strip(), attributes=list(attributes or []), quantity=quantity,
        unit=(unit or "").strip(), moq=moq, price_min=price_min, price_max=price_max, negotiable=negotiable,
        delivery_terms=delivery_terms or Listing.Delivery.NEGOTIABLE, delivery_place=(delivery_place or "").strip(),
        contact_name=(contact_name or (user.full_name if user is not None else "") or "").strip(),
        contact_phone=(contact_phone or enterprise.contact_phone or (user.phone if user is not None else "") or "").strip(),
        contact_email=(contact_email or "").strip(), is_rfq=is_rfq, rfq_deadline=rfq_deadline,
        rfq_max_quotations=rfq_max_quotations, show_stock=show_stock, erp_item_code=(erp_item_code or "").strip(),
        expires_at=timezone.now(),
    )
    _listing_validate(listing, validity_days=validity_days, creating=True)
    listing.erp_item_id, listing.erp_item_code = _erp_item_resolve(enterprise=enterprise, code=listing.erp_item_code)
    if publish:
        listing.status = Listing.Status.PUBLISHED
        listing.published_at = timezone.now()
    listing.full_clean()
    listing.save()
    listing_search_index(listing=listing)
    if publish:
        _after_publish(listing)
    return listing


@transaction.atomic
def listing_update(*, listing: Listing, user: User | None, validity_days: int | None = None, erp_item_code=None,
                   api_token=None, **changes) -> Listing:
    member_require(user=user, enterprise=listing.enterprise, minimum=Role.CLERK, api_token=api_token)
    listing = listing_locked(listing)
    if listing.status == Listing.Status.CLOSED:
        raise ValidationError(_("A closed listing cannot be changed; post a new one."), code=Code.WRONG_STATUS)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    if listing.is_rfq and listing.quotations.exists() and any(
            k in changes and changes[k] != getattr(listing, k) for k in ("is_rfq", "kind")):
        raise ValidationError(_("This RFQ already has quotations."), code=Code.WRONG_STATUS)
    for name, value in changes.items():
        if name in ("description", "unit", "delivery_place", "contact_name", "contact_phone", "contact_email"):
            value = (value or "").strip()
        if name == "attributes":
            value = list(value or [])
        setattr(listing, name, value)
    if erp_item_code is not None:
        listing.erp_item_code = (erp_item_code or "").strip()  # validated with the rest (supply only)
    _listing_validate(listing, validity_days=validity_days, creating=False)
    if erp_item_code is not None:
        listing.erp_item_id, listing.erp_item_code = _erp_item_resolve(enterprise=listing.enterprise,
                                                                       code=listing.erp_item_code)
    listing.full_clean()
    listing.save()
    listing_search_index(listing=listing)  # words, and the board/category facets
    return listing


@transaction.atomic
def listing_publish(*, listing: Listing, user: User | None, api_token=None) -> Listing:
    member_require(user=user, enterprise=listing.enterprise, minimum=Role.CLERK, api_token=api_token)
    listing = listing_locked(listing)
    if listing.status != Listing.Status.DRAFT:
        raise ValidationError(_("Only a draft can be published."), code=Code.WRONG_STATUS)
    now = timezone.now()
    if listing.expires_at <= now:
        listing.expires_at = now + timedelta(days=setting("BOARDS_LISTING_DEFAULT_DAYS"))
    if listing.is_rfq and (listing.rfq_deadline is None or listing.rfq_deadline <= now):
        raise field_error("rfq_deadline", _("Give a quotation deadline in the future."), Code.RFQ_DEADLINE)
    listing.status = Listing.Status.PUBLISHED
    listing.published_at = now
    listing.save(update_fields=["status", "published_at", "expires_at", "updated_at"])
    listing_search_index(listing=listing)  # the day of publication is a facet
    _after_publish(listing)
    return listing


@transaction.atomic
def listing_close(*, listing: Listing, user: User | None, api_token=None) -> Listing:
    member_require(user=user, enterprise=listing.enterprise, minimum=Role.CLERK, api_token=api_token)
    listing = listing_locked(listing)
    if listing.status == Listing.Status.CLOSED:
        raise ValidationError(_("The listing is already closed."), code=Code.WRONG_STATUS)
    listing_close_for(listing, Listing.ClosedReason.OWNER)
    return listing


@transaction.atomic
def listing_renew(*, listing: Listing, user: User | None, days: int | None = None, api_token=None) -> Listing:
    """Another validity period from now for a published or expired listing (not an RFQ past its deadline)."""
    member_require(user=user, enterprise=listing.enterprise, minimum=Role.CLERK, api_token=api_token)
    listing = listing_locked(listing)
    if listing.status not in (Listing.Status.PUBLISHED, Listing.Status.EXPIRED):
        raise ValidationError(_("Only a published or expired listing can be renewed."), code=Code.WRONG_STATUS)
    days = days or setting("BOARDS_LISTING_DEFAULT_DAYS")
    if not 1 <= days <= setting("BOARDS_LISTING_MAX_DAYS"):
        raise field_error("days", _("A listing is valid for 1 to %(max)d days.")
                          % {"max": setting("BOARDS_LISTING_MAX_DAYS")}, Code.VALIDITY)
    was_expired = listing.status == Listing.Status.EXPIRED
    listing.expires_at = timezone.now() + timedelta(days=days)
    listing.status = Listing.Status.PUBLISHED
    if was_expired:
        listing.published_at = timezone.now()
    listing.save(update_fields=["expires_at", "status", "published_at", "updated_at"])
    if was_expired:
        listing_search_index(listing=listing)  # published again today
        _after_publish(listing)
    return listing


def listings_expire_due(*, now=None) -> dict:
    """Beat task body: published listings past their validity become expired (posters are told), and
    open RFQs past their quotation deadline close. Each row is changed once (UPDATE … RETURNING)."""
    now = now or timezone.now()
    with transaction.atomic():
        rfqs = list(Listing.objects.filter(status=Listing.Status.PUBLISHED, is_rfq=True, rfq_deadline__lte=now)
                    .select_for_update(skip_locked=True).values_list("pk", flat=True))
        Listing.objects.filter(pk__in=rfqs).update(status=Listing.Status.CLOSED,
                                                   closed_reason=Listing.ClosedReason.DEADLINE, updated_at=now)
        expired = list(Listing.objects.filter(status=Listing.Status.PUBLISHED, expires_at__lte=now)
                       .select_for_update(skip_locked=True).values_list("pk", flat=True))
        Listing.objects.filter(pk__in=expired).update(status=Listing.Status.EXPIRED, updated_at=now)
        for listing in Listing.objects.filter(pk__in=rfqs + expired).select_related("created_by"):
            poster = listing_poster(listing)
            if poster is None:
                continue
            if listing.pk in rfqs:
                count = listing.quotations.count()
                notification_create(
                    user=poster, enterprise_id=listing.enterprise_id, kind=Notification.Kind.RFQ_CLOSED,
                    url=listing_url(listing),
                    title=lambda: _("Quotations closed: %(title)s") % {"title": listing.title},
                    body=lambda: _("The quotation deadline passed with %(n)d quotation(s). Compare them and accept "
                                   "one on the listing page.") % {"n": count})
            else:
                notification_create(
                    user=poster, enterprise_id=listing.enterprise_id, kind=Notification.Kind.EXPIRED,
                    url=listing_url(listing),
                    title=lambda: _("Listing expired: %(title)s") % {"title": listing.title},
                    body=lambda: _("Your listing is no longer shown on the board. Renew it from its page to show "
                                   "it again."))
    # an enterprise's town lives in its settings (tenants): refresh the facets of those changed lately
    for enterprise in Enterprise.objects.filter(updated_at__gte=now - timedelta(minutes=30)):
        enterprise_listings_reindex(enterprise=enterprise)
    return {"expired": len(expired), "rfqs_closed": len(rfqs)}
