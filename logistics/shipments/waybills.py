"""Loose checks of waybill numbers per carrier, and a guess of the carrier from a number. Pure: no ORM.

The patterns are the ones carriers print on their labels today (and some older ones); carriers change
them, so a number that fits none of the chosen carrier's patterns is only a *warning* (the clerk may keep
it). Hard errors are what cannot be a waybill number at all: control characters, more than 32 characters,
and a UPU S10 number (``AA123456789CN``, EMS international) whose mod-11 check digit is wrong.

==========  =====================================================
code        patterns
==========  =====================================================
SF          ``SF`` + 13 digits; older: 12 digits
YTO         ``YT`` + 13 digits
ZTO         12–15 digits
STO         12–13 digits
JD          ``JDX``/``JDK`` + 12 digits, ``JDV`` + a letter + 11 digits
DBL         ``DPK`` + 12 digits, or 8–10 digits (Deppon)
JTSD        ``JT`` + 13 digits (J&T)
YD          13 or 15 digits (Yunda)
EMS         UPU S10 ``AA123456789CN`` (check digit), domestic 13 digits
==========  =====================================================
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

MAX_LENGTH = 32
S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)
_S10 = re.compile(r"^([A-Z]{2})(\d{8})(\d)([A-Z]{2})$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")

# the order is the order of the guesses: carriers with a prefix of their own first
PATTERNS: dict[str, list[re.Pattern]] = {
    "SF": [re.compile(r"^SF\d{13}$"), re.compile(r"^\d{12}$")],
    "YTO": [re.compile(r"^YT\d{13}$")],
    "JTSD": [re.compile(r"^JT\d{13}$")],
    "JD": [re.compile(r"^JD[XK]\d{12}$"), re.compile(r"^JDV[A-Z]\d{11}$")],
    "DBL": [re.compile(r"^DPK\d{12}$"), re.compile(r"^\d{8,10}$")],
    "EMS": [_S10, re.compile(r"^\d{13}$")],
    "ZTO": [re.compile(r"^\d{12,15}$")],
    "YD": [re.compile(r"^\d{13}$"), re.compile(r"^\d{15}$")],
    "STO": [re.compile(r"^\d{12,13}$")],
}
_PREFIXED = {"SF": "SF", "YT": "YTO", "JT": "JTSD", "JD": "JD", "DPK": "DBL"}


@dataclass(frozen=True)
class WaybillCheck:
    normalized: str
    guesses: list[str] = field(default_factory=list)  # carrier codes whose patterns the number fits
    matches_carrier: bool = True  # False: the chosen carrier's patterns do not fit (a warning only)
    error: str | None = None  # not a waybill number at all (refused)
    warning: str | None = None  # the text of the warning when matches_carrier is False


def waybill_normalize(number: str) -> str:
    """Stripped, upper case, without spaces (also ideographic and no-break spaces)."""
    text = str(number or "").upper()
    return re.sub(r"[\s\u3000\u00a0]+", "", text)


def s10_check_digit(digits: str) -> int:
    """The UPU S10 check digit of 8 serial digits: weights 8 6 4 2 3 5 9 7, 11 − sum mod 11 (10 → 0, 11 → 5)."""
    check = 11 - sum(int(d) * w for d, w in zip(digits, S10_WEIGHTS)) % 11
    return {10: 0, 11: 5}.get(check, check)


def waybill_guess(normalized: str) -> list[str]:
    """The carrier codes whose patterns the (normalized) number fits, most specific first."""
    if _S10.match(normalized):
        return ["EMS"]
    for prefix, code in sorted(_PREFIXED.items(), key=lambda kv: -len(kv[0])):
        if normalized.startswith(prefix):
            return [code] if any(p.match(normalized) for p in PATTERNS[code]) else []
    return [code for code, patterns in PATTERNS.items() if any(p.match(normalized) for p in patterns)]


def waybill_check(number: str, carrier_code: str | None = None) -> WaybillCheck:
    """Check ``number`` loosely against ``carrier_code``'s patterns (any known carrier when None).

    ``error`` (refuse): empty after normalizing, a control character, longer than 32, or a UPU S10 number
    with a wrong check digit. ``matches_carrier`` False (warn, may be kept): the number fits none of the
    carrier's patterns; a carrier without known patterns (own trucks, a local line) always matches."""
    raw = str(number or "")
    if _CONTROL.search(raw.replace("\t", " ").replace("\n", " ").replace("\r", " ")) or "\x00" in raw:
        return WaybillCheck(normalized="", error=_("The waybill number contains control characters."))
    normalized = waybill_normalize(raw)
    if not normalized:
        return WaybillCheck(normalized="", error=_("Enter the waybill number."))
    if len(normalized) > MAX_LENGTH:
        return WaybillCheck(normalized=normalized[:MAX_LENGTH],
                            error=_("A waybill number has at most %(n)d characters.") % {"n": MAX_LENGTH})
    if not re.fullmatch(r"[A-Z0-9-]+", normalized):
        return WaybillCheck(normalized=normalized,
                            error=_("A waybill number has only letters A–Z, digits and hyphens."))
    s10 = _S10.match(normalized)
    if s10 and s10_check_digit(s10.group(2)) != int(s10.group(3)):
        return WaybillCheck(normalized=normalized, guesses=["EMS"], matches_carrier=carrier_code in (None, "EMS"),
                            error=_("%(number)s is not a valid UPU number: its check digit should be %(digit)d.")
                            % {"number": normalized, "digit": s10_check_digit(s10.group(2))})
    guesses = waybill_guess(normalized)
    code = (carrier_code or "").strip().upper()
    if not code or code not in PATTERNS:
        return WaybillCheck(normalized=normalized, guesses=guesses)
    if any(p.match(normalized) for p in PATTERNS[code]):
        return WaybillCheck(normalized=normalized, guesses=guesses)
    return WaybillCheck(normalized=normalized, guesses=guesses, matches_carrier=False,
                        warning=_("%(number)s does not look like a waybill number of %(carrier)s; check it.")
                        % {"number": normalized, "carrier": code})
