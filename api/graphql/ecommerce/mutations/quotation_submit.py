from __future__ import annotations

import graphene
from django.utils.translation import gettext as _

from api.graphql.core.mutations import BaseMutation, one_or_not_found, pk_from_global_id
from api.graphql.core.permissions import Scope
from api.graphql.ecommerce.actor import acting_for
from api.graphql.ecommerce.errors import BoardsError
from api.graphql.ecommerce.mutations._common import refusals_as_errors
from api.graphql.ecommerce.types import PaymentTermsEnum, QuotationNode, QuotationTermsEnum
from ecommerce.selectors import visible_listings
from ecommerce.services import quotation_submit


class QuotationInput(graphene.InputObjectType):
    unit_price = graphene.Decimal(required=True, description="CNY per unit.")
    quantity = graphene.Decimal(required=True)
    lead_time_days = graphene.Int(required=True)
    valid_until = graphene.Date(required=True, description="Today or later.")
    note = graphene.String()
    price_includes_vat = graphene.Boolean(default_value=True, description="Whether unitPrice includes VAT (含税).")
    vat_rate = graphene.Decimal(description="VAT rate in percent, 0 to 100; 13 if not given.")
    delivery_terms = QuotationTermsEnum(description="DELIVERED if not given.")
    freight = graphene.Decimal(description="CNY for the whole order: required ex works (your estimate; the buyer "
                                           "pays it), 0 or none when delivered.")
    payment_terms = PaymentTermsEnum(description="NET30 if not given.")
    supplier_item = graphene.ID(description="The Item you quote, by its ID in your enterprise's own API (only if "
                                            "your enterprise runs its ERP on the platform).")


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
        field_map = {"supplier_item_id": "supplierItem"}

    @classmethod
    def perform_mutation(cls, root, info, listing, input, enterprise=None):
        actor = acting_for(info, enterprise)
        rfq = one_or_not_found(visible_listings().select_related("enterprise"), listing, "Listing",
                               _("No listing has this ID."), field="listing")
        supplier_item_id = None
        if input.supplier_item:
            supplier_item_id = pk_from_global_id(input.supplier_item, "Item", "supplier_item_id")
        with refusals_as_errors():
            quotation = quotation_submit(listing=rfq, enterprise=actor.enterprise, unit_price=input.unit_price,
                                         quantity=input.quantity, lead_time_days=input.lead_time_days,
                                         valid_until=input.valid_until, note=input.note or "",
                                         price_includes_vat=input.price_includes_vat, vat_rate=input.vat_rate,
                                         delivery_terms=input.delivery_terms, freight=input.freight,
                                         payment_terms=input.payment_terms, supplier_item_id=supplier_item_id,
                                         **actor.service_kwargs)
        QuotationNode.prepare(info.context, [quotation])
        return cls(quotation=quotation)
