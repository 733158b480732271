"""The loaders of PDM's rows (parts, revisions, their BOM lines and documents, document versions, ECOs with their
affected parts, approvals and the approval rules of their stages): one query per loader and request, whatever
the number of rows (core/dataloaders.py). Where-used is not a batch: it is pdm.parts' `where_used` per item,
kept per request and capped (`where_used_of`); the orders and items it names are then read by id through
loaders (one query per kind for every where-used of the request)."""

from __future__ import annotations

from datetime import date

from django.db import connection
from django.utils.translation import gettext as _

from api.graphql.core.dataloaders import ByIdLoader, DataLoader, group_by
from api.graphql.core.errors import ApiError
from erp_modules.catalog.models import BomLine
from erp_modules.production.models import WorkOrder
from erp_modules.purchasing.models import PurchaseOrder
from erp_modules.sales.models import SalesOrder
from pdm.changes.models import Eco, EcoAffectedPart, EcoApproval, EcoApprovalRule, EcoStage, EcoType
from pdm.changes.services import rule_matches
from pdm.parts.models import Part, PartRevision
from pdm.parts.selectors import WhereUsed, where_used
from pdm.vault.models import Document, DocumentLink, DocumentVersion
from tenants.models import Membership, User

# where_used costs its own queries per item (a recursive one and the orders'): a request answers it for this many
# items at most
MAX_WHERE_USED = 10


class PartByIdLoader(ByIdLoader[Part]):
    model = Part


class PartByItemIdLoader(DataLoader[int, Part]):
    """The part of an item (None: the item is no part)."""

    def batch_load(self, keys):
        parts = {p.item_id: p for p in Part.objects.filter(item_id__in=keys)}
        return [parts.get(k) for k in keys]


class RevisionByIdLoader(ByIdLoader[PartRevision]):
    model = PartRevision


def revision_order(revision: PartRevision) -> tuple:
    return len(revision.revision), revision.revision  # A … Z, AA …


class RevisionsByPartIdLoader(DataLoader[int, list]):
    default = []

    def batch_load(self, keys):
        rows = group_by(PartRevision.objects.filter(part_id__in=keys), lambda r: r.part_id)
        return [sorted(rows.get(k, []), key=revision_order) for k in keys]


class RevisionBomLinesByBomIdLoader(DataLoader[int, list]):
    """The lines of a revision's BOM version (PDM's view of them: each component with its part, if any)."""

    default = []

    def batch_load(self, keys):
        lines = group_by(BomLine.objects.filter(bom_id__in=keys).order_by("bom_id", "sequence", "id"),
                         lambda line: line.bom_id)
        return [lines.get(k, []) for k in keys]


class DocumentByIdLoader(ByIdLoader[Document]):
    model = Document


class DocumentsByRevisionIdLoader(DataLoader[int, list]):
    """The documents linked to a revision (each once, by number), as pdm.vault's documents_for_revision."""

    default = []

    def batch_load(self, keys):
        result: dict[int, dict[int, Document]] = {}
        for link in DocumentLink.objects.filter(revision_id__in=keys).select_related("document"):
            result.setdefault(link.revision_id, {})[link.document_id] = link.document
        return [sorted(result.get(k, {}).values(), key=lambda d: d.number) for k in keys]


class VersionsByDocumentIdLoader(DataLoader[int, list]):
    """A document's versions, newest first, with their stored file (size, SHA-256, type)."""

    default = []

    def batch_load(self, keys):
        rows = group_by(DocumentVersion.objects.filter(document_id__in=keys).select_related("blob")
                        .order_by("document_id", "-number"), lambda v: v.document_id)
        return [rows.get(k, []) for k in keys]


class SalesOrderByIdLoader(ByIdLoader[SalesOrder]):
    """The orders a where-used names, as whole rows (where_used may give instances with only the fields its
    page shows)."""

    model = SalesOrder


class WorkOrderByIdLoader(ByIdLoader[WorkOrder]):
    model = WorkOrder


class PurchaseOrderByIdLoader(ByIdLoader[PurchaseOrder]):
    model = PurchaseOrder


class UserEmailByIdLoader(DataLoader[int, str]):
    """The e-mail of a user (who uploaded a version, holds a document, raised an ECO); users live in the public
    schema, which is on every enterprise's search path."""

    def batch_load(self, keys):
        emails = dict(User.objects.filter(pk__in=keys).values_list("pk", "email"))
        return [emails.get(k) for k in keys]


class EcoByIdLoader(ByIdLoader[Eco]):
    model = Eco


class EcoTypeByIdLoader(ByIdLoader[EcoType]):
    model = EcoType


class EcoStageByIdLoader(ByIdLoader[EcoStage]):
    model = EcoStage


class AffectedByEcoIdLoader(DataLoader[int, list]):
    default = []

    def batch_load(self, keys):
        rows = group_by(EcoAffectedPart.objects.filter(eco_id__in=keys).order_by("eco_id", "pk"), lambda a: a.eco_id)
        return [rows.get(k, []) for k in keys]


class ApprovalsByEcoIdLoader(DataLoader[int, list]):
    """Every decision and comment given on an ECO, oldest first (every stage and round)."""

    default = []

    def batch_load(self, keys):
        rows = group_by(EcoApproval.objects.filter(eco_id__in=keys).order_by("eco_id", "at", "id"),
                        lambda a: a.eco_id)
        return [rows.get(k, []) for k in keys]


class RulesByStageIdLoader(DataLoader[int, list]):
    default = []

    def batch_load(self, keys):
        rows = group_by(EcoApprovalRule.objects.filter(stage_id__in=keys).select_related("user")
                        .order_by("stage_id", "id"), lambda r: r.stage_id)
        return [rows.get(k, []) for k in keys]


class MemberRoleByUserIdLoader(DataLoader[int, str]):
    """A user's role in the enterprise of the host (None: no longer a member)."""

    def batch_load(self, keys):
        roles = dict(Membership.objects.filter(enterprise_id=connection.tenant.pk, user_id__in=keys)
                     .values_list("user_id", "role"))
        return [roles.get(k) for k in keys]


class _Approver:
    """What pdm.changes' rule_matches reads of a user: its primary key."""

    def __init__(self, pk: int):
        self.pk = pk


def eco_missing_rules(context, eco: Eco) -> list[EcoApprovalRule]:
    """The mandatory rules of the ECO's current stage that no approval of the current visit (round) satisfies:
    pdm.changes' `missing_approvals`, from the rows the loaders fetched for every ECO of the page at once (the
    last decision of each user in the round counts; an approver matches a rule by pdm.changes' rule_matches).
    An applied or cancelled ECO waits for nothing."""
    if eco.state not in Eco.OPEN_STATES:
        return []
    last: dict[int, EcoApproval] = {}
    for approval in ApprovalsByEcoIdLoader(context).load(eco.pk):
        if (approval.stage_id == eco.stage_id and approval.round == eco.stage_round and approval.user_id
                and approval.decision != EcoApproval.Decision.COMMENT):
            last[approval.user_id] = approval
    approvers = [a.user_id for a in last.values() if a.decision == EcoApproval.Decision.APPROVED]
    roles = dict(zip(approvers, MemberRoleByUserIdLoader(context).load_many(approvers)))
    return [rule for rule in RulesByStageIdLoader(context).load(eco.stage_id)
            if rule.requirement == EcoApprovalRule.Requirement.MANDATORY
            and not any(rule_matches(rule, user=_Approver(pk), role=roles.get(pk)) for pk in approvers)]


def where_used_of(context, item, on: date) -> WhereUsed:
    """pdm.parts' where_used of an item on a date, once per request (revisions of one part share it); more than
    MAX_WHERE_USED items in one request are refused (QUERY_TOO_COSTLY): each costs queries of its own."""
    cache = getattr(context, "_pdm_where_used", None)
    if cache is None:
        cache = context._pdm_where_used = {}
    key = (item.pk, on)
    if key not in cache:
        if len(cache) >= MAX_WHERE_USED:
            raise ApiError(_("“whereUsed” is answered for at most %(n)d parts per request; ask for fewer.")
                           % {"n": MAX_WHERE_USED}, code="QUERY_TOO_COSTLY")
        cache[key] = where_used(item=item, on=on)
    return cache[key]
