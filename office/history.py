"""The change history of a programme: its settings as the texts the history keeps, and the
difference between two such states. Written by programme_create / programme_update
(services.py), read by the programme page and the monthly report.

Each setting is a text as the office reads it — money as the app writes it (¥2,400,000.00),
choices by their label, lists (sales bands, document kinds) by their labels, dates ISO, numbers
without trailing zeros; an empty setting is None — with its label, both in the platform's
language (settings.LANGUAGE_CODE, like the monthly report), so an entry reads the same whoever
made the change and stays true if a field is later renamed. The adoption criteria are one
setting per key ("criteria.min_active_users_30d"), named as on the programme form."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.utils import translation
from django.utils.text import capfirst

from office.adoption import CONSECUTIVE_MONTHS_LABELS, CRITERIA_LABELS
from office.metrics import KIND_LABELS
from office.models import Programme
from tenants.models import Enterprise

CENT = Decimal("0.01")
CRITERIA_PREFIX = "criteria."


def money_text(amount) -> str:
    """¥1,234,567.80, as the services' messages and the pages write money."""
    return f"¥{Decimal(amount).quantize(CENT, ROUND_HALF_UP):,}"


def _number(value) -> str:
    text = f"{Decimal(str(value)):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _label_of(choices, value) -> str:
    return str(dict(choices).get(value, value))


def setting_label(name: str) -> str | None:
    """A setting's label in the active language; None for a setting that no longer exists."""
    if name.startswith(CRITERIA_PREFIX):
        label = CRITERIA_LABELS.get(name[len(CRITERIA_PREFIX):])
        return None if label is None else str(label)
    try:
        return capfirst(str(Programme._meta.get_field(name).verbose_name))
    except FieldDoesNotExist:
        return None


def setting_text(name: str, value) -> str | None:
    if value is None or value == "" or value == [] or value == {}:
        return None
    if name == "budget":
        return money_text(value)
    if name == "cohort_sales_bands":
        return ", ".join(_label_of(Enterprise.SalesBand.choices, band) for band in value)
    if name == CRITERIA_PREFIX + "document_kinds":
        return ", ".join(str(KIND_LABELS.get(kind, kind)) for kind in value)
    if name == CRITERIA_PREFIX + "consecutive_months":
        return str(CONSECUTIVE_MONTHS_LABELS.get(value, value))
    if not name.startswith(CRITERIA_PREFIX):
        choices = Programme._meta.get_field(name).flatchoices
        if choices:
            return _label_of(choices, value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (Decimal, float)) and not isinstance(value, bool):
        return _number(value)
    return str(value)


def programme_settings(programme: Programme, fields) -> dict[str, tuple[str, str | None]]:
    """{setting: (label, text)} for the given model fields of the programme, in their order; the
    criteria (if among them) expand to one setting per key, in the form's order."""
    with translation.override(settings.LANGUAGE_CODE):
        result: dict[str, tuple[str, str | None]] = {}
        for name in fields:
            if name == "criteria":
                criteria = programme.criteria or {}
                keys = [*CRITERIA_LABELS, *sorted(set(criteria) - set(CRITERIA_LABELS))]
                for key in keys:
                    setting = CRITERIA_PREFIX + key
                    result[setting] = (setting_label(setting) or key, setting_text(setting, criteria.get(key)))
            else:
                result[name] = (setting_label(name) or name, setting_text(name, getattr(programme, name)))
        return result


def settings_created(after: dict[str, tuple[str, str | None]]) -> list[dict]:
    """A new programme: every setting it was created with (the empty ones left out)."""
    return [{"field": name, "label": label, "old": None, "new": text}
            for name, (label, text) in after.items() if text is not None]


def settings_changed(before: dict[str, tuple[str, str | None]],
                     after: dict[str, tuple[str, str | None]]) -> list[dict]:
    """The settings whose text differs, old and new; [] when nothing a reader could see changed."""
    changes = []
    for name, (label, new) in after.items():
        old = before.get(name, (label, None))[1]
        if old != new:
            changes.append({"field": name, "label": label, "old": old, "new": new})
    return changes
