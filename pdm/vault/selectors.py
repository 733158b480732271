"""Reads of the document vault. Fetches by id return None whether the row is missing or belongs to another
enterprise (it is in another schema): views turn None into 404."""

from __future__ import annotations

from django.contrib.postgres.aggregates import StringAgg
from django.db.models import Max, Q, QuerySet, Value
from django.db.models.functions import Concat

from pdm.parts.models import PartRevision
from pdm.vault.models import Blob, Document, DocumentLink, DocumentVersion


def document_list(*, kind: str = "") -> QuerySet[Document]:
    """Documents with their latest version number and the part revisions they are linked to."""
    qs = Document.objects.select_related("checked_out_by").annotate(
        latest_version=Max("versions__number"),
        linked_parts=StringAgg(Concat("links__revision__part__number", Value(" "), "links__revision__revision"),
                               delimiter=", ", distinct=True, default=Value("")))
    return qs.filter(kind=kind) if kind else qs


def document_search(*, search: str = "") -> QuerySet[Document]:
    """Documents whose number or title contains ``search`` (all without it), by number: the API's list."""
    qs = Document.objects.all()
    search = (search or "").strip()
    if search:
        qs = qs.filter(Q(number__icontains=search) | Q(title__icontains=search))
    return qs.order_by("number", "id")


def document_get(*, document_id: int) -> Document | None:
    return Document.objects.select_related("checked_out_by").filter(pk=document_id).first()


def document_versions(*, document: Document) -> QuerySet[DocumentVersion]:
    return document.versions.select_related("blob", "blob__preview", "created_by").order_by("-number")


def version_get(*, version_id: int) -> DocumentVersion | None:
    return DocumentVersion.objects.select_related("document", "blob", "blob__preview").filter(pk=version_id).first()


def document_links(*, document: Document) -> QuerySet[DocumentLink]:
    return document.links.select_related("revision", "revision__part", "bom_line", "bom_line__component")


def document_frozen_by(*, document: Document) -> PartRevision | None:
    """The released (or superseded, or obsolete after release) part revision that freezes the document, if
    any; a revision that was never released freezes nothing (PartRevision.freezes_documents)."""
    link = (DocumentLink.objects.filter(document=document, revision__state__in=PartRevision.FROZEN_STATES,
                                        revision__released_at__isnull=False)
            .select_related("revision", "revision__part").order_by("pk").first())
    return link.revision if link else None


def documents_for_revision(*, revision: PartRevision) -> QuerySet[Document]:
    """The documents linked to a part revision (for the revision's page), each once, by number."""
    return (Document.objects.filter(links__revision=revision).distinct()
            .annotate(latest_version=Max("versions__number")).order_by("number"))


def blobs_waiting_for_preview() -> QuerySet[Blob]:
    return Blob.objects.filter(preview_status=Blob.PreviewStatus.PENDING).order_by("pk")
