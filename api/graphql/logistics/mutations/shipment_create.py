from __future__ import annotations

import graphene
from django.utils.translation import gettext as _

from api.graphql.core.auth import auth_of
from api.graphql.core.mutations import BaseMutation, one_or_not_found
from api.graphql.core.permissions import Host
from api.graphql.logistics.errors import LogisticsError
from api.graphql.logistics.types import ShipmentNode
from logistics.carriers.models import Carrier
from logistics.shipments.selectors import shipment_get
from logistics.shipments.services import shipment_create


class ShipmentCreate(BaseMutation):
    shipment = graphene.Field(ShipmentNode)

    class Arguments:
        consignee_name = graphene.String(required=True)
        consignee_phone = graphene.String()
        address = graphene.String(required=True, description="Province, city, district and street; read into GB/T "
                                                              "2260 codes (refused on `address` when it cannot be).")
        goods_value = graphene.Decimal(required=True)
        carrier = graphene.ID(description="The carrier's ID; empty: chosen later (a quote, or the parcels').")
        pickup_at = graphene.DateTime()
        note = graphene.String()

    class Meta:
        description = ("Create a stand-alone draft shipment (as the page's “New shipment”); parcels, the quote and "
                       "booking follow on its page.")
        permissions = ("logistics:write",)
        error_type = LogisticsError
        host = Host.ENTERPRISE

    @classmethod
    def perform_mutation(cls, root, info, consignee_name, address, goods_value, consignee_phone="", carrier=None,
                         pickup_at=None, note=""):
        carrier_row = None
        if carrier:
            carrier_row = one_or_not_found(Carrier.objects.filter(active=True), carrier, "Carrier",
                                           _("No carrier has this ID."), field="carrier")
        shipment = shipment_create(direction="standalone", consignee_name=consignee_name,
                                   consignee_phone=consignee_phone or "", address=address, carrier=carrier_row,
                                   goods_value=goods_value, pickup_at=pickup_at, note=note or "",
                                   user=auth_of(info.context).user)
        shipment = shipment_get(shipment_id=shipment.pk)
        ShipmentNode.prepare(info.context, [shipment])
        return cls(shipment=shipment)
