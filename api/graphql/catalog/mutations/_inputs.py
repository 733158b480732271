from __future__ import annotations

import graphene
from django.utils.translation import gettext as _

from api.graphql.catalog.types import ItemTypeEnum, TrackingEnum
from api.graphql.core.types import enum_value
from core.errors import field_error
from erp_modules.catalog.models import ItemCategory, UnitOfMeasure


class ItemFieldsInput:
    name = graphene.String()
    name_en = graphene.String()
    item_type = ItemTypeEnum()
    uom = graphene.String(description="Unit code (pcs, kg, m …).")
    category = graphene.String(description="Category code; empty string for none.")
    tracking = TrackingEnum()
    lead_time_days = graphene.Int()
    safety_stock = graphene.Decimal()
    min_order_qty = graphene.Decimal()
    order_multiple = graphene.Decimal()
    standard_cost = graphene.Decimal()
    drawing_ref = graphene.String()
    description = graphene.String()
    active = graphene.Boolean()


def item_fields(data: dict) -> dict:
    """GraphQL input → keyword arguments of item_create / item_update (codes resolved to rows)."""
    fields = {}
    for name, value in data.items():
        if value is None and name not in ("category",):
            continue
        if name in ("item_type", "tracking"):
            value = enum_value(value)
        elif name == "uom":
            unit = UnitOfMeasure.objects.filter(code=value).first()
            if unit is None:
                raise field_error("uom", _("There is no unit with code “%(code)s”.") % {"code": value}, "not_found")
            value = unit
        elif name == "category":
            if not value:
                value = None
            else:
                category = ItemCategory.objects.filter(code=value).first()
                if category is None:
                    raise field_error("category", _("There is no category with code “%(code)s”.") % {"code": value},
                                      "not_found")
                value = category
        elif isinstance(value, str):
            value = value.strip()
        fields[name] = value
    return fields
