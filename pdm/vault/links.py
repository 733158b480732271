"""Short-lived download links of document versions (the GraphQL API's `DocumentVersion.downloadUrl`).

A link is `/pdm/documents/links/<token>/` on the host of the enterprise it was made for. The token is signed
with the site's secret (django.core.signing, its own salt) and carries the enterprise (schema name and id),
the version and the moment it was made; it is valid LINK_MAX_AGE_S (5 minutes). Whoever holds the link may
download the file while it is valid (an integration hands it to a program that has no session): the link is
the key, made only for a caller that may read the document.

`version_link_download` answers
- 404 for a token that is not ours (tampered, another salt) or that was made for another enterprise (another
  host), or whose version no longer exists — the same answer, so nothing is told about other enterprises;
- 410 for one of this enterprise that has expired, saying so;
- the file otherwise, exactly as the download page sends it (attachment, nosniff, private, no-store).

The path must be exempt from the membership check of enterprise hosts (tenants.middleware's
MEMBERSHIP_EXEMPT_PREFIXES, "/pdm/documents/links/"), as /graphql/ is, for a program without a session.
"""

from __future__ import annotations

from django.core import signing
from django.db import connection
from django.http import FileResponse, Http404, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from pdm.vault import selectors
from pdm.vault.views import _open, _private
from tenants.models import Enterprise

SALT = "pdm.vault.links.version-download"
LINK_MAX_AGE_S = 300


def link_signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=SALT)


def version_link_token(*, enterprise, version_id: int, signer: signing.TimestampSigner | None = None) -> str:
    """A token for the version of `enterprise` (made on its host, in its schema)."""
    return (signer or link_signer()).sign_object({"s": enterprise.schema_name, "e": enterprise.pk,
                                                  "v": int(version_id)}, compress=True)


def version_link_path(*, enterprise, version_id: int) -> str:
    return f"/pdm/documents/links/{version_link_token(enterprise=enterprise, version_id=version_id)}/"


def _version_id(token: str, enterprise) -> int:
    """The version named by a valid token of this enterprise; Http404 for anything else; SignatureExpired when
    the token is this enterprise's but too old."""
    signer = link_signer()
    try:
        data = signer.unsign_object(token)  # the signature, whatever the age
    except (signing.BadSignature, ValueError, TypeError):
        raise Http404
    if (enterprise is None or not isinstance(data, dict) or data.get("s") != enterprise.schema_name
            or data.get("e") != enterprise.pk or not isinstance(data.get("v"), int)):
        raise Http404
    signer.unsign(token, max_age=LINK_MAX_AGE_S)  # then its age: SignatureExpired
    return data["v"]


@require_GET
def version_link_download(request, token: str):
    enterprise = getattr(request, "enterprise", None)
    if (enterprise is None or enterprise.schema_name != connection.schema_name
            or enterprise.status != Enterprise.Status.ACTIVE):
        raise Http404
    try:
        version_id = _version_id(token, enterprise)
    except signing.SignatureExpired:
        return HttpResponse(_("This download link has expired (links are valid for 5 minutes): ask the API for "
                              "the document again to get a new one."), status=410,
                            content_type="text/plain; charset=utf-8")
    version = selectors.version_get(version_id=version_id)
    if version is None:
        raise Http404
    return _private(FileResponse(_open(version.blob), as_attachment=True, filename=version.file_name,
                                 content_type=version.blob.content_type or "application/octet-stream"))
