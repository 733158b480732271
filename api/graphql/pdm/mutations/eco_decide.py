from __future__ import annotations

import graphene
from django.utils.translation import gettext as _

from api.graphql.core.auth import auth_of
from api.graphql.core.mutations import BaseMutation, pk_from_global_id
from api.graphql.core.permissions import Host
from api.graphql.pdm.errors import PdmError
from api.graphql.pdm.types import EcoApprovalType, EcoNode
from core.errors import field_error
from pdm.changes.models import EcoApproval
from pdm.changes.selectors import eco_get
from pdm.changes.services import eco_decide


def _eco(eco_id: str):
    eco = eco_get(eco_id=pk_from_global_id(eco_id, "Eco"))
    if eco is None:
        raise field_error("id", _("No ECO has this ID."), "not_found")
    return eco


class EcoDecision(BaseMutation):
    """A decision at the current stage of an ECO of this enterprise (pdm.changes' eco_decide: only the stage's
    approvers decide — a person, so an API token is never one —, a rejection needs a comment and sends the ECO
    back to its first stage). Answers the ECO as stored and the approval given."""

    eco = graphene.Field(EcoNode)
    approval = graphene.Field(EcoApprovalType)
    decision = None  # EcoApproval.Decision.APPROVED or .REJECTED

    class Meta:
        abstract = True

    @classmethod
    def perform_mutation(cls, root, info, id, comment=""):
        approval = eco_decide(eco=_eco(id), user=auth_of(info.context).user, decision=cls.decision,
                              comment=comment or "")
        eco = eco_get(eco_id=approval.eco_id)
        EcoNode.prepare(info.context, [eco])
        return cls(eco=eco, approval=approval)


class EcoApprove(EcoDecision):
    class Arguments:
        id = graphene.ID(required=True)
        comment = graphene.String(default_value="")

    class Meta:
        description = "Approve an ECO at its current stage (its approvers: a named member or a role)."
        permissions = ("pdm:write",)
        error_type = PdmError
        host = Host.ENTERPRISE

    decision = EcoApproval.Decision.APPROVED


class EcoReject(EcoDecision):
    class Arguments:
        id = graphene.ID(required=True)
        comment = graphene.String(default_value="", description="Why (required, else comment_required): the ECO "
                                                                "goes back to its first stage and every approval "
                                                                "must be given again.")

    class Meta:
        description = "Reject an ECO at its current stage: it goes back to the first stage."
        permissions = ("pdm:write",)
        error_type = PdmError
        host = Host.ENTERPRISE

    decision = EcoApproval.Decision.REJECTED
