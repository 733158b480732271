from __future__ import annotations

import graphene
from django.utils.translation import gettext as _

from api.graphql.boards.actor import acting_for
from api.graphql.boards.mutations._common import refusals_as_errors
from api.graphql.boards.types import QuotationNode
from api.graphql.core.mutations import BaseMutation, pk_from_global_id
from api.graphql.core.permissions import Scope
from core.errors import field_error
from ecommerce.selectors import visible_listings
from ecommerce.services import quotation_submit


class QuotationInput(graphene.InputObjectType):
    unit_price = graphene.Decimal(required=True, description="CNY per unit.")
    quantity = graphene.Decimal(required=True)
    lead_time_days = graphene.Int(required=True)
    valid_until = graphene.Date(required=True, description="Today or later.")
    note = graphene.String()


class QuotationSubmit(BaseMutation):
    quotation = graphene.Field(QuotationNode)

    class Arguments:
        listing = graphene.ID(required=True, description="The RFQ (a demand listing that asks for quotations).")
        input = QuotationInput(required=True)
        enterprise = graphene.String(description="Credit code of the quoting enterprise (a session on the public "
                                                 "host that belongs to several); a token quotes for its own.")

    class Meta:
        description = "Quote on an open RFQ (quoting again replaces the enterprise's quotation while it is open)."
        permissions = (Scope.BOARDS_WRITE,)

    @classmethod
    def perform_mutation(cls, root, info, listing, input, enterprise=None):
        actor = acting_for(info, enterprise)
        rfq = visible_listings().select_related("enterprise").filter(
            pk=pk_from_global_id(listing, "Listing", "listing")).first()
        if rfq is None:
            raise field_error("listing", _("No listing has this ID."), "not_found")
        with refusals_as_errors():
            quotation = quotation_submit(listing=rfq, enterprise=actor.enterprise, unit_price=input.unit_price,
                                         quantity=input.quantity, lead_time_days=input.lead_time_days,
                                         valid_until=input.valid_until, note=input.note or "",
                                         **actor.service_kwargs)
        QuotationNode.prepare(info.context, [quotation])
        return cls(quotation=quotation)
