"""The audit history as a reader sees it (templates/_history.html), for every page that shows one: the one
renderer of ``AuditEntry`` rows (ERP documents, PDM parts, revisions, documents and change orders,
logistics, the ERP settings).

Services write ``AuditEntry.changes`` with the raw field names and plain values (``{"status": ["draft",
"released"], "amount_total": [None, "7220.7000"]}``): that is what they and their tests read, and it is
never rewritten, so entries of any age render. A page shows instead, in the reader's language:

- the field's verbose name ("状态", "BOM 版本"), the model being the entry's ``object_type``
  ("<app_label>.<model>", resolved with ``apps.get_model``); a key that is no field as the caller's
  ``labels`` name it, else as stored; a key "<field>:<qualifier>" (one affected part's disposition of an
  ECO: "disposition:HD-710") as "<field's label> (<qualifier>)";
- choice values by their label ("已下达"), a value no longer among the choices as stored; booleans as
  yes/no (是/否); money (a decimal field named like an amount, price, cost, value or pay) with the currency
  symbol, thousands and two decimals (¥7,220.70); other numbers plainly, thousands grouped, without
  trailing zeros (1,200 · 0.5); dates and times in the active locale's format; a foreign key stored as an
  id by the related object's name (the id as stored when that object is gone);
- no change that changes nothing (old and new the same, e.g. ``routing: — → —``), and no entry left with
  nothing to say (no change and no message);
- who did it by the user's name (full name, else email: ``User.get_full_name``), the stored label when the
  user is gone.

``history_entries(entries)`` returns the entries it keeps, their ``changes`` and ``user_label`` replaced
by these (the instances are the caller's: never save them). ``object_history(obj)`` reads and prepares the
newest entries of one object. The template filter ``history_rows`` (erp_modules/common/templatetags/
audit.py) applies ``history_entries`` to whatever a view passes as ``history`` — a queryset of raw entries or
entries already prepared — so every page shows the same words.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.templatetags.db_extras import money, qty
from erp_modules.common.models import AuditEntry
from erp_modules.common.selectors import audit_history
from erp_modules.common.services import MESSAGE_PARAMS

QUALIFIER = ":"  # "disposition:HD-710": the field, then what it is about
READY = "history_ready"  # set on an entry once prepared: preparing it again changes nothing
# A decimal field is money when a word of its name is one of these (amount_total, unit_price, standard_cost,
# value_issued, piece-rate pay, min_charge, quoted_freight …); percentages (vat_rate, scrap_pct) and
# quantities are plain numbers.
MONEY_WORDS = frozenset({"amount", "price", "cost", "value", "pay", "charge", "freight", "budget", "total"})
MONEY_NAMES = frozenset({"piece_rate", "free_over", "capitalised", "variance", "previous", "quoted"})


def object_history(obj: models.Model, *, limit: int | None = 30, labels: Mapping[str, str] | None = None,
                   fields: Mapping[str, models.Field] | None = None) -> list[AuditEntry]:
    """The newest ``limit`` entries of ``obj`` (None: all), ready for templates/_history.html."""
    return history_entries(audit_history(obj=obj)[:limit], labels=labels, fields=fields)


def history_entries(entries: Iterable[AuditEntry], model: type[models.Model] | None = None, *,
                    labels: Mapping[str, str] | None = None,
                    fields: Mapping[str, models.Field] | None = None) -> list[AuditEntry]:
    """The entries worth showing, their changes keyed by the field's label with formatted values (see above).

    ``model``: the model of every entry (default: each entry's ``object_type``). ``labels`` names keys that
    are no field (e.g. {"bom_line": _("BOM line")}); ``fields`` gives keys that are a field of another model
    (an ECO's "decision" is its approvals' field), for their label and their values."""
    entries = list(entries)
    fresh = [entry for entry in entries if not getattr(entry, READY, False)]
    resolver = _Resolver(fresh, model, fields or {})
    users = _users(fresh)
    rows = []
    for entry in entries:
        if getattr(entry, READY, False):
            rows.append(entry)
            continue
        model_class = resolver.model(entry)
        changes = {}
        stored = dict(entry.changes or {})
        params = stored.pop(MESSAGE_PARAMS, None)
        if isinstance(params, dict):
            entry.message = message_text(entry.message, params)
        for name, pair in stored.items():
            old, new = _pair(pair)
            field = resolver.field(model_class, name)
            old, new = resolver.value(field, name, old), resolver.value(field, name, new)
            if old != new:
                changes[history_label(model_class, name, labels, field=field)] = [old, new]
        if not changes and stored and not entry.message:
            continue  # every change it recorded changes nothing
        entry.changes = changes
        if entry.user_id:
            entry.user_label = user_label(users.get(entry.user_id), default=entry.user_label)
        setattr(entry, READY, True)
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
    return (user.get_full_name() or default) if user is not None else default


def model_of(object_type: str) -> type[models.Model] | None:
    """The model of an ``AuditEntry.object_type`` ("<app_label>.<model>"); None when it no longer exists."""
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def history_label(model: type[models.Model] | None, name: str, labels: Mapping[str, str] | None = None, *,
                  field: models.Field | None = None) -> str:
    """The verbose name of field ``name`` in the active language; a key that is no field as ``labels`` name it,
    else as stored. "<field>:<qualifier>" reads "<label> (<qualifier>)"."""
    if labels and name in labels:
        return str(labels[name])
    base, qualifier = _split(name)
    if field is None:
        field = _model_field(model, base)
    if field is None or not hasattr(field, "verbose_name"):  # a reverse relation has no verbose name
        if labels and base in labels and qualifier:
            return _("%(field)s (%(part)s)") % {"field": labels[base], "part": qualifier}
        return name
    label = str(field.verbose_name)
    return _("%(field)s (%(part)s)") % {"field": label, "part": qualifier} if qualifier else label


def history_value(model: type[models.Model] | None, name: str, value):
    """A stored value as the reader reads it; None for nothing (shown as "—")."""
    field = _model_field(model, _split(name)[0])
    return _Resolver([], model, {}).value(field, name, value)


def is_money(field: models.Field) -> bool:
    """Whether a decimal field holds money (see MONEY_WORDS)."""
    return field.name in MONEY_NAMES or bool(MONEY_WORDS & set(field.name.split("_")))


# ---- internals ------------------------------------------------------------------------------------------


def _split(name: str) -> tuple[str, str]:
    base, _sep, qualifier = name.partition(QUALIFIER)
    return base, qualifier


def _model_field(model, name: str):
    if model is None:
        return None
    try:
        return model._meta.get_field(name)  # also by attname: "partner_id" is the field "partner"
    except FieldDoesNotExist:
        return None


def _users(entries: list[AuditEntry]) -> dict:
    ids = {entry.user_id for entry in entries if entry.user_id}
    if not ids:
        return {}
    cached = {entry.user_id: entry.user for entry in entries
              if entry.user_id and AuditEntry.user.is_cached(entry)}
    missing = ids - set(cached)
    if missing:
        cached.update(get_user_model().objects.in_bulk(missing))
    return cached


def _is_id(value) -> bool:
    return (isinstance(value, int) and not isinstance(value, bool)) or (isinstance(value, str) and value.isdigit())


class _Resolver:
    """Fields and values of a batch of entries; foreign keys stored as ids are read in one query per model."""

    def __init__(self, entries: list[AuditEntry], model, fields: Mapping[str, models.Field]):
        self._model = model
        self._models: dict[str, type[models.Model] | None] = {}
        self._fields = fields
        self._names: dict[tuple[type[models.Model], object], str] = {}
        wanted = defaultdict(set)
        for entry in entries:
            model_class = self.model(entry)
            for name, pair in (entry.changes or {}).items():
                if name == MESSAGE_PARAMS:
                    continue
                field = self.field(model_class, name)
                if _is_fk(field):
                    for value in _pair(pair):
                        if _stored_as_id(field, name, value):
                            wanted[field.related_model].add(int(value))
        for related, ids in wanted.items():
            for pk, obj in related._base_manager.in_bulk(ids).items():
                self._names[(related, pk)] = str(obj)

    def model(self, entry: AuditEntry):
        if self._model is not None:
            return self._model
        if entry.object_type not in self._models:
            self._models[entry.object_type] = model_of(entry.object_type)
        return self._models[entry.object_type]

    def field(self, model, name: str):
        base = _split(name)[0]
        if name in self._fields:
            return self._fields[name]
        if base in self._fields:
            return self._fields[base]
        return _model_field(model, base)

    def value(self, field, name: str, value):
        if value is None or value == "" or value == []:
            return None
        if field is None or not hasattr(field, "get_internal_type"):
            return value
        if getattr(field, "choices", None):
            choices = dict(field.flatchoices)
            if isinstance(value, list):
                return ", ".join(str(choices.get(v, v)) for v in value)
            return str(choices.get(value, value))
        if isinstance(field, models.BooleanField):
            if value in (True, "true", "True", 1, "1"):
                return _("yes")
            if value in (False, "false", "False", 0, "0"):
                return _("no")
            return value
        if _is_fk(field):
            if _stored_as_id(field, name, value):
                return self._names.get((field.related_model, int(value)), str(value))
            return value
        if isinstance(field, (models.DecimalField, models.FloatField, models.IntegerField)):
            try:
                number = Decimal(str(value))
            except (InvalidOperation, ValueError):
                return value
            if not number.is_finite():
                return value
            if isinstance(field, models.DecimalField) and is_money(field):
                return money(number)
            return qty(number)
        if isinstance(field, models.DateTimeField):
            moment = value if isinstance(value, datetime) else _parsed(parse_datetime, value)
            if moment is None:
                return value
            if timezone.is_aware(moment):
                moment = timezone.localtime(moment)
            return date_format(moment, "DATETIME_FORMAT")
        if isinstance(field, models.DateField):
            day = value if isinstance(value, date) else _parsed(parse_date, value)
            return date_format(day, "DATE_FORMAT") if day is not None else value
        return value


def _parsed(parser, value):
    """A date or datetime from its ISO text; None for anything else (shown as stored)."""
    if not isinstance(value, str):
        return None
    try:
        return parser(value)
    except ValueError:  # well formed but no such day
        return None


def _is_fk(field) -> bool:
    return isinstance(field, models.ForeignKey)


def _stored_as_id(field, name: str, value) -> bool:
    """An id (a number, or digits under the key "<field>_id"); a name as ``audit_record`` stores an object
    (its str) is shown as it is."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return name == field.attname and _is_id(value)


def _pair(pair) -> tuple:
    if isinstance(pair, (list, tuple)):
        return (tuple(pair) + (None, None))[:2]
    return None, pair  # a single stored value: what it became
