from __future__ import annotations

import graphene
from django.utils.translation import gettext as _

from api.graphql.core.mutations import BaseMutation, one_or_not_found
from api.graphql.core.permissions import Scope
from api.graphql.ecommerce.actor import acting_for
from api.graphql.ecommerce.errors import BoardsError
from api.graphql.ecommerce.mutations._common import refusals_as_errors
from api.graphql.ecommerce.types import QuotationNode
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
        error_type = BoardsError

    @classmethod
    def perform_mutation(cls, root, info, listing, input, enterprise=None):
        actor = acting_for(info, enterprise)
        rfq = one_or_not_found(visible_listings().select_related("enterprise"), listing, "Listing",
                               _("No listing has this ID."), field="listing")
        with refusals_as_errors():
            quotation = quotation_submit(listing=rfq, enterprise=actor.enterprise, unit_price=input.unit_price,
                                         quantity=input.quantity, lead_time_days=input.lead_time_days,
                                         valid_until=input.valid_until, note=input.note or "",
                                         **actor.service_kwargs)
        QuotationNode.prepare(info.context, [quotation])
        return cls(quotation=quotation)
