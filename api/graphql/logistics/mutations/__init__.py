import graphene

from api.graphql.logistics.mutations.shipment_freight_record import ShipmentFreightRecord


class LogisticsMutations(graphene.ObjectType):
    shipment_freight_record = ShipmentFreightRecord.Field()
