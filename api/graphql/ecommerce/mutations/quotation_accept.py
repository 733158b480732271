from __future__ import annotations

import graphene
from django.utils.translation import gettext as _

from api.graphql.core.auth import auth_of
from api.graphql.core.mutations import BaseMutation, one_or_not_found
from api.graphql.core.permissions import Scope
from api.graphql.ecommerce.actor import readable_enterprise_ids
from api.graphql.ecommerce.errors import BoardsError
from api.graphql.ecommerce.mutations._common import refusals_as_errors
from api.graphql.ecommerce.types import QuotationNode
from ecommerce.models import Quotation
from ecommerce.services import quotation_accept


class QuotationAccept(BaseMutation):
    quotation = graphene.Field(QuotationNode)

    class Arguments:
        id = graphene.ID(required=True, description="A quotation on an RFQ of the caller's enterprise.")

    class Meta:
        description = "Accept a quotation on the caller's RFQ: the others are declined and the RFQ closes."
        permissions = (Scope.BOARDS_WRITE,)
        error_type = BoardsError

    @classmethod
    def perform_mutation(cls, root, info, id):
        quotation = one_or_not_found(
            Quotation.objects.select_related("listing", "listing__enterprise")
            .filter(listing__enterprise_id__in=readable_enterprise_ids(info)),
            id, "Quotation", _("No quotation on your enterprise's RFQs has this ID."))
        auth = auth_of(info.context)
        with refusals_as_errors():
            quotation = quotation_accept(quotation=quotation, user=auth.user, api_token=auth.token)
        QuotationNode.prepare(info.context, [quotation])
        return cls(quotation=quotation)
