"""Typed text → ids, whole numbers, decimals, dates and months: the one place that parses them.

Every view, form and selector that reads a number or a date from a request (a GET filter, a POST
field, a field *name* such as ``deliver-<line id>``) goes through these functions or the form fields
built on them (core.fields). They accept what a person types and refuse everything else with a
``ValidationError`` keyed by the field's name (``exc.error_dict[field]``) and a code from
``ParseErrorCode`` — never a ValueError, an OverflowError or a database error later on:

- digits are ASCII only. Full-width digits typed with a Chinese input method (``１２``, ``．``) are
  taken as their ASCII forms; any other Unicode digit (``²``, ``١``, ``৩`` …) is refused, although
  ``str.isdigit()``, ``int()`` or ``Decimal()`` would each accept some of them;
- no exponents, no ``NaN``/``Infinity``, no underscores, at most ``max_digits`` digits (default 20)
  before the point and ``decimal_places`` after it: ``1e309`` and 40-digit numbers are refused;
- ids are positive and fit a PostgreSQL bigint;
- dates are ISO ``YYYY-MM-DD`` (``YYYY/MM/DD`` too), real calendar days, years 1900–2199: so
  ``2026-02-30``, ``0000-00-00`` and ``9999-12-31`` (whose next day overflows) are refused.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import Enum

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_ID = 2**63 - 1
MIN_YEAR, MAX_YEAR = 1900, 2199

_FULLWIDTH = str.maketrans({**{chr(0xFF10 + n): str(n) for n in range(10)},
                            "．": ".", "，": ",", "＋": "+", "－": "-", "−": "-", "／": "/", "\u3000": " "})
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)", re.ASCII)
_DIGITS = re.compile(r"\d+", re.ASCII)
_DATE = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})", re.ASCII)
_MONTH = re.compile(r"(\d{4})[-/](\d{1,2})", re.ASCII)


class ParseErrorCode(str, Enum):
    REQUIRED = "required"
    INVALID_ID = "invalid_id"
    INVALID_NUMBER = "invalid_number"
    NUMBER_TOO_LARGE = "number_too_large"
    TOO_MANY_DECIMALS = "too_many_decimals"
    OUT_OF_RANGE = "out_of_range"
    INVALID_DATE = "invalid_date"
    INVALID_CHOICE = "invalid_choice"


def _error(field: str, message: str, code: ParseErrorCode) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code.value)})


def normalize_text(value) -> str:
    """The text as typed, trimmed, with full-width digits and signs made ASCII."""
    if value is None:
        return ""
    return str(value).translate(_FULLWIDTH).strip()


def _blank(value, field: str, required: bool) -> bool:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise _error(field, _("This field is required."), ParseErrorCode.REQUIRED)
        return True
    return False


def is_id(value) -> bool:
    """True for the text of a positive id (ASCII digits, fits a bigint): the test to use instead of
    str.isdigit() (which is also true of ² and ١)."""
    text = normalize_text(value)
    return bool(_DIGITS.fullmatch(text)) and 0 < int(text) <= MAX_ID


def parse_id(value, *, field: str, required: bool = False) -> int | None:
    """A database id: ASCII digits, 1 to 2⁶³−1."""
    if isinstance(value, int) and not isinstance(value, bool):
        if 0 < value <= MAX_ID:
            return value
        raise _error(field, _("“%(value)s” is not a valid id.") % {"value": value}, ParseErrorCode.INVALID_ID)
    if _blank(value, field, required):
        return None
    if not is_id(value):
        raise _error(field, _("“%(value)s” is not a valid id.") % {"value": _shown(value)}, ParseErrorCode.INVALID_ID)
    return int(normalize_text(value))


def parse_ids(values, *, field: str) -> list[int]:
    """A list of ids (e.g. request.POST.getlist("order")); any bad one refuses the lot."""
    return [parse_id(v, field=field, required=True) for v in values if not (isinstance(v, str) and not v.strip())]


def parse_int(value, *, field: str, required: bool = False, min_value: int | None = None,
              max_value: int | None = None) -> int | None:
    """A whole number (sign allowed), within [min_value, max_value] when given, else ±10¹⁸."""
    if _blank(value, field, required):
        return None
    text = normalize_text(value)
    if not re.fullmatch(r"[+-]?\d{1,18}", text, re.ASCII):
        raise _error(field, _("Enter a whole number."), ParseErrorCode.INVALID_NUMBER)
    number = int(text)
    _range(number, field, min_value, max_value)
    return number


def parse_decimal(value, *, field: str, required: bool = False, max_digits: int = 20, decimal_places: int | None = None,
                  min_value=None, max_value=None, thousands: bool = True) -> Decimal | None:
    """A decimal number as typed: "1234.5", "1,234.50", "-3", "１２．５".

    max_digits counts the digits before the point; decimal_places (when given) the digits after it.
    Commas are read as thousands separators when `thousands` is true."""
    if isinstance(value, Decimal):
        text = format(value, "f") if value.is_finite() else "NaN"
    elif _blank(value, field, required):
        return None
    else:
        text = normalize_text(value)
    if thousands:
        text = re.sub(r"(?<=\d),(?=\d{3}(\D|$))", "", text)
    if not _NUMBER.fullmatch(text):
        raise _error(field, _("Enter a number."), ParseErrorCode.INVALID_NUMBER)
    whole, _dot, fraction = text.lstrip("+-").partition(".")
    if len(whole.lstrip("0")) > max_digits:
        raise _error(field, _("The number is too large."), ParseErrorCode.NUMBER_TOO_LARGE)
    if decimal_places is not None and len(fraction.rstrip("0")) > decimal_places:
        raise _error(field, _("Use at most %(n)d decimals.") % {"n": decimal_places},
                     ParseErrorCode.TOO_MANY_DECIMALS)
    if len(fraction) > 40:
        raise _error(field, _("Use fewer decimals."), ParseErrorCode.TOO_MANY_DECIMALS)
    try:
        number = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern above admits only plain numbers
        raise _error(field, _("Enter a number."), ParseErrorCode.INVALID_NUMBER) from None
    _range(number, field, min_value, max_value)
    return number


def to_decimal(value, *, max_digits: int = 14) -> Decimal | None:
    """Lenient form of parse_decimal for code that words its own error: the number, or None when the
    text is blank or not a plain number of at most `max_digits` digits before the point (a Decimal is
    taken as it is when finite and within that size)."""
    if isinstance(value, Decimal) and value.is_finite() and abs(value) < Decimal(10) ** max_digits:
        return value
    try:
        return parse_decimal(value, field="value", max_digits=max_digits)
    except ValidationError:
        return None


def _range(number, field: str, min_value, max_value) -> None:
    if min_value is not None and number < min_value:
        raise _error(field, _("Enter a number of at least %(n)s.") % {"n": min_value}, ParseErrorCode.OUT_OF_RANGE)
    if max_value is not None and number > max_value:
        raise _error(field, _("Enter a number of at most %(n)s.") % {"n": max_value}, ParseErrorCode.OUT_OF_RANGE)


def parse_date(value, *, field: str, required: bool = False, min_year: int = MIN_YEAR,
               max_year: int = MAX_YEAR) -> date | None:
    """A calendar date typed as YYYY-MM-DD (or YYYY/MM/DD); a date object is checked for its year."""
    if isinstance(value, date):
        parsed = value
    elif _blank(value, field, required):
        return None
    else:
        match = _DATE.fullmatch(normalize_text(value))
        parsed = None
        if match:
            try:
                parsed = date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                parsed = None
        if parsed is None:
            raise _error(field, _("“%(value)s” is not a date; enter it as YYYY-MM-DD.") % {"value": _shown(value)},
                         ParseErrorCode.INVALID_DATE)
    if not min_year <= parsed.year <= max_year:
        raise _error(field, _("Enter a date between the years %(min)d and %(max)d.") % {"min": min_year,
                                                                                           "max": max_year},
                     ParseErrorCode.INVALID_DATE)
    return parsed


def parse_month(value, *, field: str, required: bool = False) -> date | None:
    """A month typed as YYYY-MM (a full date is accepted too): the first day of that month."""
    if _blank(value, field, required):
        return None
    text = normalize_text(value)
    match = _MONTH.fullmatch(text)
    if match is None:
        day = parse_date(text, field=field)
        return day.replace(day=1)
    year, month = int(match[1]), int(match[2])
    if not (MIN_YEAR <= year <= MAX_YEAR and 1 <= month <= 12):
        raise _error(field, _("“%(value)s” is not a month; enter it as YYYY-MM.") % {"value": _shown(value)},
                     ParseErrorCode.INVALID_DATE)
    return date(year, month, 1)


def parse_choice(value, choices, *, field: str, required: bool = False, default=None):
    """One of `choices` (values compared as text); blank gives `default`."""
    if _blank(value, field, required):
        return default
    text = str(value).strip()
    for choice in choices:
        if str(choice) == text:
            return choice
    raise _error(field, _("“%(value)s” is not one of the available choices.") % {"value": _shown(value)},
                 ParseErrorCode.INVALID_CHOICE)


def _shown(value) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:40] + "…"


def first_message(exc: ValidationError) -> str:
    """The first message of a parsing error (for a page that shows one line)."""
    return exc.messages[0] if exc.messages else ""
