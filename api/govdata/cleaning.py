"""Cleaning of the values the data-exchange centre publishes, before they are validated.

The centre's exports are messy in well-known ways: `\\N` (a MySQL/Hive null), 暂无 / 无 / NULL for
"no value", 1900-01-01 as an unknown date, 9999-09-09 (or 9999-12-31) as "indefinite", dates as
epoch milliseconds, capital as "500万元" or in 元, full-width digits and letters (ＡＢＣ１２３),
and stray spaces (also the full-width space U+3000 and non-breaking spaces).
Each function either returns a clean value or raises `core.imports.RowError(column, message)`.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from datetime import timezone as dt_timezone
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from core.imports import RowError
from core.uscc import normalize_uscc, uscc_errors

NULL_MARKERS = {"\\n", "null", "none", "nan", "nat", "暂无", "无", "-", "--", "—", "/", "n/a", "空"}
UNKNOWN_DATES = {date(1900, 1, 1), date(1899, 12, 30), date(1970, 1, 1)}
INDEFINITE_YEAR = 9999
CHINA = ZoneInfo("Asia/Shanghai")
WHITESPACE = re.compile(r"[\s\u3000\u00a0\u200b\ufeff]+")
CJK = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef"
# a space between two Chinese characters, or between one and a digit or bracket, is a stray one
CJK_GAP = re.compile(rf"(?<=[{CJK}]) (?=[{CJK}0-9()])|(?<=[0-9()]) (?=[{CJK}])")


class Indefinite:
    """The value of a date column that says "no end" (9999-09-09)."""

    def __repr__(self):
        return "INDEFINITE"


INDEFINITE = Indefinite()


def text(raw) -> str:
    """Full-width → half-width (NFKC), every run of white space → one space, trimmed; null markers → ""."""
    if raw is None:
        return ""
    value = unicodedata.normalize("NFKC", str(raw))
    value = CJK_GAP.sub("", WHITESPACE.sub(" ", value).strip())
    if value.lower() in NULL_MARKERS:
        return ""
    return value


def as_published(raw) -> str:
    """The text as the source wrote it (only trimmed): for `status_raw` and the like."""
    value = WHITESPACE.sub(" ", str(raw or "")).strip()
    return "" if value.lower() in NULL_MARKERS else value


def code(raw) -> str:
    """A code (USCC, registration number, division, industry): no spaces at all, upper case."""
    return text(raw).replace(" ", "").replace("-", "").upper()


def uscc(raw, column: str) -> str:
    value = normalize_uscc(code(raw))
    if not value:
        raise RowError(column, _("A Unified Social Credit Code is required."))
    problems = uscc_errors(value)
    if problems:
        raise RowError(column, f"{value}: {problems[0][1]}")
    return value


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S",
                 "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M")
_CHINESE_DATE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$")


def date_value(raw, column: str, *, allow_indefinite: bool = False):
    """A date, None (blank / unknown placeholder) or INDEFINITE (9999-xx-xx, when allowed)."""
    value = text(raw)
    if not value:
        return None
    parsed: date | None = None
    if re.fullmatch(r"-?\d{12,13}(\.0+)?", value):  # epoch milliseconds
        millis = int(float(value))
        parsed = datetime.fromtimestamp(millis / 1000, tz=dt_timezone.utc).astimezone(CHINA).date()
    elif re.fullmatch(r"\d{9,10}", value):  # epoch seconds
        parsed = datetime.fromtimestamp(int(value), tz=dt_timezone.utc).astimezone(CHINA).date()
    else:
        match = _CHINESE_DATE.match(value)
        if match:
            try:
                parsed = date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                parsed = None
        else:
            candidate = value.replace("T", " ") if "T" in value and ":" in value else value
            candidate = re.sub(r"(\+\d{2}:?\d{2}|Z)$", "", candidate)  # an ISO time zone: the date is what counts
            for fmt in _DATE_FORMATS:
                try:
                    parsed = datetime.strptime(candidate, fmt).date()
                    break
                except ValueError:
                    continue
    if parsed is None:
        raise RowError(column, _("“%(value)s” is not a date (write 2015-03-18).") % {"value": value})
    if parsed.year == INDEFINITE_YEAR:
        if allow_indefinite:
            return INDEFINITE
        raise RowError(column, _("“%(value)s” is not a real date here.") % {"value": value})
    if parsed in UNKNOWN_DATES:
        return None
    if parsed.year < 1900 or parsed.year > 2200:
        raise RowError(column, _("“%(value)s” is out of range.") % {"value": value})
    return parsed


CURRENCIES = {
    "CNY": "CNY", "RMB": "CNY", "人民币": "CNY", "人民币元": "CNY", "156": "CNY", "元": "CNY",
    "USD": "USD", "美元": "USD", "840": "USD",
    "EUR": "EUR", "欧元": "EUR", "978": "EUR",
    "HKD": "HKD", "港元": "HKD", "港币": "HKD", "344": "HKD",
    "JPY": "JPY", "日元": "JPY", "392": "JPY",
    "GBP": "GBP", "英镑": "GBP", "826": "GBP",
    "TWD": "TWD", "新台币": "TWD", "901": "TWD",
}
_CURRENCY_WORDS = sorted((k for k in CURRENCIES if not k.isdigit()), key=len, reverse=True)


def currency(raw, column: str, *, default: str = "CNY") -> str:
    value = text(raw).upper()
    if not value:
        return default
    if value in CURRENCIES:
        return CURRENCIES[value]
    raise RowError(column, _("“%(value)s” is not a currency (人民币, 美元, CNY, USD …).") % {"value": text(raw)})


def capital(raw, column: str) -> tuple[Decimal | None, str | None]:
    """Registered capital in 万元 (10,000 units) and a currency named in the value, if any.

    "500" → 500 (already 万元), "500万元" / "500万人民币" → 500, "5,000,000元" → 500,
    "50万美元" → (50, "USD"), "1.2亿" → 12000."""
    value = text(raw).replace(",", "").replace(" ", "")
    if not value:
        return None, None
    found_currency = None
    for word in _CURRENCY_WORDS:
        if value.upper().endswith(word):
            found_currency = CURRENCIES[word]
            value = value[: -len(word)]
            break
    multiplier = Decimal("1")
    if value.endswith("万"):
        value = value[:-1]
    elif value.endswith("亿"):
        value, multiplier = value[:-1], Decimal("10000")
    elif found_currency is not None and text(raw).replace(" ", "").endswith(("元", "人民币元")) and \
            "万" not in text(raw):
        multiplier = Decimal("0.0001")  # given in 元
    try:
        amount = Decimal(value) * multiplier
    except InvalidOperation:
        raise RowError(column, _("“%(value)s” is not an amount in 10,000 units (万元).") % {"value": text(raw)})
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e13"):
        raise RowError(column, _("“%(value)s” is not an amount in 10,000 units (万元).") % {"value": text(raw)})
    return amount.quantize(Decimal("0.0001")), found_currency


def decimal_value(raw, column: str, *, minimum: Decimal | None = Decimal("0")) -> Decimal | None:
    """An amount in 元: "12,000", "12000元", "1.2万元" (→ 12000)."""
    value = text(raw).replace(",", "").replace(" ", "")
    if not value:
        return None
    multiplier = Decimal("1")
    if value.endswith("万元"):
        value, multiplier = value[:-2], Decimal("10000")
    elif value.endswith("元"):
        value = value[:-1]
    try:
        amount = Decimal(value) * multiplier
    except InvalidOperation:
        raise RowError(column, _("“%(value)s” is not a number.") % {"value": text(raw)})
    if not amount.is_finite() or (minimum is not None and amount < minimum) or abs(amount) >= Decimal("1e13"):
        raise RowError(column, _("“%(value)s” is out of range.") % {"value": text(raw)})
    return amount


def integer(raw, column: str) -> int | None:
    value = text(raw).replace(",", "").replace("人", "").strip()
    if not value:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise RowError(column, _("“%(value)s” is not a whole number.") % {"value": text(raw)})
    if not number.is_finite() or number != number.to_integral() or number < 0 or number > 10_000_000:
        raise RowError(column, _("“%(value)s” is not a whole number.") % {"value": text(raw)})
    return int(number)


def names_list(raw) -> list[str]:
    """Former names: separated by ; ； , ， 、 | or new lines."""
    value = text(raw)
    if not value:
        return []
    parts = re.split(r"[;；,，、|\n]+", value)
    seen: list[str] = []
    for part in parts:
        part = part.strip()
        if part and part not in seen:
            seen.append(part)
    return seen
