"""Form fields that read numbers, ids and dates with core.parsing, and a mixin that gives every field
of a form that strictness.

Django's own fields are lenient where the database is not: ``forms.IntegerField`` takes "١٢" and a
40-digit number (the INSERT then fails), ``DecimalField`` without max_digits takes "1e309",
``ModelChoiceField`` takes "١" as the id 1, ``DateField`` takes 9999-12-31 (whose next day overflows)
and Unicode digits, and "sNaN" makes ``DecimalField.has_changed`` (formsets) raise InvalidOperation.
``StrictInputMixin`` (part of ``BootstrapMixin`` below, so of nearly every
form of the platform) checks the typed text of each such field with core.parsing *before* Django
cleans it, so a bad value becomes an error on that field and no clean_<field> method or service ever
sees it. Bounds: a whole number fits a PostgreSQL integer unless the field says otherwise; a decimal
fits its field's max_digits / decimal_places (20 digits before the point when unset); years 1900–2199.

Use the fields directly for new forms (``StrictIntegerField``, ``StrictDecimalField``,
``StrictDateField``, ``IdField``) or put the mixin first in a form's bases.
"""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.parsing import (MAX_YEAR, MIN_YEAR, ParseErrorCode, is_id, normalize_text, parse_decimal, parse_id,
                          parse_int)

INT32 = 2**31 - 1
_NON_ASCII_DIGIT = re.compile(r"[^\x00-\x7f]")


def _field_error(exc: ValidationError) -> ValidationError:
    """The parsing error without its field key (a form field's error is already the field's)."""
    if hasattr(exc, "error_dict"):
        return next(iter(exc.error_dict.values()))[0]
    return exc


def _int_bounds(field) -> tuple[int, int]:
    low, high = getattr(field, "min_value", None), getattr(field, "max_value", None)
    return (-INT32 if low is None else max(int(low), -(2**63 - 1)),
            INT32 if high is None else min(int(high), 2**63 - 1))


def check_integer(field, value) -> None:
    if isinstance(value, str) and value.strip():
        low, high = _int_bounds(field)
        try:
            parse_int(value, field="value", min_value=low, max_value=high)
        except ValidationError as exc:
            raise _field_error(exc) from None


def check_decimal(field, value) -> None:
    if isinstance(value, str) and value.strip():
        places = getattr(field, "decimal_places", None)
        digits = getattr(field, "max_digits", None)
        whole = (digits - (places or 0)) if digits is not None else 20
        try:
            parse_decimal(value, field="value", max_digits=max(whole, 1), decimal_places=places, thousands=False)
        except ValidationError as exc:
            raise _field_error(exc) from None


def check_date_text(value) -> None:
    """Before Django's own date parsing (which knows the locale's formats): ASCII digits only."""
    if isinstance(value, str) and _NON_ASCII_DIGIT.search(normalize_text(value)):
        raise ValidationError(_invalid_date_message(), code=ParseErrorCode.INVALID_DATE.value)


def check_date_value(value) -> None:
    if value is not None and hasattr(value, "year") and not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValidationError(_year_message(), code=ParseErrorCode.INVALID_DATE.value)


def _invalid_date_message():
    return _("Enter a valid date.")


def _year_message():
    return _("Enter a date between the years %(min)d and %(max)d.") % {"min": MIN_YEAR, "max": MAX_YEAR}


def check_id(value) -> None:
    values = value if isinstance(value, (list, tuple)) else [value]
    for v in values:
        if isinstance(v, str) and v.strip() and not is_id(v):
                    raise ValidationError(_("Select a valid choice. That choice is not one of the available choices."),
                                  code="invalid_choice")


def _uses_integer_key(field) -> bool:
    queryset = getattr(field, "queryset", None)
    if queryset is None:
        return False
    key = field.to_field_name or queryset.model._meta.pk.attname
    try:
        model_field = queryset.model._meta.get_field(key)
    except Exception:
        model_field = queryset.model._meta.pk
    while getattr(model_field, "target_field", None) is not None and model_field.is_relation:
        model_field = model_field.target_field
    return model_field.get_internal_type() in ("AutoField", "BigAutoField", "SmallAutoField", "IntegerField",
                                               "BigIntegerField", "SmallIntegerField", "PositiveIntegerField",
                                               "PositiveBigIntegerField", "PositiveSmallIntegerField")


def harden_field(field: forms.Field) -> forms.Field:
    """Give one field (of a form instance) the strict reading of its kind; returns the field."""
    if getattr(field, "_strict", False):
        return field
    before = after = None
    if isinstance(field, (forms.ModelChoiceField, forms.ModelMultipleChoiceField)):
        if _uses_integer_key(field):
            before = check_id
    elif isinstance(field, (forms.ChoiceField, forms.MultipleChoiceField)):
        return field  # compared with its choices as text
    elif isinstance(field, (forms.DecimalField, forms.FloatField)):  # before IntegerField: its subclasses
        before = lambda value: check_decimal(field, value)  # noqa: E731
    elif isinstance(field, forms.IntegerField):
        before = lambda value: check_integer(field, value)  # noqa: E731
    elif isinstance(field, (forms.DateField, forms.DateTimeField)):
        before, after = check_date_text, check_date_value
    elif isinstance(field, forms.SplitDateTimeField):
        before = lambda value: [check_date_text(v) for v in (value or [])]  # noqa: E731
        after = check_date_value
    if before is None and after is None:
        return field
    original = field.to_python  # clean() and has_changed() (formsets) both go through it

    def to_python(value):
        if before is not None:
            before(value)
        python = original(value)
        if after is not None:
            after(python)
        return python

    field.to_python = to_python
    field._strict = True
    return field


class StrictInputMixin:
    """Put first in a form's bases: every field reads numbers, ids and dates strictly (see above)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            harden_field(field)


class StrictIntegerField(forms.IntegerField):
    def to_python(self, value):
        check_integer(self, value)
        return super().to_python(value)


class StrictDecimalField(forms.DecimalField):
    def to_python(self, value):
        check_decimal(self, value)
        return super().to_python(value)


class StrictDateField(forms.DateField):
    def to_python(self, value):
        check_date_text(value)
        python = super().to_python(value)
        check_date_value(python)
        return python


class IdField(forms.Field):
    """A positive database id typed or posted as text (hidden inputs, per-line ids)."""

    def to_python(self, value):
        try:
            return parse_id(value, field="value")
        except ValidationError as exc:
            raise _field_error(exc) from None



def form_errors_from(form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: each field's errors on that field when the form has
    it, the rest (and errors of no field) as the form's own errors."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


class BootstrapMixin(StrictInputMixin):
    """Adds Bootstrap classes so that the templates can render fields plainly; numbers, ids and dates
    are read strictly (core.forms.StrictInputMixin)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple)):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                if "is-invalid" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] = (widget.attrs.get("class", "") + " is-invalid").strip()
