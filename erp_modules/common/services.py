from __future__ import annotations

import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from core.errors import field_error
from core.parsing import to_decimal
from erp_modules.common.error_codes import CommonErrorCode
from erp_modules.common.models import CURRENCY_DEFAULT, AuditEntry, DocumentSequence, ErpSettings

# China's VAT rates: 13 / 9 / 6 % (general taxpayers), 3 % and 1 % (small-scale taxpayers; 1 % while the
# reduced rate applies), 5 % (simplified method, e.g. property leases), 0 % (exports).
VAT_RATES = tuple(Decimal(r) for r in ("0", "1", "3", "5", "6", "9", "13"))
ERP_SETTINGS_FIELDS = ("currency", "vat_rate", "over_receipt_tolerance_pct", "allow_partial_delivery", "bank_name",
                       "bank_account")
_CURRENCY = re.compile(r"[A-Z]{3}")


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


MESSAGE_PARAMS = "_message_params"  # the key of ``changes`` that holds a translatable message's parameters


def audit_record(*, obj: Model, action: str, user=None, changes: dict | None = None, message: str = "",
                 message_params: dict | None = None) -> AuditEntry:
    """One history entry. ``message`` is text as it is, or, with ``message_params``, the source text of a
    message marked with gettext_noop: it is then stored untranslated with its parameters and translated in
    the reader's language when shown (erp_modules/common/history.py), not in the language of whoever acted."""
    entry = audit_entry_new(obj=obj, action=action, user=user, changes=changes, message=message,
                            message_params=message_params)
    entry.save(force_insert=True)
    return entry


def audit_entry_new(*, obj: Model, action: str, user=None, changes: dict | None = None, message: str = "",
                    message_params: dict | None = None) -> AuditEntry:
    """The entry audit_record writes, not saved: for ``AuditEntry.objects.bulk_create`` of many at once."""
    stored = {k: [_plain(a), _plain(b)] for k, (a, b) in (changes or {}).items()}
    if message_params is not None:
        stored[MESSAGE_PARAMS] = {k: _plain(v) for k, v in message_params.items()}
    return AuditEntry(
        object_type=obj._meta.label_lower, object_id=obj.pk, object_repr=str(obj)[:200], action=action,
        changes=stored, message=message[:300],
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


def _as_decimal(value) -> Decimal | None:
    return to_decimal(value, max_digits=14)


def _erp_settings_clean(fields: dict) -> dict:
    """Normalise and check the given settings; every problem is reported on its own field with a code."""
    clean, errors = {}, []
    if "currency" in fields:
        currency = (fields["currency"] or "").strip().upper() or CURRENCY_DEFAULT
        if _CURRENCY.fullmatch(currency):
            clean["currency"] = currency
        else:
            errors.append(field_error("currency", _("Enter a three-letter currency code such as CNY or USD."),
                                      CommonErrorCode.CURRENCY))
    if "vat_rate" in fields:
        rate = _as_decimal(fields["vat_rate"])
        if rate is not None and rate in VAT_RATES:
            clean["vat_rate"] = rate.quantize(Decimal("0.01"))
        else:
            errors.append(field_error("vat_rate", _("The VAT rate must be one of %(rates)s %%.") % {
                "rates": ", ".join(str(r) for r in VAT_RATES)}, CommonErrorCode.VAT_RATE))
    if "over_receipt_tolerance_pct" in fields:
        tolerance = _as_decimal(fields["over_receipt_tolerance_pct"])
        if tolerance is not None and 0 <= tolerance <= 100 and tolerance == tolerance.quantize(Decimal("0.01")):
            clean["over_receipt_tolerance_pct"] = tolerance.quantize(Decimal("0.01"))
        else:
            errors.append(field_error("over_receipt_tolerance_pct", _(
                "The over-receipt tolerance must be between 0 and 100 %, with at most two decimals."),
                CommonErrorCode.TOLERANCE))
    for name, limit in (("bank_name", 100), ("bank_account", 40)):
        if name in fields:
            value = " ".join(str(fields[name] or "").split())
            if len(value) > limit:
                errors.append(field_error(name, _("At most %(n)d characters.") % {"n": limit},
                                          CommonErrorCode.TOO_LONG))
            else:
                clean[name] = value
    if "allow_partial_delivery" in fields:
        if isinstance(fields["allow_partial_delivery"], bool):
            clean["allow_partial_delivery"] = fields["allow_partial_delivery"]
        else:
            errors.append(field_error("allow_partial_delivery", _("Choose whether partial deliveries are allowed."),
                                      CommonErrorCode.PARTIAL_DELIVERY))
    if errors:
        raise ValidationError({name: problems for exc in errors for name, problems in exc.error_dict.items()})
    return clean


@transaction.atomic
def erp_settings_update(*, user=None, **fields) -> ErpSettings:
    """Change some of the enterprise's ERP settings (only the fields given); the history records what changed.

    Who may call it is the caller's business (the page allows administrators and owners)."""
    unknown = set(fields) - set(ERP_SETTINGS_FIELDS)
    if unknown:
        raise TypeError(f"erp_settings_update() got unexpected fields: {', '.join(sorted(unknown))}")
    clean = _erp_settings_clean(fields)
    settings = ErpSettings.objects.select_for_update().get(pk=erp_settings_get().pk)
    before = ErpSettings(**{f: getattr(settings, f) for f in ERP_SETTINGS_FIELDS})
    for name, value in clean.items():
        setattr(settings, name, value)
    settings.full_clean()
    settings.save()
    changes = model_changes(before, settings, list(clean))
    if changes:
        audit_record(obj=settings, action="update", user=user, changes=changes)
    return settings
