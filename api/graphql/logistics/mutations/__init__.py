import graphene

from api.graphql.logistics.mutations.shipment_create import ShipmentCreate
from api.graphql.logistics.mutations.shipment_freight_record import ShipmentFreightRecord


class LogisticsMutations(graphene.ObjectType):
    shipment_create = ShipmentCreate.Field()
    shipment_freight_record = ShipmentFreightRecord.Field()
