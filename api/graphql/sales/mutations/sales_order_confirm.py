from __future__ import annotations

import graphene
from django.utils.translation import gettext as _

from api.graphql.core.auth import auth_of
from api.graphql.core.mutations import BaseMutation, pk_from_global_id
from api.graphql.core.permissions import Host, Scope
from api.graphql.partners.credit import credit_override_allowed
from api.graphql.sales.errors import SalesError
from api.graphql.sales.types import SalesOrderNode
from core.errors import field_error
from erp_modules.sales.selectors import sales_order_get
from erp_modules.sales.services import sales_order_confirm, sales_order_reserve_available


def _order(order_id: str):
    order = sales_order_get(order_id=pk_from_global_id(order_id, "SalesOrder"))
    if order is None:
        raise field_error("id", _("No SalesOrder has this ID."), "not_found")
    return order


class SalesOrderAction(BaseMutation):
    """A step of an order of this enterprise (confirm, reserve what is available): the order is looked up by
    its global ID (not_found otherwise), `service` — the sales service each concrete mutation names — does
    the step with the mutation's other arguments, and the order is answered as stored."""

    sales_order = graphene.Field(SalesOrderNode)
    service = None  # e.g. staticmethod(erp_modules.sales.services.sales_order_confirm)

    class Meta:
        abstract = True

    @classmethod
    def perform_mutation(cls, root, info, id, **arguments):
        order = cls.service(order=_order(id), user=auth_of(info.context).user, **arguments)
        return cls(sales_order=sales_order_get(order_id=order.pk))


class SalesOrderConfirm(SalesOrderAction):
    class Arguments:
        id = graphene.ID(required=True)
        allow_shortage = graphene.Boolean(
            default_value=False, description="Make to order: reserve what is in stock and confirm anyway (the rest "
                                             "is planned by MRP and reserved later with salesOrderReserveAvailable). "
                                             "False: every line must be reservable, else insufficient_stock.")
        credit_override_reason = graphene.String(
            default_value="", description="Why the order goes ahead although the customer's registration is revoked "
                                          "or cancelled or it is listed as abnormal (经营异常); without it such an order "
                                          "is refused with credit_override_required. A manager's session only "
                                          "(credit_override_not_allowed otherwise); stored on the order and in its "
                                          "history.")

    class Meta:
        description = "Confirm a draft sales order: its stock is reserved."
        permissions = (Scope.ORDERS_WRITE,)
        error_type = SalesError
        host = Host.ENTERPRISE

    service = staticmethod(sales_order_confirm)

    @classmethod
    def perform_mutation(cls, root, info, id, **arguments):
        return super().perform_mutation(root, info, id, may_override_credit=credit_override_allowed(info), **arguments)


class SalesOrderReserveAvailable(SalesOrderAction):
    class Arguments:
        id = graphene.ID(required=True)

    class Meta:
        description = "“Check availability”: reserve for an open order's short lines from the stock in now."
        permissions = (Scope.ORDERS_WRITE,)
        error_type = SalesError
        host = Host.ENTERPRISE

    service = staticmethod(sales_order_reserve_available)
