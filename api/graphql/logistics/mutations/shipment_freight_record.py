from __future__ import annotations

import graphene
from django.utils.translation import gettext as _

from api.graphql.core.auth import auth_of
from api.graphql.core.mutations import BaseMutation, pk_from_global_id
from api.graphql.core.permissions import Host
from api.graphql.logistics.errors import LogisticsError
from api.graphql.logistics.types import ShipmentNode
from core.errors import field_error
from logistics.shipments.selectors import shipment_get
from logistics.shipments.services import shipment_freight_record


class ShipmentFreightRecord(BaseMutation):
    shipment = graphene.Field(ShipmentNode)

    class Arguments:
        id = graphene.ID(required=True, description="The shipment's ID.")
        actual_freight = graphene.Decimal(required=True, description="What the carrier charged (from its bill).")

    class Meta:
        description = ("Record the freight the carrier charged for a shipment (as on the shipment's page); it is "
                       "compared with the rate card's quote. Not for a cancelled shipment.")
        permissions = ("logistics:write",)
        error_type = LogisticsError
        host = Host.ENTERPRISE

    @classmethod
    def perform_mutation(cls, root, info, id, actual_freight):
        shipment = shipment_get(shipment_id=pk_from_global_id(id, "Shipment"))
        if shipment is None:
            raise field_error("id", _("No shipment has this ID."), "not_found")
        shipment_freight_record(shipment=shipment, actual_freight=actual_freight, user=auth_of(info.context).user)
        shipment = shipment_get(shipment_id=shipment.pk)
        ShipmentNode.prepare(info.context, [shipment])
        return cls(shipment=shipment)
