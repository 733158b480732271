"""Writes of design-partner sharing: share a part revision or a document with another enterprise of the
platform, revoke the share, and — for a document shared with "may upload new versions for review" — the
partner's upload of a new version.

Schemas. ``Share`` rows live in the public schema; the shared object lives in the owner's schema. Every
read or write of the object happens inside ``tenant_context(owner)`` and looks the object up by the id the
share holds (never by an id from the request), so each SQL statement reads one schema.

Who. Sharing and revoking: a manager, administrator or owner of the owning enterprise (the views check the
role; the services check the membership again, so no other enterprise's member can share or revoke).
Uploading: a clerk or above of the partner, while the share is active and in upload mode.

A partner's upload goes through the vault's own services — check out to the partner's user, check in a new
version with a comment that names the user and the enterprise — in one transaction: a refusal (the
document is held by someone else, frozen, or the file is not accepted) leaves nothing behind. The
transaction is committed inside the owner's tenant context, so the preview job the vault queues on commit
is sent with the owner's schema.

Every share, revoke and partner upload is in the owner's history of the object (erp_modules.common's
audit, in the owner's schema), in the words of the active language as the vault's own entries are.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import tenant_context

from core.errors import field_error
from core.uscc import normalize_uscc
from erp_modules.common.services import audit_record
from pdm.parts.models import PartRevision
from pdm.sharing.error_codes import SharingErrorCode as Code
from pdm.sharing.models import Share
from pdm.vault import services as vault
from pdm.vault.models import Document, DocumentVersion
from tenants.models import Enterprise, Membership, Role

MAX_COMMENT = 300


def _member_role(user, enterprise: Enterprise) -> str | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Membership.objects.filter(user=user, enterprise=enterprise).values_list("role", flat=True).first()


def _require_role(user, enterprise: Enterprise, minimum: str) -> None:
    role = _member_role(user, enterprise)
    if role is None or not Membership(role=role).has_role(minimum):
        raise ValidationError(_("Only a %(role)s or above of %(enterprise)s may do this.")
                              % {"role": Role(minimum).label, "enterprise": enterprise.display_name},
                              code=str(Code.NOT_ALLOWED))


def _who(user) -> str:
    return (getattr(user, "full_name", "") or getattr(user, "email", "")) or _("someone")


def shared_object_get(*, owner: Enterprise, kind: str, object_id: int) -> PartRevision | Document | None:
    """The object a share names, read in the owner's schema; None when there is none."""
    with tenant_context(owner):
        if kind == Share.Kind.REVISION:
            return PartRevision.objects.select_related("part").filter(pk=object_id).first()
        if kind == Share.Kind.DOCUMENT:
            return Document.objects.filter(pk=object_id).first()
    return None


def object_label(obj: PartRevision | Document) -> str:
    """The snapshot a share keeps: part number and revision, or document number and title."""
    if isinstance(obj, PartRevision):
        return f"{obj.part.number} {obj.revision}"
    return f"{obj.number} {obj.title}"[:300]


def partner_find(*, text: str, owner: Enterprise) -> Enterprise:
    """The active enterprise whose Unified Social Credit Code or exact name is ``text`` (field ``partner``)."""
    text = (text or "").strip()
    if not text:
        raise field_error("partner", _("Give the partner's Unified Social Credit Code or its exact name."),
                          Code.REQUIRED)
    code = normalize_uscc(text)
    found = list(Enterprise.objects.filter(status=Enterprise.Status.ACTIVE)
                 .filter(Q(uscc=code) | Q(name=text) | Q(short_name=text)).order_by("pk")[:3])
    by_code = [e for e in found if e.uscc == code]
    if by_code:
        found = by_code
    if not found:
        raise field_error("partner", _("No active enterprise on the platform has the credit code or name "
                                       "“%(text)s”.") % {"text": text[:60]}, Code.PARTNER_NOT_FOUND)
    if len(found) > 1:
        raise field_error("partner", _("Several enterprises are called “%(text)s”: give the partner's Unified "
                                       "Social Credit Code.") % {"text": text[:60]}, Code.PARTNER_AMBIGUOUS)
    partner = found[0]
    if partner.pk == owner.pk:
        raise field_error("partner", _("That is your own enterprise: choose another one."), Code.PARTNER_SELF)
    return partner


@transaction.atomic
def share_create(*, owner: Enterprise, kind: str, object_id: int | None, partner_text: str, mode: str,
                 note: str = "", user) -> Share:
    """Share a part revision or a document of ``owner`` with another enterprise. Every field's problem is
    reported at once (kind, object, partner, mode, note); nothing is written on a refusal."""
    _require_role(user, owner, Role.MANAGER)
    note = (note or "").strip()
    problems: dict[str, ValidationError] = {}
    obj = None
    if kind not in Share.Kind.values:
        problems["kind"] = ValidationError(_("Choose what to share: a part revision or a document."),
                                           code=str(Code.INVALID))
    elif object_id is None or (obj := shared_object_get(owner=owner, kind=kind, object_id=object_id)) is None:
        problems["object_id"] = ValidationError(
            _("There is no such part revision.") if kind == Share.Kind.REVISION else _("There is no such document."),
            code=str(Code.NOT_FOUND))
    if mode not in Share.Mode.values:
        problems["mode"] = ValidationError(_("Choose what the partner may do."), code=str(Code.INVALID))
    elif mode == Share.Mode.UPLOAD and kind == Share.Kind.REVISION:
        problems["mode"] = ValidationError(
            _("A part revision is shared read-only; share one of its documents to receive new versions."),
            code=str(Code.UPLOAD_NOT_FOR_REVISION))
    if len(note) > 300:
        problems["note"] = ValidationError(_("A note has at most 300 characters."), code=str(Code.INVALID))
    partner = None
    try:
        partner = partner_find(text=partner_text, owner=owner)
    except ValidationError as exc:
        problems.update({k: v[0] for k, v in exc.error_dict.items()})
    if partner is not None and obj is not None and Share.objects.filter(
            owner=owner, partner=partner, kind=kind, object_id=obj.pk, revoked_at__isnull=True).exists():
        problems["partner"] = _already_shared(partner)
    if problems:
        raise ValidationError(problems)
    share = Share(owner=owner, partner=partner, kind=kind, object_id=obj.pk, label=object_label(obj), mode=mode,
                  note=note, created_by=user if getattr(user, "is_authenticated", False) else None)
    share.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():  # a savepoint: the same share made at the same moment is refused, not a 500
            share.save()
    except IntegrityError:
        raise ValidationError({"partner": _already_shared(partner)}) from None
    with tenant_context(owner):
        audit_record(obj=obj, action="update", user=user,
                     message=_("Shared with %(partner)s (%(mode)s)")
                     % {"partner": partner.display_name, "mode": share.get_mode_display()})
    return share


def _already_shared(partner: Enterprise) -> ValidationError:
    return ValidationError(_("This is shared with %(partner)s already.") % {"partner": partner.display_name},
                           code=str(Code.ALREADY_SHARED))


@transaction.atomic
def share_revoke(*, share: Share, user) -> Share:
    """Take a share back: from now on the partner reaches nothing of it. Managers and above of the owner."""
    _require_role(user, share.owner, Role.MANAGER)
    share = Share.objects.select_for_update().select_related("owner", "partner").get(pk=share.pk)
    if share.revoked_at is not None:
        raise ValidationError(_("This share was revoked already."), code=str(Code.ALREADY_REVOKED))
    share.revoked_at, share.revoked_by = timezone.now(), user
    share.save(update_fields=["revoked_at", "revoked_by"])
    obj = shared_object_get(owner=share.owner, kind=share.kind, object_id=share.object_id)
    if obj is not None:
        with tenant_context(share.owner):
            audit_record(obj=obj, action="update", user=user,
                         message=_("Share with %(partner)s revoked") % {"partner": share.partner.display_name})
    return share


def share_version_upload(*, share: Share, partner: Enterprise, user, file: UploadedFile | None,
                         comment: str) -> DocumentVersion:
    """A new version of the shared document, uploaded by a member (clerk or above) of the partner for the
    owner's review. Refused when the share is not this partner's active share, is read-only, or the
    document is held by someone else (naming who) or frozen. The version's comment and the owner's
    history name the partner's user and enterprise."""
    comment = (comment or "").strip()
    problems: dict[str, ValidationError] = {}
    if not comment:
        problems["comment"] = ValidationError(_("Say what changed in this version."), code=str(Code.REQUIRED))
    elif len(comment) > MAX_COMMENT:
        problems["comment"] = ValidationError(_("A comment has at most %(n)d characters.") % {"n": MAX_COMMENT},
                                              code=str(Code.INVALID))
    if file is None:
        problems["file"] = ValidationError(_("Choose a file to upload."), code=str(Code.REQUIRED))
    if problems:
        raise ValidationError(problems)
    with tenant_context(share.owner):  # the transaction commits in the owner's schema (see the module's docstring)
        with transaction.atomic():
            return _version_upload(share=share, partner=partner, user=user, file=file, comment=comment)


def _version_upload(*, share: Share, partner: Enterprise, user, file, comment: str) -> DocumentVersion:
    share = (Share.objects.select_for_update().select_related("owner", "partner")
             .filter(pk=share.pk, partner=partner, kind=Share.Kind.DOCUMENT, revoked_at__isnull=True).first())
    if share is None:
        raise ValidationError(_("This share does not exist or was revoked."), code=str(Code.NOT_FOUND))
    if share.mode != Share.Mode.UPLOAD:
        raise ValidationError(_("This document is shared read-only: you cannot upload new versions."),
                              code=str(Code.READ_ONLY))
    _require_role(user, partner, Role.CLERK)
    document = Document.objects.filter(pk=share.object_id).first()
    if document is None:
        raise ValidationError(_("The shared document no longer exists."), code=str(Code.NOT_FOUND))
    by = _("uploaded for review by %(user)s of %(partner)s") % {"user": _who(user), "partner": partner.display_name}
    vault.document_check_out(document=document, user=user)  # refused while someone else holds it, or frozen
    version = vault.document_check_in(document=document, user=user, file=file, comment=f"{comment} ({by})"[:500])
    audit_record(obj=document, action="update", user=user,
                 message=_("Version %(n)d %(by)s (design partner)") % {"n": version.number, "by": by})
    return version
