from __future__ import annotations

import graphene
from django.utils.translation import gettext as _

from api.graphql.core.auth import auth_of
from api.graphql.core.errors import PermissionDenied
from api.graphql.core.mutations import BaseMutation, pk_from_global_id
from api.graphql.core.permissions import Host, Scope
from api.graphql.partners.credit import credit_override_allowed
from api.graphql.purchasing.errors import PurchasingError
from api.graphql.purchasing.types import PurchaseOrderNode
from core.errors import field_error
from erp_modules.purchasing.selectors import purchase_order_get
from erp_modules.purchasing.services import purchase_order_approve
from tenants.models import Role


class PurchaseOrderApprove(BaseMutation):
    purchase_order = graphene.Field(PurchaseOrderNode)

    class Arguments:
        id = graphene.ID(required=True)
        credit_override_reason = graphene.String(
            default_value="", description="Why the order goes ahead although the supplier's registration is revoked "
                                          "or cancelled or it is listed as abnormal (经营异常); without it such an order "
                                          "is refused with credit_override_required. A manager's session only "
                                          "(credit_override_not_allowed otherwise); stored on the order and in its "
                                          "history.")

    class Meta:
        description = "Approve a draft purchase order (a manager, or an API token with orders:write)."
        permissions = (Scope.ORDERS_WRITE,)
        error_type = PurchasingError
        host = Host.ENTERPRISE

    @classmethod
    def perform_mutation(cls, root, info, id, credit_override_reason=""):
        auth = auth_of(info.context)
        if auth.membership is not None and not auth.membership.has_role(Role.MANAGER):
            raise PermissionDenied(_("Only a manager can approve a purchase order."))
        order = purchase_order_get(order_id=pk_from_global_id(id, "PurchaseOrder"))
        if order is None:
            raise field_error("id", _("No PurchaseOrder has this ID."), "not_found")
        order = purchase_order_approve(order=order, user=auth.user, credit_override_reason=credit_override_reason,
                                       may_override_credit=credit_override_allowed(info))
        return cls(purchase_order=purchase_order_get(order_id=order.pk))
