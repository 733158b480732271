from __future__ import annotations

import graphene
from django.utils.translation import gettext as _

from api.graphql.core.auth import auth_of
from api.graphql.core.mutations import BaseMutation
from api.graphql.core.permissions import Host, Scope
from api.graphql.sales.errors import SalesError
from api.graphql.sales.types import SalesOrderNode
from core.errors import field_error
from erp_modules.catalog.models import Item
from erp_modules.inventory.models import Location
from erp_modules.partners.models import Partner
from erp_modules.sales.error_codes import SalesErrorCode
from erp_modules.sales.selectors import sales_order_get
from erp_modules.sales.services import sales_order_create


class SalesOrderLineInput(graphene.InputObjectType):
    item = graphene.String(required=True, description="Item code.")
    quantity = graphene.Decimal(required=True)
    unit_price = graphene.Decimal(description="Excluding VAT; empty: from the price lists.")
    discount_pct = graphene.Decimal()
    vat_rate = graphene.Decimal(description="Empty: the enterprise's VAT rate.")
    description = graphene.String()
    location = graphene.String(description="Ship from, as WAREHOUSE/LOCATION codes; empty: the item's default.")
    revision = graphene.String(description="A released or superseded revision of the part (e.g. B); empty: the "
                                           "BOM in force.")


class SalesOrderCreateInput(graphene.InputObjectType):
    customer = graphene.String(required=True, description="Customer code.")
    order_date = graphene.Date()
    delivery_date = graphene.Date()
    customer_reference = graphene.String()
    note = graphene.String()
    lines = graphene.List(graphene.NonNull(SalesOrderLineInput), required=True)


def _lines(raw_lines) -> list[dict]:
    codes = {line.item for line in raw_lines}
    items = {i.code: i for i in Item.objects.filter(code__in=codes)}
    result = []
    for n, line in enumerate(raw_lines, start=1):
        item = items.get(line.item)
        if item is None:
            raise field_error("lines", _("Line %(n)d: there is no item with code “%(code)s”.") % {"n": n, "code": line.item},
                              SalesErrorCode.ITEM_NOT_FOUND)
        location = None
        if line.location:
            warehouse_code, _slash, location_code = line.location.partition("/")
            location = Location.objects.filter(warehouse__code=warehouse_code, code=location_code).first()
            if location is None:
                raise field_error("lines", _("Line %(n)d: there is no location “%(code)s”.")
                                  % {"n": n, "code": line.location}, SalesErrorCode.NO_LOCATION)
        result.append({"item": item, "quantity": line.quantity, "unit_price": line.unit_price,
                       "discount_pct": line.discount_pct, "vat_rate": line.vat_rate,
                       "description": line.description or "", "location": location,
                       "revision": line.revision or ""})
    return result


class SalesOrderCreate(BaseMutation):
    sales_order = graphene.Field(SalesOrderNode)

    class Arguments:
        input = SalesOrderCreateInput(required=True)

    class Meta:
        description = "Create a draft sales order (prices from the price lists unless given)."
        permissions = (Scope.ORDERS_WRITE,)
        error_type = SalesError
        host = Host.ENTERPRISE

    @classmethod
    def perform_mutation(cls, root, info, input):
        customer = Partner.objects.filter(code=input.customer).first()
        if customer is None:
            raise field_error("customer", _("There is no customer with code “%(code)s”.") % {"code": input.customer},
                              SalesErrorCode.REQUIRED if not input.customer else "not_found")
        order = sales_order_create(customer=customer, lines=_lines(input.lines), order_date=input.order_date,
                                   delivery_date=input.delivery_date,
                                   customer_reference=input.customer_reference or "", note=input.note or "",
                                   user=auth_of(info.context).user)
        return cls(sales_order=sales_order_get(order_id=order.pk))  # as stored
