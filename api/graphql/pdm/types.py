"""PDM in the schema: parts and their revisions (BOM lines, documents, where-used), the document vault
(versions with a short-lived download link) and engineering change orders (affected parts, approvals, what the
current stage still waits for). Every type needs pdm:read or pdm:write (core/scopes.py); what a where-used
touches (sales, work and purchase orders) keeps the scope of its own type."""

from __future__ import annotations

from decimal import Decimal

import graphene
from django.utils import timezone

from api.graphql.catalog.dataloaders import ItemByIdLoader
from api.graphql.catalog.types import BomLineTypeEnum, ItemNode
from api.graphql.core.dataloaders import loaded_as
from api.graphql.core.pagination import CountableConnection
from api.graphql.core.types import enum_from_choices, resolve_with, want_related
from api.graphql.pdm.dataloaders import (AffectedByEcoIdLoader, ApprovalsByEcoIdLoader, DocumentByIdLoader,
                                         DocumentsByRevisionIdLoader, EcoByIdLoader, EcoStageByIdLoader,
                                         EcoTypeByIdLoader, MemberRoleByUserIdLoader, PartByIdLoader,
                                         PartByItemIdLoader, PurchaseOrderByIdLoader, RevisionBomLinesByBomIdLoader,
                                         RevisionByIdLoader, RevisionsByPartIdLoader, RulesByStageIdLoader,
                                         SalesOrderByIdLoader, UserEmailByIdLoader, VersionsByDocumentIdLoader,
                                         WorkOrderByIdLoader, eco_missing_rules, revision_order, where_used_of)
from api.graphql.production.types import WorkOrderStatusEnum
from api.graphql.purchasing.types import PurchaseOrderNode
from api.graphql.sales.types import SalesOrderNode
from pdm.changes.models import Eco, EcoAffectedPart, EcoApproval
from pdm.parts.models import PartRevision
from pdm.vault.links import LINK_MAX_AGE_S, version_link_path
from pdm.vault.models import Document

# the orders a where-used names are presented by their own types (whose `prepare` batches their lines)
loaded_as(SalesOrderByIdLoader)(SalesOrderNode)
loaded_as(PurchaseOrderByIdLoader)(PurchaseOrderNode)

RevisionStateEnum = enum_from_choices("PartRevisionStateEnum", PartRevision.State, "Where a part revision is in "
                                      "its life: in work, in review, released, superseded, obsolete.")
DocumentKindEnum = enum_from_choices("DocumentKindEnum", Document.Kind)
EcoStateEnum = enum_from_choices("EcoStateEnum", Eco.State)
DispositionEnum = enum_from_choices("EcoDispositionEnum", EcoAffectedPart.Disposition,
                                    "What happens to old stock and open orders of an affected part.")
DecisionEnum = enum_from_choices("EcoDecisionEnum", EcoApproval.Decision)


def _quantity(value: Decimal) -> Decimal:
    """A computed quantity (a division in SQL: up to 36 decimals) to 6 decimals, without trailing zeros."""
    return Decimal(format(value.quantize(Decimal("0.000001")).normalize(), "f"))


def _email(field: str):
    def resolve(root, info):
        return UserEmailByIdLoader(info.context).load(getattr(root, field))

    return staticmethod(resolve)


# ---- parts and revisions --------------------------------------------------------------------------


@loaded_as(PartByIdLoader, PartByItemIdLoader)
class PartNode(graphene.ObjectType):
    class Meta:
        name = "Part"
        interfaces = (graphene.relay.Node,)
        description = "An item of the catalog with engineering data: its engineering number and revisions."

    number = graphene.String(required=True, description="The engineering number (e.g. RF-HD-00012).")
    description = graphene.String(required=True)
    item = graphene.Field(ItemNode, required=True)
    created_at = graphene.DateTime(required=True)
    revisions = graphene.List(graphene.NonNull(lambda: PartRevisionNode), required=True,
                              description="A, B, … Z, AA …")
    current_revision = graphene.Field(lambda: PartRevisionNode, description="The released revision in force "
                                      "today (latest effective date), else the newest revision of any state.")

    @staticmethod
    def prepare(context, parts):
        loader = PartByIdLoader(context)
        for part in parts:  # a revision's `part` is then one of these, not a query
            loader.prime(part.pk, part)
        want_related(context, ItemByIdLoader, parts, "item")
        RevisionsByPartIdLoader(context).want(p.pk for p in parts)

    resolve_item = resolve_with(ItemByIdLoader, "item_id")
    resolve_revisions = resolve_with(RevisionsByPartIdLoader)

    @staticmethod
    def resolve_current_revision(root, info):
        revisions = RevisionsByPartIdLoader(info.context).load(root.pk)
        today = timezone.localdate()
        released = [r for r in revisions if r.state == PartRevision.State.RELEASED and r.effective_from
                    and r.effective_from <= today]
        if released:  # pdm.parts.selectors.part_current_revision, on the revisions loaded for the page
            return max(released, key=lambda r: (r.effective_from, *revision_order(r)))
        return max(revisions, key=revision_order) if revisions else None


class PartConnection(CountableConnection):
    class Meta:
        node = PartNode


@loaded_as(RevisionBomLinesByBomIdLoader)
class PartBomLine(graphene.ObjectType):
    class Meta:
        description = "A line of a part revision's BOM version: a component (an item, and its part if it is one)."

    sequence = graphene.Int(required=True)
    component = graphene.Field(ItemNode, required=True)
    component_part = graphene.Field(PartNode, description="The component's part, when the component is one.")
    quantity = graphene.Decimal(required=True, description="Per the BOM's quantity produced.")
    scrap_pct = graphene.Decimal(required=True)
    line_type = BomLineTypeEnum(required=True)
    note = graphene.String(required=True)

    @staticmethod
    def prepare(context, lines):
        want_related(context, ItemByIdLoader, lines, "component")
        PartByItemIdLoader(context).want(line.component_id for line in lines)

    resolve_component = resolve_with(ItemByIdLoader, "component_id")
    resolve_component_part = resolve_with(PartByItemIdLoader, "component_id")


class WhereUsedLine(graphene.ObjectType):
    class Meta:
        description = "A BOM line in force that uses `child` in `parent`."

    level = graphene.Int(required=True, description="1: the parent uses the part's item itself; 2: it uses a "
                                                    "parent of level 1 …")
    parent = graphene.Field(ItemNode, required=True)
    child = graphene.Field(ItemNode, required=True)
    quantity = graphene.Decimal(required=True, description="Of the child in one unit of the parent (scrap included), "
                                                           "to 6 decimals.")
    is_top = graphene.Boolean(required=True, description="The parent is used in nothing: a top-level product.")

    @staticmethod
    def resolve_quantity(root, info):
        return _quantity(root.quantity)

    @staticmethod
    def resolve_parent(root, info):
        return ItemByIdLoader(info.context).load(root.parent_id)

    @staticmethod
    def resolve_child(root, info):
        return ItemByIdLoader(info.context).load(root.child_id)


class WhereUsedTop(graphene.ObjectType):
    class Meta:
        description = "A top-level product that contains the part."

    item = graphene.Field(ItemNode, required=True)
    quantity = graphene.Decimal(required=True, description="Of the part's item in one unit of this product, over "
                                                           "every path.")

    @staticmethod
    def resolve_item(root, info):
        return ItemByIdLoader(info.context).load(root.item_id)

    @staticmethod
    def resolve_quantity(root, info):
        return _quantity(root.quantity)


class WhereUsedStock(graphene.ObjectType):
    class Meta:
        description = "Stock on hand of the part's item or of one of its parents (non-zero)."

    item = graphene.Field(ItemNode, required=True)
    on_hand = graphene.Decimal(required=True)

    @staticmethod
    def resolve_item(root, info):
        return ItemByIdLoader(info.context).load(root.pk)

    @staticmethod
    def resolve_on_hand(root, info):
        return root.on_hand


@loaded_as(WorkOrderByIdLoader)
class WhereUsedWorkOrder(graphene.ObjectType):
    class Meta:
        description = ("An open work order a where-used touches (production:read): what it makes, how many and "
                       "when. Its completion and cost are on `workOrders` (the order is open, so it has none).")

    number = graphene.String(required=True)
    status = WorkOrderStatusEnum(required=True)
    item = graphene.Field(ItemNode, required=True, description="What it makes.")
    quantity = graphene.Decimal(required=True)
    quantity_produced = graphene.Decimal(required=True)
    planned_start = graphene.Date()
    planned_end = graphene.Date()

    @staticmethod
    def prepare(context, orders):
        want_related(context, ItemByIdLoader, orders, "item")

    resolve_item = resolve_with(ItemByIdLoader, "item_id")


class WhereUsed(graphene.ObjectType):
    class Meta:
        description = ("Where a part is used on a date (pdm.parts' where-used): every parent up to the top-level "
                       "products through the BOM versions in force that day, and the open orders and stock of "
                       "the part and its parents. Each part asked for costs queries of its own (at most 10 per request).")

    on = graphene.Date(required=True)
    lines = graphene.List(graphene.NonNull(WhereUsedLine), required=True, description="By level, then parent code.")
    top_products = graphene.List(graphene.NonNull(WhereUsedTop), required=True)
    sales_orders = graphene.List(graphene.NonNull(SalesOrderNode), required=True,
                                 description="Open orders with a line of the part or of a parent (orders:read).")
    work_orders = graphene.List(graphene.NonNull(WhereUsedWorkOrder), required=True,
                                description="Open orders making a parent, or consuming the part or a parent "
                                            "(production:read).")
    purchase_orders = graphene.List(graphene.NonNull(PurchaseOrderNode), required=True,
                                    description="Open orders buying the part or a parent (orders:read).")
    stock = graphene.List(graphene.NonNull(WhereUsedStock), required=True)

    @staticmethod
    def present(context, found):
        """Announce what the fields load: the items of the lines, tops and stock, and the orders (by id, as
        whole rows, whatever fields where_used loaded of them)."""
        ItemByIdLoader(context).want([line.parent_id for line in found.lines] + [line.child_id for line in found.lines]
                                     + [top.item_id for top in found.tops] + [item.pk for item in found.stock])
        SalesOrderByIdLoader(context).want(o.pk for o in found.sales_orders)
        WorkOrderByIdLoader(context).want(o.pk for o in found.work_orders)
        PurchaseOrderByIdLoader(context).want(o.pk for o in found.purchase_orders)
        return found

    @staticmethod
    def resolve_top_products(root, info):
        return root.tops

    @staticmethod
    def resolve_sales_orders(root, info):
        return [o for o in SalesOrderByIdLoader(info.context).load_many([o.pk for o in root.sales_orders]) if o]

    @staticmethod
    def resolve_work_orders(root, info):
        return [o for o in WorkOrderByIdLoader(info.context).load_many([o.pk for o in root.work_orders]) if o]

    @staticmethod
    def resolve_purchase_orders(root, info):
        return [o for o in PurchaseOrderByIdLoader(info.context).load_many([o.pk for o in root.purchase_orders])
                if o]


@loaded_as(RevisionByIdLoader, RevisionsByPartIdLoader)
class PartRevisionNode(graphene.ObjectType):
    class Meta:
        name = "PartRevision"
        interfaces = (graphene.relay.Node,)
        description = "A revision (A, B, …) of a part with its lifecycle state and its BOM version."

    part = graphene.Field(PartNode, required=True)
    revision = graphene.String(required=True, description="The letters: A, B, … Z, AA …")
    state = RevisionStateEnum(required=True)
    effective_from = graphene.Date(description="When released: the day its BOM version takes effect.")
    released_at = graphene.DateTime()
    note = graphene.String(required=True)
    created_at = graphene.DateTime(required=True)
    based_on = graphene.Field(lambda: PartRevisionNode, description="The revision it was started from.")
    bom_lines = graphene.List(graphene.NonNull(PartBomLine), required=True,
                              description="The lines of its BOM version (none for raw materials and services).")
    documents = graphene.List(graphene.NonNull(lambda: DocumentNode), required=True,
                              description="The documents linked to this revision, by number.")
    where_used = graphene.Field(graphene.NonNull(WhereUsed), on=graphene.Date(
        description="The day whose BOM versions count; today by default."),
        description="Where the part is used, up to the top-level products (the same for every revision of a "
                    "part: the parents use the item).")

    @staticmethod
    def prepare(context, revisions):
        loader = RevisionByIdLoader(context)
        for revision in revisions:  # `basedOn` is mostly a revision of the same part
            loader.prime(revision.pk, revision)
        want_related(context, PartByIdLoader, revisions, "part")
        want_related(context, RevisionByIdLoader, revisions, "based_on")
        RevisionBomLinesByBomIdLoader(context).want(r.bom_id for r in revisions)
        DocumentsByRevisionIdLoader(context).want(r.pk for r in revisions)

    resolve_part = resolve_with(PartByIdLoader, "part_id")
    resolve_based_on = resolve_with(RevisionByIdLoader, "based_on_id")
    resolve_bom_lines = resolve_with(RevisionBomLinesByBomIdLoader, "bom_id")
    resolve_documents = resolve_with(DocumentsByRevisionIdLoader)

    @staticmethod
    def resolve_where_used(root, info, on=None):
        part = PartByIdLoader(info.context).load(root.part_id)
        item = ItemByIdLoader(info.context).load(part.item_id)
        return WhereUsed.present(info.context, where_used_of(info.context, item, on or timezone.localdate()))


# ---- documents ------------------------------------------------------------------------------------


@loaded_as(VersionsByDocumentIdLoader)
class DocumentVersionType(graphene.ObjectType):
    class Meta:
        name = "DocumentVersion"
        description = "A version (1, 2, 3 …) of a document: its file and who checked it in."

    number = graphene.Int(required=True)
    comment = graphene.String(required=True, description="What changed in this version.")
    file_name = graphene.String(required=True)
    size = graphene.Float(required=True, description="In bytes.")
    sha256 = graphene.String(required=True, description="SHA-256 of the file, in hexadecimal.")
    content_type = graphene.String(required=True)
    uploaded_by = graphene.String(description="E-mail of the member who uploaded it.")
    uploaded_at = graphene.DateTime(required=True)
    download_url = graphene.String(required=True, description=(
        f"A link to download the file, valid {LINK_MAX_AGE_S // 60} minutes, on this enterprise's address only. "
        "Whoever holds it may download the file until then: hand it only to the program that fetches it."))

    @staticmethod
    def prepare(context, versions):
        UserEmailByIdLoader(context).want(v.created_by_id for v in versions)

    @staticmethod
    def resolve_size(root, info):
        return root.blob.size

    @staticmethod
    def resolve_sha256(root, info):
        return root.blob.sha256

    @staticmethod
    def resolve_content_type(root, info):
        return root.blob.content_type or "application/octet-stream"

    resolve_uploaded_by = _email("created_by_id")

    @staticmethod
    def resolve_uploaded_at(root, info):
        return root.created_at

    @staticmethod
    def resolve_download_url(root, info):
        request = info.context
        return request.build_absolute_uri(version_link_path(enterprise=request.enterprise, version_id=root.pk))


@loaded_as(DocumentByIdLoader, DocumentsByRevisionIdLoader)
class DocumentNode(graphene.ObjectType):
    class Meta:
        name = "Document"
        interfaces = (graphene.relay.Node,)
        description = "A document of the vault (drawing, 3D model, specification …) with its versions."

    number = graphene.String(required=True)
    title = graphene.String(required=True)
    kind = DocumentKindEnum(required=True)
    checked_out_by = graphene.String(description="E-mail of the member who holds it (checked out), if anyone.")
    checked_out_at = graphene.DateTime()
    created_at = graphene.DateTime(required=True)
    latest_version = graphene.Field(DocumentVersionType)
    versions = graphene.List(graphene.NonNull(DocumentVersionType), required=True, description="Newest first.")

    @staticmethod
    def prepare(context, documents):
        VersionsByDocumentIdLoader(context).want(d.pk for d in documents)
        UserEmailByIdLoader(context).want(d.checked_out_by_id for d in documents)

    resolve_checked_out_by = _email("checked_out_by_id")
    resolve_versions = resolve_with(VersionsByDocumentIdLoader)

    @staticmethod
    def resolve_latest_version(root, info):
        versions = VersionsByDocumentIdLoader(info.context).load(root.pk)
        return versions[0] if versions else None


class DocumentConnection(CountableConnection):
    class Meta:
        node = DocumentNode


# ---- engineering change orders ----------------------------------------------------------------------


class EcoTypeType(graphene.ObjectType):
    class Meta:
        name = "EcoType"

    code = graphene.String(required=True)
    name = graphene.String(required=True)


class EcoStageType(graphene.ObjectType):
    class Meta:
        name = "EcoStage"

    name = graphene.String(required=True)
    sequence = graphene.Int(required=True)
    is_final = graphene.Boolean(required=True)
    allow_apply = graphene.Boolean(required=True, description="The ECO may be applied at this stage.")


@loaded_as(AffectedByEcoIdLoader)
class EcoAffectedPartType(graphene.ObjectType):
    class Meta:
        name = "EcoAffectedPart"

    old_revision = graphene.Field(PartRevisionNode, required=True, description="The released revision it changes.")
    new_revision = graphene.Field(PartRevisionNode, description="The revision the ECO made (once started).")
    disposition = DispositionEnum(required=True)

    @staticmethod
    def prepare(context, rows):
        want_related(context, RevisionByIdLoader, rows, "old_revision")
        want_related(context, RevisionByIdLoader, rows, "new_revision")

    resolve_old_revision = resolve_with(RevisionByIdLoader, "old_revision_id")
    resolve_new_revision = resolve_with(RevisionByIdLoader, "new_revision_id")


@loaded_as(ApprovalsByEcoIdLoader)
class EcoApprovalType(graphene.ObjectType):
    class Meta:
        name = "EcoApproval"
        description = "A decision (approved, rejected) or a comment given on an ECO at one of its stages."

    approver = graphene.String(required=True, description="Who gave it (name or e-mail at the time).")
    status = DecisionEnum(required=True)
    comment = graphene.String(required=True)
    at = graphene.DateTime(required=True)
    stage = graphene.Field(EcoStageType, required=True)
    round = graphene.Int(required=True, description="The visit of the stage (a rejection starts a new round; only "
                                                    "approvals of the current round count).")

    @staticmethod
    def prepare(context, approvals):
        want_related(context, EcoStageByIdLoader, approvals, "stage")
        MemberRoleByUserIdLoader(context).want(a.user_id for a in approvals)  # for Eco.waitingForApprovals

    @staticmethod
    def resolve_approver(root, info):
        return root.user_label

    @staticmethod
    def resolve_status(root, info):
        return root.decision

    resolve_stage = resolve_with(EcoStageByIdLoader, "stage_id")


@loaded_as(EcoByIdLoader)
class EcoNode(graphene.ObjectType):
    class Meta:
        name = "Eco"
        interfaces = (graphene.relay.Node,)
        description = "An engineering change order (工程变更): released part revisions changed on an effective date, " \
                      "after the approvals of its type's stages."

    number = graphene.String(required=True)
    title = graphene.String(required=True)
    reason = graphene.String(required=True)
    type = graphene.Field(EcoTypeType, required=True)
    stage = graphene.Field(EcoStageType, required=True, description="The current stage.")
    state = EcoStateEnum(required=True)
    effective_date = graphene.Date(required=True)
    requested_by = graphene.String(description="E-mail of the member who raised it.")
    created_at = graphene.DateTime(required=True)
    started_at = graphene.DateTime()
    applied_at = graphene.DateTime()
    affected_parts = graphene.List(graphene.NonNull(EcoAffectedPartType), required=True)
    approvals = graphene.List(graphene.NonNull(EcoApprovalType), required=True,
                              description="Every decision and comment, oldest first.")
    waiting_for_approvals = graphene.Boolean(required=True, description=(
        "The current stage still waits for a mandatory approval (of its current round); false once applied or "
        "cancelled."))
    missing_approvals = graphene.List(graphene.NonNull(graphene.String), required=True, description=(
        "Who must still approve at the current stage: a named member, or “any <role>”."))

    @staticmethod
    def prepare(context, ecos):
        want_related(context, EcoTypeByIdLoader, ecos, "type")
        want_related(context, EcoStageByIdLoader, ecos, "stage")
        AffectedByEcoIdLoader(context).want(e.pk for e in ecos)
        ApprovalsByEcoIdLoader(context).want(e.pk for e in ecos)
        RulesByStageIdLoader(context).want(e.stage_id for e in ecos)
        UserEmailByIdLoader(context).want(e.requested_by_id for e in ecos)

    resolve_type = resolve_with(EcoTypeByIdLoader, "type_id")
    resolve_stage = resolve_with(EcoStageByIdLoader, "stage_id")
    resolve_requested_by = _email("requested_by_id")
    resolve_affected_parts = resolve_with(AffectedByEcoIdLoader)
    resolve_approvals = resolve_with(ApprovalsByEcoIdLoader)

    @staticmethod
    def resolve_waiting_for_approvals(root, info):
        return bool(eco_missing_rules(info.context, root))

    @staticmethod
    def resolve_missing_approvals(root, info):
        return [rule.label for rule in eco_missing_rules(info.context, root)]


class EcoConnection(CountableConnection):
    class Meta:
        node = EcoNode
