"""Writes on the boards: listings, their search index, images and files, RFQs and quotations,
inquiries, moderation, expiry and notifications.

Who may do what is checked here as well as in the views (a service called from a task, the shell
or GraphQL gets the same answer): only members (clerk or above) of the posting enterprise change
its listings; only the office moderates.
"""

from __future__ import annotations

import mimetypes
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import Case, Value, When
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.errors import field_error
from ecommerce import search
from ecommerce.conf import setting
from ecommerce.error_codes import BoardsErrorCode as Code
from ecommerce.models import (Board, Category, EnterpriseCard, InquiryMessage, InquiryThread, Listing,
                              ListingAttachment, ListingImage, Notification, Quotation)
from ecommerce.uploads import attachment_check, image_check, thumbnail_make
from tenants.models import Enterprise, Membership, Role, User
from tenants.selectors import membership_get

BOARDS_WRITE_SCOPE = "boards:write"  # the API-token scope that lets an integration act on the boards
EDITABLE_FIELDS = ("board", "category", "title", "description", "attributes", "quantity", "unit", "moq", "price_min",
                   "price_max", "negotiable", "delivery_terms", "delivery_place", "contact_name", "contact_phone",
                   "contact_email", "is_rfq", "rfq_deadline", "rfq_max_quotations", "show_stock")


class BoardsPermissionDenied(PermissionDenied):
    """A refusal with a message the user can act on and a code the tests can check."""

    def __init__(self, message: str, code: Code):
        super().__init__(message)
        self.message = message
        self.code = str(code)


# ---- permissions ---------------------------------------------------------------------------------


def member_require(*, user: User | None, enterprise: Enterprise, minimum: str = Role.CLERK,
                   api_token=None) -> Membership | None:
    """The acting user's membership (clerk or above by default) of ``enterprise``; or, for an integration
    that acts through an API token (GraphQL), that the token is the enterprise's own, still valid, with
    the scope ``boards:write`` (the token stands for the enterprise; there is no membership then)."""
    if api_token is not None:
        _token_require(api_token=api_token, enterprise=enterprise)
        return None
    membership = membership_get(user=user, enterprise=enterprise) if user is not None else None
    if membership is None:
        raise BoardsPermissionDenied(
            _("Only members of %(enterprise)s can do this; you are not a member.") % {"enterprise": enterprise},
            Code.NOT_MEMBER)
    if not membership.has_role(minimum):
        raise BoardsPermissionDenied(
            _("This needs the role “%(role)s” or higher in %(enterprise)s.") % {"role": Role(minimum).label,
                                                                                 "enterprise": enterprise},
            Code.ROLE_TOO_LOW)
    _active_require(enterprise)
    return membership


def _active_require(enterprise: Enterprise) -> None:
    if enterprise.status != Enterprise.Status.ACTIVE:
        raise BoardsPermissionDenied(_("%(enterprise)s is not active on the platform.") % {"enterprise": enterprise},
                                     Code.ENTERPRISE_INACTIVE)


def _token_require(*, api_token, enterprise: Enterprise) -> None:
    now = timezone.now()
    if (api_token.enterprise_id != enterprise.pk or api_token.revoked_at is not None
            or (api_token.expires_at is not None and api_token.expires_at <= now)):
        raise BoardsPermissionDenied(
            _("This API token cannot act for %(enterprise)s.") % {"enterprise": enterprise}, Code.NOT_MEMBER)
    if BOARDS_WRITE_SCOPE not in api_token.scopes:
        raise BoardsPermissionDenied(_("This API token lacks the scope “%(scope)s”.") % {"scope": BOARDS_WRITE_SCOPE},
                                     Code.TOKEN_SCOPE)
    _active_require(enterprise)


def listing_poster(listing: Listing) -> User | None:
    """Who hears about a listing: the member who posted it, or (posted through the API) the enterprise's owner."""
    return listing.created_by if listing.created_by_id else enterprise_contact_user(listing.enterprise_id)


def enterprise_contact_user(enterprise_id: int) -> User | None:
    """Who hears about a listing or conversation that an integration (API token) started: the
    enterprise's owner (the longest-standing one), else its first administrator."""
    membership = (Membership.objects.filter(enterprise_id=enterprise_id, role__in=(Role.OWNER, Role.ADMIN),
                                            user__is_active=True)
                  .select_related("user")
                  .order_by(Case(When(role=Role.OWNER, then=Value(0)), default=Value(1)), "created_at", "id").first())
    return membership.user if membership is not None else None


def office_require(*, user: User) -> None:
    if user is None or not (user.is_office or user.is_platform_admin):
        raise BoardsPermissionDenied(_("Only the informatization office can moderate the boards."), Code.NOT_OFFICE)


# ---- enterprise card -----------------------------------------------------------------------------


def enterprise_card_get(*, enterprise: Enterprise) -> EnterpriseCard:
    card, created = EnterpriseCard.objects.get_or_create(enterprise=enterprise)
    if created:  # a newcomer whose government data arrived before it joined: its credit counts at once
        from ecommerce.credit import boards_credit_refresh

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
        _listings_reindex(enterprise_ids=changed)
        for pk in changed:
            _credit_matches_refresh_queue(enterprise_id=pk)
    return changed


# An enterprise has a handful of listings on view; the cap bounds the work a flag change can queue.
CREDIT_REMATCH_LIMIT = 200


def _credit_matches_refresh_queue(*, enterprise_id: int) -> list[int]:
    """Queue the matching task, without notifications, for the enterprise's visible supply listings (the
    newest CREDIT_REMATCH_LIMIT), once the transaction commits, so their stored scores take the new credit
    part. Its demands are left alone: their scores carry the suppliers' credit, not theirs. A stored pair
    that is no longer among the supply's best kept matches keeps its old score until it is matched again."""
    from ecommerce.tasks import listing_matches_refresh_task

    listing_ids = list(Listing.objects.filter(
        enterprise_id=enterprise_id, kind=Listing.Kind.SUPPLY, status=Listing.Status.PUBLISHED, hidden_at__isnull=True,
        expires_at__gt=timezone.now()).order_by("-published_at", "-id").values_list("pk", flat=True)
        [:CREDIT_REMATCH_LIMIT])
    for listing_id in listing_ids:
        # robust: a broker outage must not undo the credit change (the next match or renewal catches up)
        transaction.on_commit(lambda pk=listing_id: listing_matches_refresh_task.delay(pk, notify=False), robust=True)
    return listing_ids


def enterprise_listings_reindex(*, enterprise: Enterprise) -> int:
    """Refresh the enterprise's facet lexemes (town, verified credit) in its listings' search vectors.
    Called by the beat task for enterprises changed lately (their town may have changed in the
    enterprise's settings); a credit change re-indexes through `_listings_reindex` directly."""
    return _listings_reindex(enterprise_ids=[enterprise.pk])


def _listings_reindex(*, enterprise_ids: list[int]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE ecommerce_listing SET search_vector = ts_delete(search_vector, ARRAY(SELECT lexeme FROM "
            f"unnest(search_vector) WHERE lexeme LIKE '~%%')) || {search.facets_sql('ecommerce_listing')} "
            f"WHERE enterprise_id = ANY(%s)", [list(enterprise_ids)])
        return cursor.rowcount


# ---- listings ------------------------------------------------------------------------------------


def _decimal(value, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise field_error(field, _("Enter a number."), Code.QUANTITY)
    if not number.is_finite() or number < 0:
        raise field_error(field, _("Enter a number of zero or more."), Code.QUANTITY)
    return number


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
    from django_tenants.utils import tenant_context

    from erp_modules.catalog.models import Item

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
        setattr(listing, name, _decimal(getattr(listing, name), name))
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


def listing_search_index(*, listing: Listing) -> None:
    """Write the listing's search vector from its jieba-segmented texts (see ecommerce.search).

    Done here, by the service that saves a listing, rather than by a trigger: the segmentation is
    jieba's (Python), which a trigger on a server without extensions (no PL/Python) cannot run."""
    title, attrs, body = search.document_texts(title=listing.title, description=listing.description,
                                               attributes=listing.attributes)
    sql = (search.SEARCH_VECTOR_SQL.format(title="%s", attrs="%s", body="%s") + " || "
           + search.facets_sql("ecommerce_listing"))
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE ecommerce_listing SET search_vector = {sql} WHERE id = %s",
                       [title, attrs, body, listing.pk])


def _after_publish(listing: Listing) -> None:
    from ecommerce.tasks import listing_matches_refresh_task

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


def _listing_locked(listing: Listing) -> Listing:
    return (Listing.objects.select_for_update(of=("self",)).select_related("enterprise", "board", "category")
            .get(pk=listing.pk))


@transaction.atomic
def listing_update(*, listing: Listing, user: User | None, validity_days: int | None = None, erp_item_code=None,
                   api_token=None, **changes) -> Listing:
    member_require(user=user, enterprise=listing.enterprise, minimum=Role.CLERK, api_token=api_token)
    listing = _listing_locked(listing)
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
    listing = _listing_locked(listing)
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
    listing = _listing_locked(listing)
    if listing.status == Listing.Status.CLOSED:
        raise ValidationError(_("The listing is already closed."), code=Code.WRONG_STATUS)
    _close(listing, Listing.ClosedReason.OWNER)
    return listing


def _close(listing: Listing, reason: str) -> None:
    listing.status = Listing.Status.CLOSED
    listing.closed_reason = reason
    listing.save(update_fields=["status", "closed_reason", "updated_at"])


@transaction.atomic
def listing_renew(*, listing: Listing, user: User | None, days: int | None = None, api_token=None) -> Listing:
    """Another validity period from now for a published or expired listing (not an RFQ past its deadline)."""
    member_require(user=user, enterprise=listing.enterprise, minimum=Role.CLERK, api_token=api_token)
    listing = _listing_locked(listing)
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
                    url=_listing_url(listing),
                    title=lambda: _("Quotations closed: %(title)s") % {"title": listing.title},
                    body=lambda: _("The quotation deadline passed with %(n)d quotation(s). Compare them and accept "
                                   "one on the listing page.") % {"n": count})
            else:
                notification_create(
                    user=poster, enterprise_id=listing.enterprise_id, kind=Notification.Kind.EXPIRED,
                    url=_listing_url(listing),
                    title=lambda: _("Listing expired: %(title)s") % {"title": listing.title},
                    body=lambda: _("Your listing is no longer shown on the board. Renew it from its page to show "
                                   "it again."))
    # an enterprise's town lives in its settings (tenants): refresh the facets of those changed lately
    for enterprise in Enterprise.objects.filter(updated_at__gte=now - timedelta(minutes=30)):
        enterprise_listings_reindex(enterprise=enterprise)
    return {"expired": len(expired), "rfqs_closed": len(rfqs)}


def _listing_url(listing: Listing) -> str:
    return f"/boards/l/{listing.pk}/"


# ---- images and attachments ----------------------------------------------------------------------


@transaction.atomic
def listing_image_add(*, listing: Listing, user: User, file) -> ListingImage:
    member_require(user=user, enterprise=listing.enterprise, minimum=Role.CLERK)
    listing = _listing_locked(listing)
    if listing.images.count() >= setting("BOARDS_IMAGES_PER_LISTING"):
        raise field_error("image", _("At most %(n)d images per listing.") % {"n": setting("BOARDS_IMAGES_PER_LISTING")},
                          Code.TOO_MANY_IMAGES)
    info = image_check(file)
    image = ListingImage(listing=listing, content_type=info["content_type"], size=file.size, width=info["width"],
                         height=info["height"], sort_order=listing.images.count())
    image.image.save(f"img{info['ext']}", file, save=False)
    try:
        thumb = thumbnail_make(file)
        if thumb is not None:
            image.thumbnail.save("thumb.jpg", thumb, save=False)
        image.full_clean()
        image.save()
    except Exception:
        image.image.delete(save=False)
        if image.thumbnail:
            image.thumbnail.delete(save=False)
        raise
    return image


@transaction.atomic
def listing_image_delete(*, image: ListingImage, user: User) -> None:
    member_require(user=user, enterprise=image.listing.enterprise, minimum=Role.CLERK)
    files = [(f.storage, f.name) for f in (image.image, image.thumbnail) if f]
    image.delete()
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in files])


@transaction.atomic
def listing_attachment_add(*, listing: Listing, user: User, file) -> ListingAttachment:
    member_require(user=user, enterprise=listing.enterprise, minimum=Role.CLERK)
    name = attachment_check(file)
    attachment = ListingAttachment(listing=listing, original_name=name, size=file.size,
                                   content_type=mimetypes.guess_type(name)[0] or "application/octet-stream")
    attachment.file.save(name, file, save=False)
    try:
        attachment.full_clean()
        attachment.save()
    except Exception:
        attachment.file.delete(save=False)
        raise
    return attachment


# ---- moderation ----------------------------------------------------------------------------------


@transaction.atomic
def listing_hide(*, listing: Listing, user: User, reason: str) -> Listing:
    office_require(user=user)
    reason = (reason or "").strip()
    if not reason:
        raise field_error("reason", _("Say why the listing is hidden; the poster sees it."), Code.REASON_REQUIRED)
    listing = _listing_locked(listing)
    listing.hidden_at, listing.hidden_reason, listing.hidden_by = timezone.now(), reason[:255], user
    listing.featured = False
    listing.save(update_fields=["hidden_at", "hidden_reason", "hidden_by", "featured", "updated_at"])
    poster = listing_poster(listing)
    if poster is not None:
        notification_create(
            user=poster, enterprise_id=listing.enterprise_id, kind=Notification.Kind.MODERATED,
            url=_listing_url(listing),
            title=lambda: _("Listing hidden by the office: %(title)s") % {"title": listing.title},
            body=lambda: _("Reason: %(reason)s") % {"reason": reason})
    return listing


@transaction.atomic
def listing_unhide(*, listing: Listing, user: User) -> Listing:
    office_require(user=user)
    listing = _listing_locked(listing)
    listing.hidden_at, listing.hidden_reason, listing.hidden_by = None, "", None
    listing.save(update_fields=["hidden_at", "hidden_reason", "hidden_by", "updated_at"])
    return listing


@transaction.atomic
def listing_feature(*, listing: Listing, user: User, featured: bool) -> Listing:
    office_require(user=user)
    listing = _listing_locked(listing)
    if featured and listing.hidden_at is not None:
        raise ValidationError(_("A hidden listing cannot be featured."), code=Code.HIDDEN)
    listing.featured = featured
    listing.save(update_fields=["featured", "updated_at"])
    return listing


# ---- RFQs and quotations -------------------------------------------------------------------------


def rfq_quota(listing: Listing) -> int:
    limit = setting("BOARDS_RFQ_MAX_QUOTATIONS")
    return min(listing.rfq_max_quotations or limit, limit)


@transaction.atomic
def quotation_submit(*, listing: Listing, enterprise: Enterprise, user: User | None, unit_price, quantity,
                     lead_time_days: int, valid_until, note: str = "", attachment=None, api_token=None) -> Quotation:
    """A supplier quotes on an open RFQ (one quotation per supplier; quoting again replaces it while the
    RFQ is open). The RFQ closes when it has received its quota of quotations (withdrawn ones do not
    count). Quoting again after withdrawing is a new quotation: the buyer is told again and the withdrawn
    quotation's file is not carried over."""
    member_require(user=user, enterprise=enterprise, minimum=Role.CLERK, api_token=api_token)
    listing = _listing_locked(listing)
    if not listing.is_rfq:
        raise ValidationError(_("This listing does not ask for quotations."), code=Code.NOT_RFQ)
    if listing.enterprise_id == enterprise.pk:
        raise ValidationError(_("You cannot quote on your own enterprise's RFQ."), code=Code.OWN_LISTING)
    if not listing.rfq_open or listing.expires_at <= timezone.now():
        raise ValidationError(_("This RFQ is closed for quotations."), code=Code.RFQ_CLOSED)
    unit_price = _decimal(unit_price, "unit_price")
    quantity = _decimal(quantity, "quantity")
    if unit_price is None:
        raise field_error("unit_price", _("Enter a unit price."), Code.QUANTITY)
    if quantity is None or quantity <= 0:
        raise field_error("quantity", _("Enter a quantity greater than zero."), Code.QUANTITY)
    if valid_until is None or valid_until < timezone.localdate():
        raise field_error("valid_until", _("The quotation must be valid until today or later."), Code.VALIDITY)
    existing = Quotation.objects.filter(listing=listing, enterprise=enterprise).first()
    resubmitted = existing is not None and existing.status == Quotation.Status.WITHDRAWN
    quotation = existing or Quotation(listing=listing, enterprise=enterprise)
    if resubmitted and quotation.attachment:
        old_file = (quotation.attachment.storage, quotation.attachment.name)
        quotation.attachment, quotation.attachment_name = "", ""
        transaction.on_commit(lambda: old_file[0].delete(old_file[1]), robust=True)
    quotation.created_by = user
    quotation.unit_price, quotation.quantity = unit_price, quantity
    quotation.lead_time_days, quotation.valid_until = int(lead_time_days), valid_until
    quotation.note = (note or "").strip()
    quotation.status, quotation.decided_at = Quotation.Status.SUBMITTED, None
    if attachment is not None:
        quotation.attachment_name = attachment_check(attachment, field="attachment")
        quotation.attachment.save(quotation.attachment_name, attachment, save=False)
    quotation.full_clean()
    quotation.save()
    count = Quotation.objects.filter(listing=listing).exclude(status=Quotation.Status.WITHDRAWN).count()
    poster = listing_poster(listing)
    if (existing is None or resubmitted) and poster is not None:
        notification_create(
            user=poster, enterprise_id=listing.enterprise_id, kind=Notification.Kind.QUOTATION,
            url=_listing_url(listing),
            title=lambda: _("New quotation for %(title)s") % {"title": listing.title},
            body=lambda: _("%(supplier)s quoted %(price)s CNY per %(unit)s for %(qty)s, lead time %(days)d days.")
            % {"supplier": enterprise, "price": quotation.unit_price.normalize(), "unit": listing.unit or "-",
               "qty": quotation.quantity.normalize(), "days": quotation.lead_time_days})
    if count >= rfq_quota(listing):
        _close(listing, Listing.ClosedReason.QUOTA)
        if poster is not None:
            notification_create(
                user=poster, enterprise_id=listing.enterprise_id, kind=Notification.Kind.RFQ_CLOSED,
                url=_listing_url(listing),
                title=lambda: _("Quotations closed: %(title)s") % {"title": listing.title},
                body=lambda: _("The RFQ received %(n)d quotations and is closed. Compare them and accept one.")
                % {"n": count})
    return quotation


@transaction.atomic
def quotation_accept(*, quotation: Quotation, user: User | None, api_token=None) -> Quotation:
    """The buyer accepts one quotation: the others are declined and the RFQ is closed."""
    listing = _listing_locked(quotation.listing)
    member_require(user=user, enterprise=listing.enterprise, minimum=Role.CLERK, api_token=api_token)
    quotation = (Quotation.objects.select_for_update(of=("self",)).select_related("enterprise", "created_by")
                 .get(pk=quotation.pk))
    if Quotation.objects.filter(listing=listing, status=Quotation.Status.ACCEPTED).exists():
        raise ValidationError(_("A quotation has already been accepted for this RFQ."), code=Code.ALREADY_ACCEPTED)
    if quotation.status != Quotation.Status.SUBMITTED:
        raise ValidationError(_("Only a submitted quotation can be accepted."), code=Code.WRONG_STATUS)
    if quotation.valid_until < timezone.localdate():
        raise ValidationError(_("This quotation expired on %(date)s.") % {"date": quotation.valid_until},
                              code=Code.QUOTATION_EXPIRED)
    now = timezone.now()
    quotation.status, quotation.decided_at = Quotation.Status.ACCEPTED, now
    quotation.save(update_fields=["status", "decided_at"])
    others = list(Quotation.objects.filter(listing=listing, status=Quotation.Status.SUBMITTED)
                  .exclude(pk=quotation.pk).select_related("created_by"))
    Quotation.objects.filter(pk__in=[q.pk for q in others]).update(status=Quotation.Status.DECLINED, decided_at=now)
    if listing.status != Listing.Status.CLOSED or listing.closed_reason != Listing.ClosedReason.ACCEPTED:
        _close(listing, Listing.ClosedReason.ACCEPTED)
    supplier = quotation.created_by if quotation.created_by_id else enterprise_contact_user(quotation.enterprise_id)
    if supplier is not None:
        notification_create(
            user=supplier, enterprise_id=quotation.enterprise_id, kind=Notification.Kind.ACCEPTED,
            url=_listing_url(listing),
            title=lambda: _("Your quotation was accepted: %(title)s") % {"title": listing.title},
            body=lambda: _("%(buyer)s accepted your quotation. Contact them to agree the order.")
            % {"buyer": listing.enterprise})
    for other in others:
        other_supplier = other.created_by if other.created_by_id else enterprise_contact_user(other.enterprise_id)
        if other_supplier is not None:
            notification_create(
                user=other_supplier, enterprise_id=other.enterprise_id, kind=Notification.Kind.DECLINED,
                url=_listing_url(listing),
                title=lambda: _("Another quotation was chosen: %(title)s") % {"title": listing.title}, body="")
    return quotation


@transaction.atomic
def quotation_withdraw(*, quotation: Quotation, user: User | None, api_token=None, reason: str = "") -> Quotation:
    """The supplier takes back its quotation while the buyer has not decided (no quotation accepted).

    The buyer's comparison no longer shows it and it no longer counts towards the RFQ's quota: an RFQ that
    was closed because it had received its quota reopens for quotations if its deadline and validity are
    still ahead (closed by its poster, at its deadline or by an acceptance, it stays closed). The supplier
    may quote again while the RFQ is open (quotation_submit). The buyer is told, with the reason if given."""
    member_require(user=user, enterprise=quotation.enterprise, minimum=Role.CLERK, api_token=api_token)
    listing = _listing_locked(quotation.listing)  # the same order as quotation_submit/accept: listing, then quotation
    quotation = Quotation.objects.select_for_update(of=("self",)).select_related("enterprise").get(pk=quotation.pk)
    if quotation.status == Quotation.Status.WITHDRAWN:
        raise ValidationError(_("This quotation is already withdrawn."), code=Code.ALREADY_WITHDRAWN)
    if quotation.status == Quotation.Status.ACCEPTED:
        raise ValidationError(_("An accepted quotation cannot be withdrawn."), code=Code.ALREADY_ACCEPTED)
    if Quotation.objects.filter(listing=listing, status=Quotation.Status.ACCEPTED).exists():
        raise ValidationError(_("The buyer has already accepted a quotation for this RFQ."),
                              code=Code.ALREADY_ACCEPTED)
    if quotation.status != Quotation.Status.SUBMITTED:
        raise ValidationError(_("Only a submitted quotation can be withdrawn."), code=Code.WRONG_STATUS)
    now = timezone.now()
    quotation.status, quotation.decided_at = Quotation.Status.WITHDRAWN, now
    quotation.save(update_fields=["status", "decided_at"])
    count = Quotation.objects.filter(listing=listing).exclude(status=Quotation.Status.WITHDRAWN).count()
    reopened = (listing.status == Listing.Status.CLOSED and listing.closed_reason == Listing.ClosedReason.QUOTA
                and listing.rfq_deadline is not None and listing.rfq_deadline > now and listing.expires_at > now
                and count < rfq_quota(listing))
    if reopened:
        listing.status, listing.closed_reason = Listing.Status.PUBLISHED, ""
        listing.save(update_fields=["status", "closed_reason", "updated_at"])
    reason = (reason or "").strip()[:500]
    poster = listing_poster(listing)
    if poster is not None:
        deadline = timezone.localtime(listing.rfq_deadline).strftime("%Y-%m-%d %H:%M") if reopened else ""

        def body() -> str:
            parts = [_("%(supplier)s withdrew its quotation (%(price)s CNY per %(unit)s).")
                     % {"supplier": quotation.enterprise, "price": quotation.unit_price.normalize(),
                        "unit": listing.unit or "-"}]
            if reason:
                parts.append(_("Reason: %(reason)s") % {"reason": reason})
            if reopened:
                parts.append(_("The RFQ is open for quotations again until %(deadline)s.") % {"deadline": deadline})
            return "\n".join(parts)

        notification_create(
            user=poster, enterprise_id=listing.enterprise_id, kind=Notification.Kind.QUOTATION,
            url=_listing_url(listing),
            title=lambda: _("Quotation withdrawn: %(title)s") % {"title": listing.title}, body=body)
    return quotation


# ---- inquiries -----------------------------------------------------------------------------------


def _message_rate_check(*, enterprise: Enterprise) -> None:
    window = timezone.now() - timedelta(minutes=setting("BOARDS_POSTING_WINDOW_MINUTES"))
    if InquiryMessage.objects.filter(sender=enterprise, created_at__gte=window).count() >= setting(
            "BOARDS_MESSAGE_LIMIT"):
        raise ValidationError(_("Too many messages from %(enterprise)s in a short time. Please try again later.")
                              % {"enterprise": enterprise}, code=Code.RATE_LIMITED)


def _message_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise field_error("body", _("Write a message."), Code.EMPTY_MESSAGE)
    if len(body) > 4000:
        raise field_error("body", _("At most 4,000 characters."), Code.EMPTY_MESSAGE)
    return body


@transaction.atomic
def inquiry_send(*, listing: Listing, enterprise: Enterprise, user: User | None, body: str,
                 api_token=None) -> InquiryThread:
    """A member of ``enterprise`` asks the listing's enterprise (the thread is created on the first message)."""
    member_require(user=user, enterprise=enterprise, minimum=Role.CLERK, api_token=api_token)
    if listing.enterprise_id == enterprise.pk:
        raise ValidationError(_("This is your own enterprise's listing."), code=Code.OWN_LISTING)
    if not listing.is_visible:
        raise ValidationError(_("This listing is no longer open for inquiries."), code=Code.WRONG_STATUS)
    body = _message_body(body)
    _message_rate_check(enterprise=enterprise)
    thread, _created = InquiryThread.objects.get_or_create(
        listing=listing, asker=enterprise, defaults={"owner_id": listing.enterprise_id, "started_by": user})
    _message_add(thread=thread, enterprise=enterprise, user=user, body=body)
    return thread


@transaction.atomic
def inquiry_reply(*, thread: InquiryThread, enterprise: Enterprise, user: User | None, body: str,
                  api_token=None) -> InquiryMessage:
    member_require(user=user, enterprise=enterprise, minimum=Role.CLERK, api_token=api_token)
    if enterprise.pk not in (thread.asker_id, thread.owner_id):
        raise BoardsPermissionDenied(_("%(enterprise)s is not part of this conversation.") % {"enterprise": enterprise},
                                     Code.NOT_MEMBER)
    body = _message_body(body)
    _message_rate_check(enterprise=enterprise)
    thread = InquiryThread.objects.select_for_update().get(pk=thread.pk)
    return _message_add(thread=thread, enterprise=enterprise, user=user, body=body)


def _message_add(*, thread: InquiryThread, enterprise: Enterprise, user: User, body: str) -> InquiryMessage:
    now = timezone.now()
    message = InquiryMessage.objects.create(thread=thread, sender=enterprise, sent_by=user, body=body, created_at=now)
    side = "asker_read_at" if enterprise.pk == thread.asker_id else "owner_read_at"
    InquiryThread.objects.filter(pk=thread.pk).update(last_message_at=now, **{side: now})
    listing = thread.listing
    if enterprise.pk == thread.asker_id:
        recipient = listing.created_by
        recipient_enterprise = thread.owner_id
    else:
        recipient = thread.started_by
        recipient_enterprise = thread.asker_id
    if recipient is None:  # posted or asked through the API: the enterprise's owner hears of it
        recipient = enterprise_contact_user(recipient_enterprise)
    if recipient is not None:
        notification_create(
            user=recipient, enterprise_id=recipient_enterprise, kind=Notification.Kind.INQUIRY,
            url=f"/boards/inquiries/{thread.pk}/",
            title=lambda: _("Message from %(enterprise)s about %(title)s") % {"enterprise": enterprise,
                                                                           "title": listing.title},
            body=lambda: body[:500])
    return message


def inquiry_mark_read(*, thread: InquiryThread, enterprise: Enterprise) -> None:
    side = "asker_read_at" if enterprise.pk == thread.asker_id else "owner_read_at"
    InquiryThread.objects.filter(pk=thread.pk).update(**{side: timezone.now()})


# ---- notifications -------------------------------------------------------------------------------


def notification_create(*, user: User, kind: str, title, body="", url: str = "", enterprise_id: int | None = None,
                        email: bool = True) -> Notification:
    """An in-site notification, and an email to the user after the transaction commits (via Celery).
    ``title``/``body`` may be callables: they are then rendered in the recipient's language."""
    from django.conf import settings

    with translation.override(user.language or settings.LANGUAGE_CODE):
        title_text = str(title() if callable(title) else title)
        body_text = str(body() if callable(body) else body)
    notification = Notification.objects.create(user=user, enterprise_id=enterprise_id, kind=kind,
                                               title=title_text[:200], body=body_text, url=url)
    if email and user.email and user.is_active:
        from ecommerce.tasks import notification_email_task

        notification_id = notification.pk
        transaction.on_commit(lambda: notification_email_task.delay(notification_id), robust=True)
    return notification


def notification_email_send(*, notification_id: int) -> bool:
    """Send one notification by email (Django's mail backend); each is sent at most once."""
    from tenants.selectors import site_base_url

    claimed = Notification.objects.filter(pk=notification_id, emailed_at__isnull=True).update(
        emailed_at=timezone.now())
    if not claimed:
        return False
    notification = Notification.objects.select_related("user").get(pk=notification_id)
    link = f"{site_base_url()}{notification.url}" if notification.url else ""
    body = "\n\n".join(part for part in (notification.body, link) if part)
    try:
        send_mail(subject=f"[数码桥] {notification.title}", message=body, from_email=None,
                  recipient_list=[notification.user.email])
    except Exception:
        Notification.objects.filter(pk=notification_id).update(emailed_at=None)  # retried by Celery
        raise
    return True


def notifications_mark_read(*, user: User, ids: list[int] | None = None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())

