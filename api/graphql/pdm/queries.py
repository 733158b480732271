from __future__ import annotations

import graphene
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from api.graphql.core.errors import NotFound
from api.graphql.core.mutations import pk_from_global_id
from api.graphql.core.pagination import connection_field, paginate
from api.graphql.core.permissions import Host, permission_required
from api.graphql.core.types import enum_value
from api.graphql.pdm.types import (DocumentConnection, DocumentNode, EcoConnection, EcoNode, EcoStateEnum,
                                   PartConnection, PartNode, PartRevisionNode)
from pdm.changes.selectors import eco_get, eco_list
from pdm.parts.selectors import part_get, part_list, revision_get
from pdm.vault.selectors import document_get, document_search

PDM_READ = "pdm:read"


def _one(global_id: str, type_name: str, get, message: str):
    """The row of this enterprise with the id in `global_id`, or NOT_FOUND (the same for another enterprise's)."""
    try:
        pk = pk_from_global_id(global_id, type_name)
    except ValidationError:
        pk = None
    row = get(pk) if pk else None
    if row is None:
        raise NotFound(message)
    return row


def part_or_404(global_id: str):
    return _one(global_id, "Part", lambda pk: part_get(part_id=pk), _("No part has this ID."))


def revision_or_404(global_id: str):
    return _one(global_id, "PartRevision", lambda pk: revision_get(revision_id=pk), _("No part revision has this ID."))


def document_or_404(global_id: str):
    return _one(global_id, "Document", lambda pk: document_get(document_id=pk), _("No document has this ID."))


def eco_or_404(global_id: str):
    return _one(global_id, "Eco", lambda pk: eco_get(eco_id=pk), _("No ECO has this ID."))


class PdmQueries(graphene.ObjectType):
    parts = connection_field(PartConnection, "The enterprise's parts, by engineering number.",
                             search=graphene.String(description="In the number, the item's code and name."))
    part = graphene.Field(PartNode, id=graphene.ID(required=True))
    part_revision = graphene.Field(PartRevisionNode, id=graphene.ID(required=True))
    documents = connection_field(DocumentConnection, "The documents of the vault, by number.",
                                 search=graphene.String(description="In the number and the title."))
    document = graphene.Field(DocumentNode, id=graphene.ID(required=True))
    ecos = connection_field(EcoConnection, "Engineering change orders, newest number first.", state=EcoStateEnum())
    eco = graphene.Field(EcoNode, id=graphene.ID(required=True))

    @staticmethod
    @permission_required(PDM_READ, host=Host.ENTERPRISE)
    def resolve_parts(root, info, search=None, **page):
        return paginate(part_list(search=(search or "").strip()), PartConnection, info, **page)

    @staticmethod
    @permission_required(PDM_READ, host=Host.ENTERPRISE)
    def resolve_part(root, info, id):
        part = part_or_404(id)
        PartNode.prepare(info.context, [part])
        return part

    @staticmethod
    @permission_required(PDM_READ, host=Host.ENTERPRISE)
    def resolve_part_revision(root, info, id):
        revision = revision_or_404(id)
        PartRevisionNode.prepare(info.context, [revision])
        return revision

    @staticmethod
    @permission_required(PDM_READ, host=Host.ENTERPRISE)
    def resolve_documents(root, info, search=None, **page):
        return paginate(document_search(search=search or ""), DocumentConnection, info, **page)

    @staticmethod
    @permission_required(PDM_READ, host=Host.ENTERPRISE)
    def resolve_document(root, info, id):
        document = document_or_404(id)
        DocumentNode.prepare(info.context, [document])
        return document

    @staticmethod
    @permission_required(PDM_READ, host=Host.ENTERPRISE)
    def resolve_ecos(root, info, state=None, **page):
        qs = eco_list()
        if state:
            qs = qs.filter(state=enum_value(state))
        return paginate(qs.order_by("-number", "-id"), EcoConnection, info, **page)

    @staticmethod
    @permission_required(PDM_READ, host=Host.ENTERPRISE)
    def resolve_eco(root, info, id):
        eco = eco_or_404(id)
        EcoNode.prepare(info.context, [eco])
        return eco
