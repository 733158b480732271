import graphene

from api.graphql.pdm.mutations.document_check_in import DocumentCheckIn
from api.graphql.pdm.mutations.eco_decide import EcoApprove, EcoReject


class PdmMutations(graphene.ObjectType):
    eco_approve = EcoApprove.Field()
    eco_reject = EcoReject.Field()
    document_check_in = DocumentCheckIn.Field()
