from __future__ import annotations

import graphene

from api.graphql.catalog.dataloaders import ItemByIdLoader
from api.graphql.catalog.types import ItemNode
from api.graphql.core.dataloaders import loaded_as
from api.graphql.core.pagination import CountableConnection
from api.graphql.core.types import enum_from_choices, resolve_with, want_related
from api.graphql.production.dataloaders import WorkOrderComponentsByWorkOrderIdLoader
from erp_modules.production.models import WorkOrder, WorkOrderComponent

WorkOrderStatusEnum = enum_from_choices("WorkOrderStatusEnum", WorkOrder.Status)
ComponentLineTypeEnum = enum_from_choices("WorkOrderLineTypeEnum", WorkOrderComponent.LineType)


@loaded_as(WorkOrderComponentsByWorkOrderIdLoader)
class WorkOrderComponentType(graphene.ObjectType):
    class Meta:
        name = "WorkOrderComponent"

    sequence = graphene.Int(required=True)
    line_type = ComponentLineTypeEnum(required=True)
    item = graphene.Field(ItemNode, required=True)
    quantity_required = graphene.Decimal(required=True)
    quantity_issued = graphene.Decimal(required=True, description="Received, for a by-product.")

    @staticmethod
    def prepare(context, rows):
        want_related(context, ItemByIdLoader, rows, "item")

    resolve_item = resolve_with(ItemByIdLoader, "item_id")


class WorkOrderNode(graphene.ObjectType):
    class Meta:
        name = "WorkOrder"
        interfaces = (graphene.relay.Node,)

    number = graphene.String(required=True)
    status = WorkOrderStatusEnum(required=True)
    item = graphene.Field(ItemNode, required=True)
    quantity = graphene.Decimal(required=True)
    quantity_produced = graphene.Decimal(required=True)
    planned_start = graphene.Date()
    planned_end = graphene.Date()
    unit_cost = graphene.Decimal(required=True, description="Actual unit cost, once completed.")
    created_at = graphene.DateTime(required=True)
    released_at = graphene.DateTime()
    completed_at = graphene.DateTime()
    components = graphene.List(graphene.NonNull(WorkOrderComponentType), required=True)

    @staticmethod
    def prepare(context, orders):
        want_related(context, ItemByIdLoader, orders, "item")
        WorkOrderComponentsByWorkOrderIdLoader(context).want(o.pk for o in orders)

    resolve_item = resolve_with(ItemByIdLoader, "item_id")
    resolve_components = resolve_with(WorkOrderComponentsByWorkOrderIdLoader)


class WorkOrderConnection(CountableConnection):
    class Meta:
        node = WorkOrderNode
