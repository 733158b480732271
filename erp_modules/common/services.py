from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.db.models import Model

from erp_modules.common.models import AuditEntry, DocumentSequence, ErpSettings


def document_number_next(*, code: str, prefix: str, padding: int = 5) -> str:
    """The next number of a document type; gap-free because it is taken in the caller's transaction."""
    with transaction.atomic():
        DocumentSequence.objects.get_or_create(code=code, defaults={"prefix": prefix, "padding": padding})
        seq = DocumentSequence.objects.select_for_update().get(code=code)
        number = f"{seq.prefix}{seq.next_number:0{seq.padding}d}"
        seq.next_number += 1
        seq.save(update_fields=["next_number"])
    return number


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Model):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def audit_record(*, obj: Model, action: str, user=None, changes: dict | None = None, message: str = "") -> AuditEntry:
    return AuditEntry.objects.create(
        object_type=obj._meta.label_lower, object_id=obj.pk, object_repr=str(obj)[:200], action=action,
        changes={k: [_plain(a), _plain(b)] for k, (a, b) in (changes or {}).items()}, message=message[:300],
        user=user if getattr(user, "is_authenticated", False) else None,
        user_label=(getattr(user, "email", "") or "") if user is not None else "",
    )


def model_changes(before: Model | None, after: Model, fields: list[str]) -> dict:
    if before is None:
        return {f: [None, getattr(after, f)] for f in fields}
    return {f: [getattr(before, f), getattr(after, f)] for f in fields if getattr(before, f) != getattr(after, f)}


def erp_settings_get() -> ErpSettings:
    settings, _ = ErpSettings.objects.get_or_create(singleton=True)
    return settings
