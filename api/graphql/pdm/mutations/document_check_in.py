from __future__ import annotations

import base64
import binascii

import graphene
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext as _

from api.graphql.core.auth import auth_of
from api.graphql.core.mutations import BaseMutation, pk_from_global_id
from api.graphql.core.permissions import Host
from api.graphql.pdm.errors import PdmError
from api.graphql.pdm.types import DocumentNode, DocumentVersionType
from core.errors import field_error
from pdm.vault.error_codes import VaultErrorCode
from pdm.vault.selectors import document_get
from pdm.vault.services import document_check_in, max_upload_bytes


def _content(encoded: str) -> bytes:
    """The bytes of standard base64 text (whitespace and line breaks allowed); a field error on contentBase64
    for anything else, and for contents past the vault's size limit (PDM_MAX_UPLOAD_MB) before decoding them."""
    text = "".join((encoded or "").split())
    if len(text) // 4 * 3 > max_upload_bytes() + 2:
        raise field_error("content_base64", _("The file is %(size).1f MB; the limit is %(limit)d MB.")
                          % {"size": len(text) * 3 / 4 / 1048576, "limit": max_upload_bytes() // 1048576},
                          VaultErrorCode.TOO_LARGE)
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise field_error("content_base64", _("The contents are not valid base64."), VaultErrorCode.INVALID)
    if not data:
        raise field_error("content_base64", _("The file is empty."), VaultErrorCode.REQUIRED)
    if len(data) > max_upload_bytes():
        raise field_error("content_base64", _("The file is %(size).1f MB; the limit is %(limit)d MB.")
                          % {"size": len(data) / 1048576, "limit": max_upload_bytes() // 1048576},
                          VaultErrorCode.TOO_LARGE)
    return data


class DocumentCheckIn(BaseMutation):
    version = graphene.Field(DocumentVersionType, description="The new version.")
    document = graphene.Field(DocumentNode)

    class Arguments:
        document = graphene.ID(required=True, description="The document's ID (the caller holds its check-out).")
        file_name = graphene.String(required=True, description="With its extension (the vault's accepted types).")
        content_base64 = graphene.String(required=True, description="The file, in standard base64.")
        comment = graphene.String(required=True, description="What changed in this version (required).")

    class Meta:
        description = ("Check in a new version of a document the caller holds (checked out on the document's page); "
                       "the check-out is released. As on the page: only the holder, a comment, the vault's "
                       "accepted types and size limit; a document of a released part revision is frozen.")
        permissions = ("pdm:write",)
        error_type = PdmError
        host = Host.ENTERPRISE
        field_map = {"file": "fileName"}

    @classmethod
    def perform_mutation(cls, root, info, document, file_name, content_base64, comment):
        document = document_get(document_id=pk_from_global_id(document, "Document", "document"))
        if document is None:
            raise field_error("document", _("No document has this ID."), "not_found")
        upload = SimpleUploadedFile(file_name, _content(content_base64))
        version = document_check_in(document=document, user=auth_of(info.context).user, file=upload,
                                    comment=comment)
        document = document_get(document_id=document.pk)
        DocumentNode.prepare(info.context, [document])
        return cls(version=version, document=document)
