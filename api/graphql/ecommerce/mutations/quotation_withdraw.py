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
from ecommerce.services import quotation_withdraw


class QuotationWithdraw(BaseMutation):
    quotation = graphene.Field(QuotationNode)

    class Arguments:
        id = graphene.ID(required=True, description="A quotation the caller's enterprise gave.")
        reason = graphene.String(description="Told to the buyer.")

    class Meta:
        description = "Withdraw the caller's quotation (not once the buyer accepted one); the buyer is told."
        permissions = (Scope.BOARDS_WRITE,)
        error_type = BoardsError

    @classmethod
    def perform_mutation(cls, root, info, id, reason=""):
        quotation = one_or_not_found(
            Quotation.objects.select_related("listing", "enterprise")
            .filter(enterprise_id__in=readable_enterprise_ids(info)),
            id, "Quotation", _("No quotation of your enterprise has this ID."))
        auth = auth_of(info.context)
        with refusals_as_errors():
            quotation = quotation_withdraw(quotation=quotation, user=auth.user, api_token=auth.token,
                                           reason=reason or "")
        QuotationNode.prepare(info.context, [quotation])
        return cls(quotation=quotation)
