"""The supply-and-demand boards (public schema): boards with their category trees, listings with
their enterprise (and its credit badge), matches, and the inquiry threads of the caller's enterprise.

Visible listings are public, as on the web pages; contact details (person, phone, e-mail) are for
callers who act for an enterprise (a token, or a logged-in member of any enterprise) and the office,
as on the pages. Nothing here reads an enterprise's own schema.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

import graphene
from graphql_relay import to_global_id

from api.graphql.core.auth import auth_of
from api.graphql.core.dataloaders import loaded_as
from api.graphql.core.pagination import CountableConnection
from api.graphql.core.types import enum_from_choices, resolve_with, want_related
from api.graphql.ecommerce.actor import reading_for
from api.graphql.ecommerce.dataloaders import (BoardByIdLoader, CategoriesByBoardIdLoader, CategoryByIdLoader,
                                               ListingByIdLoader, ListingCountByBoardIdLoader, MatchesByListingIdLoader,
                                               MessagesByThreadIdLoader, QuotationsByListingIdLoader, unread_by_thread)
from api.graphql.ecommerce.trade_orders import TradeOrderByQuotationIdLoader, TradeOrderType, resolve_trade_order
from api.graphql.enterprises.dataloaders import EnterpriseByIdLoader
from api.graphql.enterprises.types import EnterpriseNode
from ecommerce.models import InquiryThread, Listing, Quotation
from ecommerce.pricing import quotation_landed
from ecommerce.selectors import user_is_member_anywhere

ListingKindEnum = enum_from_choices("ListingKindEnum", Listing.Kind, "Supply (offer) or demand (wanted).")
TradeTypeEnum = enum_from_choices("TradeTypeEnum", Listing.TradeType,
                                  "Goods, spare capacity of a process (supply) or outsourced processing, 外协 (demand).")
ErpSourceEnum = enum_from_choices("ErpSourceEnum", Listing.ErpSource, "Where in the poster's ERP a listing came from.")


class CapacityWeek(graphene.ObjectType):
    class Meta:
        description = "Free hours of a capacity listing's process in one week (computed from the poster's load)."

    week = graphene.Date(required=True, description="The week's Monday.")
    free_hours = graphene.Decimal(required=True)


class ErpLink(graphene.ObjectType):
    class Meta:
        description = ("Where in the poster's own ERP a listing came from (an MRP purchase proposal, a shortage "
                       "line, an item, an outsourced operation or a work center): ids of the poster's schema, "
                       "shown to the poster only.")

    source = ErpSourceEnum(required=True)
    source_id = graphene.ID(required=True, description="The proposal's, line's, item's, operation's or work "
                                                         "center's database id in the poster's ERP.")
    need_item_id = graphene.ID(description="The ERP item bought, as a database id.")
ListingStatusEnum = enum_from_choices("ListingStatusEnum", Listing.Status)
DeliveryTermsEnum = enum_from_choices("DeliveryTermsEnum", Listing.Delivery)
QuotationStatusEnum = enum_from_choices("QuotationStatusEnum", Quotation.Status)
QuotationTermsEnum = enum_from_choices("QuotationTermsEnum", Quotation.Terms,
                                       "Ex works (the buyer pays the freight) or delivered to the buyer's plant.")
PaymentTermsEnum = enum_from_choices("PaymentTermsEnum", Quotation.Payment, "When the buyer pays the supplier.")


def can_see_contacts(context) -> bool:
    """Contact details: tokens, the office and members of any enterprise (answered once per request)."""
    cached = getattr(context, "_boards_contacts", None)
    if cached is None:
        auth = auth_of(context)
        cached = auth.token is not None or (auth.user is not None and user_is_member_anywhere(user=auth.user))
        context._boards_contacts = cached
    return cached


def _contact_detail(attr: str):
    """The resolver of a listing's contact detail `attr`: null for callers who may not see contacts."""

    def resolve(root, info):
        return getattr(root, attr) if can_see_contacts(info.context) else None

    return staticmethod(resolve)


def participant_listing(info, listing_id: int):
    """The listing of a quotation or conversation the caller takes part in: hidden by the office, it is
    shown only to its own enterprise and the office (as on the web pages)."""
    listing = ListingByIdLoader(info.context).load(listing_id)
    if listing is None or listing.hidden_at is None:
        return listing
    if listing.enterprise_id in reading_for(info.context) or auth_of(info.context).is_office:
        return listing
    return None


class CategoryType(graphene.ObjectType):
    class Meta:
        name = "BoardCategory"
        description = "A node of a board's category tree (mapped to GB/T 4754-2017 classes)."

    code = graphene.String(required=True)
    name = graphene.String(required=True)
    name_en = graphene.String(required=True)
    parent_code = graphene.String()
    industry_codes = graphene.List(graphene.NonNull(graphene.String), required=True)

    @staticmethod
    def resolve_parent_code(root, info):
        if root.parent_id is None:
            return None
        parent = CategoryByIdLoader(info.context).load(root.parent_id)
        return parent.code if parent else None


class BoardNode(graphene.ObjectType):
    class Meta:
        name = "Board"
        interfaces = (graphene.relay.Node,)
        description = "An industry board (household appliances, textiles, bearings, vehicle parts)."

    code = graphene.String(required=True)
    name = graphene.String(required=True)
    name_en = graphene.String(required=True)
    description = graphene.String(required=True)
    industry_prefixes = graphene.List(graphene.NonNull(graphene.String), required=True)
    categories = graphene.List(graphene.NonNull(CategoryType), required=True,
                               description="The whole tree, parents first (each with parentCode).")
    listing_count = graphene.Int(required=True, description="Visible listings now.")

    @staticmethod
    def prepare(context, boards):
        keys = [b.pk for b in boards]
        CategoriesByBoardIdLoader(context).want(keys)
        ListingCountByBoardIdLoader(context).want(keys)

    @staticmethod
    def resolve_categories(root, info):
        categories = CategoriesByBoardIdLoader(info.context).load(root.pk)
        loader = CategoryByIdLoader(info.context)
        for category in categories:
            loader.prime(category.pk, category)
        return sorted(categories, key=lambda c: (c.parent_id is not None, c.sort_order, c.code))

    resolve_listing_count = resolve_with(ListingCountByBoardIdLoader)


class ListingAttribute(graphene.ObjectType):
    name = graphene.String(required=True)
    value = graphene.String(required=True)


class ListingMatch(graphene.ObjectType):
    score = graphene.Float(required=True, description="0..1: category, words, quantity, price, place, credit.")
    listing = graphene.Field(lambda: ListingNode, required=True, description="The other side of the match.")


class QuotationNode(graphene.ObjectType):
    class Meta:
        name = "Quotation"
        interfaces = (graphene.relay.Node,)
        description = "A supplier's quotation on an RFQ: seen by the RFQ's enterprise and by the supplier."

    listing = graphene.Field(lambda: ListingNode, description="Null once the office hid the listing.")
    enterprise = graphene.Field(EnterpriseNode, required=True, description="The supplier.")
    status = QuotationStatusEnum(required=True)
    unit_price = graphene.Decimal(required=True, description="CNY per unit.")
    quantity = graphene.Decimal(required=True)
    total = graphene.Decimal(required=True)
    lead_time_days = graphene.Int(required=True)
    valid_until = graphene.Date(required=True)
    note = graphene.String(required=True)
    created_at = graphene.DateTime(required=True)
    decided_at = graphene.DateTime()
    price_includes_vat = graphene.Boolean(required=True, description="Whether unitPrice includes VAT (含税).")
    vat_rate = graphene.Decimal(required=True, description="VAT rate in percent (13 for 13 %).")
    delivery_terms = QuotationTermsEnum(required=True)
    freight = graphene.Decimal(required=True, description="CNY for the whole order, the supplier's estimate when ex "
                                                          "works (the buyer pays it); 0 when delivered.")
    payment_terms = PaymentTermsEnum(required=True)
    unit_price_delivered = graphene.Decimal(
        required=True, description="CNY per unit with VAT included and delivered: the basis every quotation of an "
                                   "RFQ is compared and ranked on.")
    unit_price_delivered_explanation = graphene.String(
        required=True, description="How unitPriceDelivered comes from the quoted price and terms, in a sentence.")
    supplier_item_id = graphene.ID(description="The Item (its ID in the supplier's own API) the supplier quotes: "
                                               "for the supplier; null for others.")
    order = graphene.Field(TradeOrderType, description="The orders the accepted quotation became: for the buyer "
                                                       "and the supplier; null for others or before acceptance.")
    resolve_order = staticmethod(resolve_trade_order)

    @classmethod
    def is_type_of(cls, root, info):
        return isinstance(root, Quotation)

    @staticmethod
    def resolve_unit_price_delivered(root, info):
        return quotation_landed(root).unit_price

    @staticmethod
    def resolve_unit_price_delivered_explanation(root, info):
        listing = ListingByIdLoader(info.context).load(root.listing_id)
        return quotation_landed(root, unit=listing.unit if listing is not None else "").explanation

    @staticmethod
    def resolve_supplier_item_id(root, info):
        if root.supplier_item_id is None or root.enterprise_id not in reading_for(info.context):
            return None
        return to_global_id("Item", root.supplier_item_id)

    @staticmethod
    def prepare(context, quotations):
        ListingByIdLoader(context).want(q.listing_id for q in quotations)
        EnterpriseByIdLoader(context).want(q.enterprise_id for q in quotations)
        TradeOrderByQuotationIdLoader(context).want(q.pk for q in quotations if q.status == Quotation.Status.ACCEPTED)

    @staticmethod
    def resolve_listing(root, info):
        return participant_listing(info, root.listing_id)

    resolve_enterprise = resolve_with(EnterpriseByIdLoader, "enterprise_id")


class QuotationConnection(CountableConnection):
    class Meta:
        node = QuotationNode


@loaded_as(ListingByIdLoader, MatchesByListingIdLoader)
class ListingNode(graphene.ObjectType):
    class Meta:
        name = "Listing"
        interfaces = (graphene.relay.Node,)
        description = "A supply or demand listing on a board."

    kind = ListingKindEnum(required=True)
    status = ListingStatusEnum(required=True)
    board = graphene.Field(BoardNode, required=True)
    category = graphene.Field(CategoryType, required=True)
    enterprise = graphene.Field(EnterpriseNode, required=True, description="Who posted it (with its credit badge).")
    title = graphene.String(required=True)
    description = graphene.String(required=True)
    attributes = graphene.List(graphene.NonNull(ListingAttribute), required=True, description="Specifications.")
    quantity = graphene.Decimal()
    unit = graphene.String(required=True)
    moq = graphene.Decimal(description="Minimum order quantity.")
    price_min = graphene.Decimal()
    price_max = graphene.Decimal()
    currency = graphene.String(required=True)
    negotiable = graphene.Boolean(required=True)
    delivery_terms = DeliveryTermsEnum(required=True)
    delivery_place = graphene.String(required=True)
    is_rfq = graphene.Boolean(required=True, description="A request for quotation (demand only).")
    rfq_deadline = graphene.DateTime()
    published_at = graphene.DateTime()
    expires_at = graphene.DateTime(required=True)
    erp_item_code = graphene.String(description="The poster's ERP item (supply only): for its own enterprise; "
                                                "null for others.")
    contact_name = graphene.String(description="For enterprises' members, tokens and the office; else null.")
    contact_phone = graphene.String(description="For enterprises' members, tokens and the office; else null.")
    contact_email = graphene.String(description="For enterprises' members, tokens and the office; else null.")
    matches = graphene.List(graphene.NonNull(ListingMatch), required=True,
                            description="Listings of the other kind that fit this one, best first (at most 20).")
    trade_type = TradeTypeEnum(required=True)
    process = graphene.String(description="Capacity and processing listings: the process (stamping, injection, "
                                          "winding …); else null.")
    need_date = graphene.Date(description="When the goods or the processing are needed (RFQs from the ERP).")
    capacity_weeks = graphene.List(graphene.NonNull(CapacityWeek), required=True,
                                   description="Capacity listings: free hours per week, recomputed nightly.")
    capacity_computed_at = graphene.DateTime()
    erp_link = graphene.Field(ErpLink, description="The poster's own ERP source: for its own enterprise; null "
                                                   "for others.")
    quotations = graphene.List(graphene.NonNull(QuotationNode), required=True,
                               description="An RFQ's quotations, cheapest first with VAT included and delivered "
                                           "(unitPriceDelivered): all of them for the RFQ's own enterprise, the "
                                           "caller's own for a supplier, none for others.")

    @classmethod
    def is_type_of(cls, root, info):
        return isinstance(root, Listing)

    @staticmethod
    def prepare(context, listings):
        want_related(context, BoardByIdLoader, listings, "board")
        want_related(context, CategoryByIdLoader, listings, "category")
        want_related(context, EnterpriseByIdLoader, listings, "enterprise")
        MatchesByListingIdLoader(context).want(listing.pk for listing in listings)
        # quotations are loaded only for callers who may see some: remember the page's RFQs
        context._boards_rfq_ids = tuple(getattr(context, "_boards_rfq_ids", ())) + tuple(
            listing.pk for listing in listings if listing.is_rfq)

    resolve_board = resolve_with(BoardByIdLoader, "board_id")
    resolve_category = resolve_with(CategoryByIdLoader, "category_id")
    resolve_enterprise = resolve_with(EnterpriseByIdLoader, "enterprise_id")

    @staticmethod
    def resolve_attributes(root, info):
        return [ListingAttribute(name=str(pair[0]), value=str(pair[1])) for pair in root.attributes or []
                if isinstance(pair, (list, tuple)) and len(pair) == 2]

    @staticmethod
    def resolve_erp_item_code(root, info):
        return root.erp_item_code if root.enterprise_id in reading_for(info.context) else None

    @staticmethod
    def resolve_process(root, info):
        return root.process or None

    @staticmethod
    def resolve_capacity_weeks(root, info):
        weeks = []
        for row in root.capacity_weeks or []:
            try:
                weeks.append(CapacityWeek(week=date.fromisoformat(str(row["week"])),
                                          free_hours=Decimal(str(row.get("free_hours", "0")))))
            except (KeyError, TypeError, ValueError, InvalidOperation):
                continue  # a malformed row is left out, never an error of the whole listing
        return weeks

    @staticmethod
    def resolve_erp_link(root, info):
        if not root.erp_source or root.erp_source_id is None or root.enterprise_id not in reading_for(info.context):
            return None
        return ErpLink(source=root.erp_source, source_id=root.erp_source_id, need_item_id=root.need_item_id)

    resolve_contact_name = _contact_detail("contact_name")
    resolve_contact_phone = _contact_detail("contact_phone")
    resolve_contact_email = _contact_detail("contact_email")

    @staticmethod
    def resolve_quotations(root, info):
        if not root.is_rfq:
            return []
        reading = reading_for(info.context)
        if not reading:
            return []
        QuotationsByListingIdLoader(info.context).want(
            pk for pk in getattr(info.context, "_boards_rfq_ids", ()) if pk != root.pk)
        ListingByIdLoader(info.context).prime(root.pk, root)  # the quotations' explanations name its unit
        quotations = sorted(QuotationsByListingIdLoader(info.context).load(root.pk),
                            key=lambda q: (quotation_landed(q).unit_price, q.created_at, q.pk))
        if root.enterprise_id in reading:
            return quotations
        return [q for q in quotations if q.enterprise_id in reading]

    @staticmethod
    def resolve_matches(root, info):
        pairs = MatchesByListingIdLoader(info.context).load(root.pk)
        return [ListingMatch(score=float(score), listing=other) for other, score in pairs]


class ListingConnection(CountableConnection):
    class Meta:
        node = ListingNode


class InquiryMessageType(graphene.ObjectType):
    class Meta:
        name = "InquiryMessage"

    sender = graphene.Field(EnterpriseNode, required=True, description="The enterprise that wrote it.")
    body = graphene.String(required=True)
    created_at = graphene.DateTime(required=True)
    mine = graphene.Boolean(required=True, description="Written by the caller's side of the thread.")

    resolve_sender = resolve_with(EnterpriseByIdLoader, "sender_id")

    @staticmethod
    def resolve_mine(root, info):
        return root.sender_id in getattr(info.context, "_boards_acting_ids", ())


class InquiryThreadNode(graphene.ObjectType):
    class Meta:
        name = "InquiryThread"
        interfaces = (graphene.relay.Node,)
        description = "A conversation between an asking enterprise and a listing's enterprise."

    listing = graphene.Field(ListingNode, description="Null once the office hid the listing (for the asker).")
    asker = graphene.Field(EnterpriseNode, required=True)
    owner = graphene.Field(EnterpriseNode, required=True, description="The listing's enterprise.")
    created_at = graphene.DateTime(required=True)
    last_message_at = graphene.DateTime(required=True)
    unread = graphene.Int(required=True, description="Messages from the other side since the caller's side read.")
    messages = graphene.List(graphene.NonNull(InquiryMessageType), required=True, description="Oldest first.")

    @classmethod
    def is_type_of(cls, root, info):
        return isinstance(root, InquiryThread)

    @staticmethod
    def prepare(context, threads):
        ListingByIdLoader(context).want(t.listing_id for t in threads)
        EnterpriseByIdLoader(context).want([e for t in threads for e in (t.asker_id, t.owner_id)])
        MessagesByThreadIdLoader(context).want(t.pk for t in threads)
        unread = unread_by_thread(threads, frozenset(getattr(context, "_boards_acting_ids", ())))
        for thread in threads:
            thread.unread = unread.get(thread.pk, 0)

    @staticmethod
    def resolve_listing(root, info):
        return participant_listing(info, root.listing_id)

    resolve_asker = resolve_with(EnterpriseByIdLoader, "asker_id")
    resolve_owner = resolve_with(EnterpriseByIdLoader, "owner_id")

    @staticmethod
    def resolve_unread(root, info):
        return getattr(root, "unread", 0)

    resolve_messages = resolve_with(MessagesByThreadIdLoader)


class InquiryThreadConnection(CountableConnection):
    class Meta:
        node = InquiryThreadNode
