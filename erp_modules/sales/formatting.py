"""How sales writes numbers as text, in one place: money with 2 decimals and grouping, unit prices
with more decimals only when they have them, quantities without trailing zeros. The pages use these
through the template filters (templatetags/sales_tags.py), the PDFs and the history messages directly."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def money(value: Decimal) -> str:
    """1234.5 → "1,234.50"."""
    return f"{Decimal(value).quantize(CENT, ROUND_HALF_UP):,.2f}"


def price(value: Decimal) -> str:
    """Unit prices: 1299 → "1,299.00"; 0.0125 stays "0.0125"."""
    value = Decimal(value)
    return f"{value:,.2f}" if value == value.quantize(CENT) else f"{value.normalize():,f}"


def qty(value: Decimal, *, grouping: bool = False) -> str:
    """3.0000 → "3", 2.5000 → "2.5"; with grouping 1234 → "1,234" (pages), without "1234" (messages, PDFs)."""
    value = Decimal(value)
    spec = ",f" if grouping else "f"
    if value == value.to_integral():
        return format(value.quantize(Decimal(1)), spec)
    return format(value.normalize(), spec)


_DIGITS_ZH = "零壹贰叁肆伍陆柒捌玖"
_UNITS_ZH = ("", "拾", "佰", "仟")
_GROUPS_ZH = ("", "万", "亿", "万亿")


def _group_zh(group: int) -> str:
    """1..9999 in capitals: 1010 → 壹仟零壹拾 (one 零 for a run of zeros inside the group)."""
    text, zero = "", False
    for position in (3, 2, 1, 0):
        digit = group // 10 ** position % 10
        if digit == 0:
            zero = zero or bool(text)
            continue
        if zero:
            text, zero = text + "零", False
        text += _DIGITS_ZH[digit] + _UNITS_ZH[position]
    return text


def _integer_zh(number: int) -> str:
    groups = []
    while number:
        groups.append(number % 10000)
        number //= 10000
    text, zero = "", False
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            zero = zero or bool(text)
            continue
        if text and (zero or group < 1000):
            text += "零"
        text += _group_zh(group) + _GROUPS_ZH[index]
        zero = False
    return text


def amount_in_capitals(value: Decimal) -> str:
    """An amount in Chinese capitals as on a VAT invoice (价税合计（大写））, rounded to the fen:
    7220.70 → 柒仟贰佰贰拾元柒角整, 10005.08 → 壹万零伍元零捌分, 0.05 → 伍分, 0 → 零元整, −3 → 负叁元整."""
    value = Decimal(value).quantize(CENT, ROUND_HALF_UP)
    sign, value = ("负" if value < 0 else ""), abs(value)
    fen_total = int(value * 100)
    yuan, jiao, fen = fen_total // 100, fen_total // 10 % 10, fen_total % 10
    if not fen_total:
        return "零元整"
    text = _integer_zh(yuan) + "元" if yuan else ""
    if jiao:
        text += _DIGITS_ZH[jiao] + "角"
    elif fen and yuan:
        text += "零"
    text += _DIGITS_ZH[fen] + "分" if fen else "整"
    return sign + text
