from __future__ import annotations

import graphene
from django.utils.translation import gettext as _

from api.graphql.boards.actor import readable_enterprise_ids
from api.graphql.boards.mutations._common import refusals_as_errors
from api.graphql.boards.types import QuotationNode
from api.graphql.core.auth import auth_of
from api.graphql.core.mutations import BaseMutation, pk_from_global_id
from api.graphql.core.permissions import Scope
from core.errors import field_error
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

    @classmethod
    def perform_mutation(cls, root, info, id, reason=""):
        quotation = (Quotation.objects.select_related("listing", "enterprise")
                     .filter(pk=pk_from_global_id(id, "Quotation"), enterprise_id__in=readable_enterprise_ids(info))
                     .first())
        if quotation is None:
            raise field_error("id", _("No quotation of your enterprise has this ID."), "not_found")
        auth = auth_of(info.context)
        with refusals_as_errors():
            quotation = quotation_withdraw(quotation=quotation, user=auth.user, api_token=auth.token,
                                           reason=reason or "")
        QuotationNode.prepare(info.context, [quotation])
        return cls(quotation=quotation)
