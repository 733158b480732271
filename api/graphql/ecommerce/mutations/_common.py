"""What the board mutations share: the listing fields of their inputs, turning them into the board
services' arguments, and reporting the services' refusals."""

from __future__ import annotations

from contextlib import contextmanager

import graphene
from django.utils.translation import gettext as _

from api.graphql.core.auth import auth_of
from api.graphql.core.errors import ApiError
from api.graphql.core.mutations import BaseMutation, pk_from_global_id
from api.graphql.core.types import enum_value
from api.graphql.ecommerce.actor import own_listing
from api.graphql.ecommerce.types import DeliveryTermsEnum, ListingNode
from core.errors import field_error
from ecommerce.models import Board, Category
from ecommerce.selectors import listing_get
from ecommerce.services import BoardsPermissionDenied


class ListingAttributeInput(graphene.InputObjectType):
    name = graphene.String(required=True, description="e.g. 材质")
    value = graphene.String(required=True, description="e.g. GCr15")


class ListingFieldsInput:
    board = graphene.String(description="Board code (appliances, textiles, bearings, vehicles …).")
    category = graphene.String(description="Category code of that board.")
    title = graphene.String()
    description = graphene.String()
    attributes = graphene.List(graphene.NonNull(ListingAttributeInput), description="Specifications, in order.")
    quantity = graphene.Decimal()
    unit = graphene.String()
    moq = graphene.Decimal(description="Minimum order quantity.")
    price_min = graphene.Decimal(description="CNY per unit.")
    price_max = graphene.Decimal(description="CNY per unit.")
    negotiable = graphene.Boolean()
    delivery_terms = DeliveryTermsEnum()
    delivery_place = graphene.String()
    contact_name = graphene.String(description="Empty: the poster's name.")
    contact_phone = graphene.String(description="Empty: the enterprise's phone.")
    contact_email = graphene.String()
    validity_days = graphene.Int(description="Days the listing stays up (default 30, at most 180).")
    is_rfq = graphene.Boolean(description="A request for quotation (demand only).")
    rfq_deadline = graphene.DateTime()
    rfq_max_quotations = graphene.Int(description="Close after this many quotations.")
    erp_item_code = graphene.String(description="Link a supply to an item of the enterprise's ERP (live stock).")
    show_stock = graphene.Boolean(description="Show the linked item's available stock.")


def listing_arguments(data: dict) -> dict:
    """GraphQL input → keyword arguments of listing_create / listing_update (codes resolved; None: not given)."""
    fields = {}
    board = None
    if data.get("board") is not None:
        board = Board.objects.filter(code=data["board"]).first()
        if board is None:
            raise field_error("board", _("There is no board “%(code)s”.") % {"code": data["board"]}, "not_found")
        fields["board"] = board
    for name, value in data.items():
        if value is None or name == "board":
            continue
        if name == "category":
            qs = Category.objects.filter(code=value)
            value = qs.first()
            if value is None:
                raise field_error("category", _("There is no category “%(code)s”.") % {"code": data["category"]},
                                  "not_found")
        elif name in ("kind", "delivery_terms"):
            value = enum_value(value)
        elif name == "attributes":
            value = [[a.name.strip(), a.value.strip()] for a in value]
        fields[name] = value
    return fields


class BoardsRefused(ApiError):
    code = "PERMISSION_DENIED"

    def __init__(self, exc: BoardsPermissionDenied):
        super().__init__(exc.message)
        self.extensions["reason"] = exc.code  # not_member, role_too_low, token_scope, enterprise_inactive …


@contextmanager
def refusals_as_errors():
    """A board service's refusal (not a member, role too low, token without boards:write …) becomes a
    top-level PERMISSION_DENIED error with the service's reason; the mutation's transaction is undone."""
    try:
        yield
    except BoardsPermissionDenied as exc:
        raise BoardsRefused(exc) from exc


class ListingAction(BaseMutation):
    """A change of state of a listing of the caller's enterprise (close, publish, renew): the listing is
    looked up among the caller's own (another enterprise's gives not_found), then `service` — the board
    service each concrete mutation names — does the rest with the mutation's other arguments."""

    listing = graphene.Field(ListingNode)
    service = None  # e.g. staticmethod(ecommerce.services.listing_close)

    class Meta:
        abstract = True

    @classmethod
    def perform_mutation(cls, root, info, id, **arguments):
        listing = own_listing(info, pk_from_global_id(id, "Listing"))
        auth = auth_of(info.context)
        with refusals_as_errors():
            cls.service(listing=listing, user=auth.user, api_token=auth.token, **arguments)
        return cls(listing=listing_get(listing_id=listing.pk))
