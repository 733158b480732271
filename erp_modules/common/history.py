"""The audit history as a reader sees it (templates/_history.html), for every page that shows one.

Services write ``AuditEntry.changes`` with the raw field names and plain values (``{"status": ["draft",
"released"], "routing": [None, None]}``): that is what they and their tests read. A page shows instead, in the
reader's language:

- the field's verbose name ("状态", "BOM 版本"), or the label the caller gives for a key that is no field;
- choice values by their label ("已下达"), booleans as yes/no, decimals without trailing zeros (1,200 · 0.5);
- no change that changes nothing (old and new the same, e.g. ``routing: — → —``), and no entry left with
  nothing to say (no change and no message);
- who did it by the user's name (full name, else email: ``User.get_full_name``), the stored label when the
  user is gone.

``history_entries(entries, model)`` returns the entries it keeps, their ``changes`` and ``user_label``
replaced by these (the instances are the caller's: never save them). ``object_history(obj)`` reads and
prepares the newest entries of one object in one query.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext as _

from core.templatetags.db_extras import qty
from erp_modules.common.models import AuditEntry
from erp_modules.common.selectors import audit_history
from erp_modules.common.services import MESSAGE_PARAMS


def object_history(obj: models.Model, *, limit: int | None = 30, labels: Mapping[str, str] | None = None
                   ) -> list[AuditEntry]:
    """The newest ``limit`` entries of ``obj`` (None: all), ready for templates/_history.html (users read in the same query)."""
    return history_entries(audit_history(obj=obj).select_related("user")[:limit], type(obj), labels=labels)


def history_entries(entries: Iterable[AuditEntry], model: type[models.Model], *,
                    labels: Mapping[str, str] | None = None) -> list[AuditEntry]:
    """The entries worth showing, their changes keyed by the field's label with formatted values (see above).
    ``labels`` names keys that are no field of ``model`` (e.g. {"bom_line": _("BOM line")})."""
    rows = []
    for entry in entries:
        changes = {}
        stored = dict(entry.changes or {})
        params = stored.pop(MESSAGE_PARAMS, None)
        if isinstance(params, dict):
            entry.message = message_text(entry.message, params)
        for name, pair in stored.items():
            old, new = _pair(pair)
            old, new = history_value(model, name, old), history_value(model, name, new)
            if old != new:
                changes[history_label(model, name, labels)] = [old, new]
        if not changes and stored and not entry.message:
            continue  # every change it recorded changes nothing
        entry.changes = changes
        entry.user_label = user_label(entry.user, default=entry.user_label) if entry.user_id else entry.user_label
        rows.append(entry)
    return rows


def message_text(source: str, params: dict) -> str:
    """A message stored as its source text and parameters (audit_record's ``message_params``), in the
    reader's language; the source text as it is if the parameters do not fit it."""
    try:
        return _(source) % params
    except (KeyError, TypeError, ValueError):
        return source


def user_label(user, *, default: str = "") -> str:
    """A person as pages name them: full name, else email (``default`` when there is no user)."""
    return user.get_full_name() if user is not None else default


def history_label(model: type[models.Model], name: str, labels: Mapping[str, str] | None = None) -> str:
    """The verbose name of field ``name`` in the active language; a key that is no field as ``labels`` name it,
    else as stored."""
    if labels and name in labels:
        return str(labels[name])
    try:
        return str(model._meta.get_field(name).verbose_name)
    except (FieldDoesNotExist, AttributeError):  # a reverse relation has no verbose name: shown as stored
        return name


def history_value(model: type[models.Model], name: str, value):
    """A stored value as the reader reads it; None for nothing (shown as "—")."""
    if value is None or value == "":
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return value
    if getattr(field, "choices", None):
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return _("yes") if value in (True, "true", "True", 1) else _("no")
    if isinstance(field, models.DecimalField):
        try:
            return qty(Decimal(str(value)))
        except (InvalidOperation, ValueError):
            return value
    return value


def _pair(pair) -> tuple:
    if isinstance(pair, (list, tuple)):
        return (tuple(pair) + (None, None))[:2]
    return None, pair  # a single stored value: what it became
