"""Strict input scalars: what graphene's Decimal, Date and DateTime let through and nothing downstream
can use is refused where the value enters, as a typed GraphQL error naming the argument or variable.

- Decimal: plain ASCII numbers only (`12`, `-0.5`, `1.2e3`), finite, at most MAX_DIGITS significant digits
  and an exponent within ±MAX_EXPONENT; `NaN`, `Infinity`, `1e309`, 40-digit numbers, `１２` or `²` are
  refused (graphene's Decimal takes them all, and the first two break every comparison after).
- Date: ISO dates (`2026-02-28`); `2026-02-30` or `0000-00-00` are refused (as graphene does), and so is
  any other exception of the parser.
- DateTime: ISO date-times; one without an offset is taken in the platform's time zone (comparing it with
  an aware one would fail later), one that cannot be represented is refused.

`harden_scalars(schema)` puts these parsers on the built schema's scalar types (api/graphql/schema.py);
output (serialize) is unchanged, so is the exported schema.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext as _
from graphql import FloatValueNode, GraphQLError, IntValueNode, StringValueNode
from graphql.pyutils import Undefined

MAX_DIGITS = 30
MAX_EXPONENT = 30
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", re.ASCII)


def parse_decimal(value) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (str, int, float, Decimal)):
        raise GraphQLError(_("A decimal number is expected (e.g. “12.5”)."))
    text = str(value).strip() if not isinstance(value, float) else repr(value)
    if not _NUMBER.fullmatch(text):
        raise GraphQLError(_("“%(value)s” is not a decimal number (e.g. “12.5”).") % {"value": str(value)[:40]})
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise GraphQLError(_("“%(value)s” is not a decimal number (e.g. “12.5”).") % {"value": text[:40]}) from None
    if not number.is_finite() or len(number.as_tuple().digits) > MAX_DIGITS \
            or abs(number.adjusted()) > MAX_EXPONENT:
        raise GraphQLError(_("“%(value)s” is out of range for a decimal number.") % {"value": text[:40]})
    return number


def parse_decimal_literal(node, _variables=None):
    if isinstance(node, (StringValueNode, IntValueNode, FloatValueNode)):
        return parse_decimal(node.value)
    return Undefined


def parse_date(value) -> datetime.date:
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    if not isinstance(value, str):
        raise GraphQLError(_("A date is expected (YYYY-MM-DD)."))
    try:
        return datetime.date.fromisoformat(value)
    except (ValueError, OverflowError):
        raise GraphQLError(_("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": value[:40]}) from None


def parse_datetime(value) -> datetime.datetime:
    if not isinstance(value, (str, datetime.datetime)):
        raise GraphQLError(_("A date and time is expected (ISO 8601, e.g. 2026-03-01T09:30:00+08:00)."))
    if isinstance(value, str):
        try:
            value = datetime.datetime.fromisoformat(value)
        except (ValueError, OverflowError):
            raise GraphQLError(_("“%(value)s” is not a date and time (ISO 8601, e.g. 2026-03-01T09:30:00+08:00).")
                               % {"value": value[:40]}) from None
    try:
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        value.astimezone(datetime.timezone.utc)  # representable in UTC (the database's)
    except (ValueError, OverflowError):
        raise GraphQLError(_("“%(value)s” is out of range for a date and time.") % {"value": str(value)[:40]}) \
            from None
    return value


def _literal(parse):
    def parse_literal(node, _variables=None):
        if isinstance(node, StringValueNode):
            return parse(node.value)
        return Undefined

    return parse_literal


def harden_scalars(graphql_schema) -> None:
    parsers = {"Decimal": (parse_decimal, parse_decimal_literal), "Date": (parse_date, _literal(parse_date)),
               "DateTime": (parse_datetime, _literal(parse_datetime))}
    for name, (parse_value, parse_literal) in parsers.items():
        scalar = graphql_schema.type_map.get(name)
        if scalar is not None:
            scalar.parse_value, scalar.parse_literal = parse_value, parse_literal
