"""Reads of design-partner sharing.

Owner side: the shares of one object (the panel on the revision and document pages) and every share of the
enterprise (/pdm/shares/) — public rows only.

Partner side: the active shares made with the enterprise (/pdm/shared/), and what one share lets the partner
read in the owner's schema. Each read here starts from a share that is active and made with the asking
enterprise (``share_for_partner_get``); inside ``tenant_context(owner)`` it filters by the object id the
share holds — the shared revision, a document linked to it, the shared document — and an id from the URL
(a document, a version) is only ever used together with that filter, so no id typed into a URL reaches an
object that is not shared. What is read is materialised inside the context (lists and dataclasses), so
nothing is evaluated later in the partner's schema.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, Max, QuerySet
from django_tenants.utils import tenant_context

from pdm.parts.models import PartRevision
from pdm.parts.selectors import bom_tree
from pdm.sharing.models import Share
from pdm.vault.models import Document, DocumentLink, DocumentVersion
from tenants.models import Enterprise

MODEL_TYPE = "model/gltf-binary"  # the vault's preview of a STEP model


# ---- owner side ----------------------------------------------------------------------------------


def shares_of_object(*, owner: Enterprise, kind: str, object_id: int) -> QuerySet[Share]:
    """Every share (active first, then revoked) of one object of ``owner``."""
    return (Share.objects.filter(owner=owner, kind=kind, object_id=object_id)
            .select_related("partner", "created_by", "revoked_by")
            .order_by(F("revoked_at").desc(nulls_first=True), "-created_at", "-id"))


def share_list_for_owner(*, owner: Enterprise) -> QuerySet[Share]:
    return Share.objects.filter(owner=owner).select_related("partner", "created_by", "revoked_by")


def share_for_owner_get(*, share_id: int, owner: Enterprise) -> Share | None:
    """One of the owner's shares (active or revoked); None for any other enterprise's."""
    return Share.objects.select_related("owner", "partner").filter(pk=share_id, owner=owner).first()


def object_url(share: Share) -> str:
    """The owner's page of the shared object."""
    return f"/pdm/revisions/{share.object_id}/" if share.kind == Share.Kind.REVISION \
        else f"/pdm/documents/{share.object_id}/"


# ---- partner side --------------------------------------------------------------------------------


def share_list_for_partner(*, partner: Enterprise) -> QuerySet[Share]:
    """The active shares made with ``partner``, from every owner (a suspended owner's shares rest)."""
    return (Share.objects.filter(partner=partner, revoked_at__isnull=True, owner__status=Enterprise.Status.ACTIVE)
            .select_related("owner", "created_by").order_by("owner__name", "-created_at"))


def share_for_partner_get(*, share_id: int, partner: Enterprise) -> Share | None:
    """The share, when it is active and made with ``partner`` by an active enterprise; None otherwise (missing,
    revoked, another's, or its owner suspended)."""
    return (Share.objects.select_related("owner", "partner")
            .filter(pk=share_id, partner=partner, revoked_at__isnull=True,
                    owner__status=Enterprise.Status.ACTIVE).first())


@dataclass(frozen=True)
class SharedLine:
    level: int
    code: str
    name: str
    quantity: Decimal
    uom: str
    line_type: str


@dataclass(frozen=True)
class SharedDocumentRow:
    id: int
    number: str
    title: str
    kind: str
    latest_version: int | None


@dataclass(frozen=True)
class SharedRevision:
    part_number: str
    item_name: str
    revision: str
    state: str
    effective_from: object
    bom_version: int | None
    lines: list[SharedLine]
    documents: list[SharedDocumentRow]


@dataclass(frozen=True)
class SharedVersion:
    id: int
    number: int
    file_name: str
    size: int
    comment: str
    created_at: object
    has_preview: bool
    preview_is_model: bool = False  # a STEP model's GLB: shown in the 3D viewer, not as an image


@dataclass(frozen=True)
class SharedDocument:
    id: int
    number: str
    title: str
    kind: str
    versions: list[SharedVersion]
    checked_out: bool


def _document_ids(share: Share) -> QuerySet | list[int]:
    """The ids of the documents a share lets the partner read (call inside the owner's context)."""
    if share.kind == Share.Kind.DOCUMENT:
        return [share.object_id]
    return DocumentLink.objects.filter(revision_id=share.object_id).values("document_id")


def shared_revision_read(*, share: Share) -> SharedRevision | None:
    """The shared part revision: number, state, every level of its BOM (no costs) and its linked documents."""
    if share.kind != Share.Kind.REVISION:
        return None
    with tenant_context(share.owner):
        revision = (PartRevision.objects.select_related("part", "part__item", "bom")
                    .filter(pk=share.object_id).first())
        if revision is None:
            return None
        lines = []
        if revision.bom_id:
            lines = [SharedLine(r.level, r.code, r.name, r.quantity, r.uom, r.line_type)
                     for r in bom_tree(bom=revision.bom).rows]
        documents = [SharedDocumentRow(d.pk, d.number, d.title, d.get_kind_display(), d.latest_version)
                     for d in Document.objects.filter(links__revision_id=revision.pk).distinct()
                     .annotate(latest_version=Max("versions__number")).order_by("number")]
        return SharedRevision(part_number=revision.part.number, item_name=revision.part.item.name,
                              revision=revision.revision, state=revision.get_state_display(),
                              effective_from=revision.effective_from,
                              bom_version=revision.bom.version if revision.bom_id else None,
                              lines=lines, documents=documents)


def shared_document_read(*, share: Share, document_id: int | None = None) -> SharedDocument | None:
    """The shared document (document_id None, or its own id), or — for a shared revision — one of the
    documents linked to it; None for any other id."""
    with tenant_context(share.owner):
        if document_id is None:
            if share.kind != Share.Kind.DOCUMENT:
                return None
            document_id = share.object_id
        document = Document.objects.filter(pk=document_id, pk__in=_document_ids(share)).first()
        if document is None:
            return None
        versions = [SharedVersion(v.pk, v.number, v.file_name, v.blob.size, v.comment, v.created_at,
                                  v.blob.preview_id is not None,
                                  v.blob.preview_id is not None and v.blob.preview.content_type == MODEL_TYPE)
                    for v in document.versions.select_related("blob__preview").order_by("-number")]
        return SharedDocument(id=document.pk, number=document.number, title=document.title,
                              kind=document.get_kind_display(), versions=versions,
                              checked_out=document.checked_out_by_id is not None)


def shared_version_open(*, share: Share, version_id: int, preview: bool = False):
    """(open file, file name, content type) of a version of a document the share lets the partner read —
    the version's file, or with preview=True its preview image; None for any other version. The file is
    opened inside the owner's context (the tenant storage resolves its path by the schema)."""
    with tenant_context(share.owner):
        version = (DocumentVersion.objects.select_related("document", "blob", "blob__preview")
                   .filter(pk=version_id, document_id__in=_document_ids(share)).first())
        if version is None:
            return None
        blob = version.blob.preview if preview else version.blob
        if blob is None:
            return None
        try:
            handle = blob.file.open("rb")
        except FileNotFoundError:
            return None
        if preview:
            ext = ".svg" if blob.content_type == "image/svg+xml" else ".png"
            name = f"{version.document.number}-v{version.number}{ext}"
        else:
            name = version.file_name
        return handle, name, blob.content_type or "application/octet-stream"
