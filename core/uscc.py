"""Unified Social Credit Code (统一社会信用代码), GB 32100-2015.

18 characters from a 31-character alphabet (digits and upper-case letters without I, O, Z, S, V):
  1     registration authority (1-9, or A, N, Y)
  2     organisation type
  3-8   administrative division code (GB/T 2260), six digits
  9-17  organisation code (GB 11714): eight body characters and their own check digit
  18    check character over positions 1-17, weights 3^(i-1) mod 31
"""

from __future__ import annotations

import re
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUE = {c: i for i, c in enumerate(ALPHABET)}
WEIGHTS = [pow(3, i, 31) for i in range(17)]  # 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28
AUTHORITIES = "123456789ANY"
ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]


def uscc_check_char(first17: str) -> str:
    total = sum(VALUE[c] * w for c, w in zip(first17, WEIGHTS))
    return ALPHABET[(31 - total % 31) % 31]


def org_code_check_char(body8: str) -> str:
    """GB 11714 check digit; body characters are digits or letters (A=10 … Z=35)."""
    total = 0
    for c, w in zip(body8, ORG_WEIGHTS):
        v = int(c) if c.isdigit() else ord(c) - 55
        total += v * w
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


# white space, hyphens and dashes people type between the groups, and invisible characters pasted with a code
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212\u200b-\u200d\u2060\ufeff]+")


def normalize_uscc(value: str) -> str:
    """The code as stored: NFKC first (a code typed with a Chinese input method arrives in full-width
    forms, `９１３３０２８２…Ｙ`, with ideographic spaces and `－`), then without separators, upper case.
    Every place that takes a code (forms, imports, searches, the API) goes through this function."""
    value = unicodedata.normalize("NFKC", value or "")
    return _SEPARATORS.sub("", value).upper()


def uscc_errors(value: str) -> list[tuple[str, str]]:
    """All problems with a (normalised) code as (code, message); empty when valid."""
    code = value
    if len(code) != 18:
        return [("length", _("A Unified Social Credit Code has 18 characters; this one has %(n)d.") % {"n": len(code)})]
    bad = sorted({c for c in code if c not in VALUE})
    if bad:
        return [("alphabet", _("Characters not allowed in a Unified Social Credit Code: %(chars)s (I, O, Z, S, V are never used).")
                 % {"chars": " ".join(bad)})]
    if code[0] not in AUTHORITIES:
        return [("authority", _("The first character (registration authority) must be 1-9, A, N or Y."))]
    if not code[1].isdigit() or code[1] == "0":
        return [("type", _("The second character (organisation type) must be a digit 1-9."))]
    if not code[2:8].isdigit():
        return [("division", _("Characters 3-8 must be the six-digit administrative division code."))]
    body = code[8:16]
    if not all(c.isdigit() or ("A" <= c <= "Z") for c in body):
        return [("org_code", _("Characters 9-16 must be the organisation code body."))]
    if org_code_check_char(body) != code[16]:
        return [("org_check", _("The organisation code check digit (character 17) is wrong."))]
    if uscc_check_char(code[:17]) != code[17]:
        return [("check", _("The check character (character 18) is wrong: the code was mistyped."))]
    return []


def validate_uscc(value: str) -> None:
    errors = uscc_errors(normalize_uscc(value))
    if errors:
        code, message = errors[0]
        raise ValidationError(message, code=f"uscc_{code}")


def is_valid_uscc(value: str) -> bool:
    return not uscc_errors(normalize_uscc(value))


def uscc_make(*, authority: str = "9", org_type: str = "1", division: str = "330282", org_body: str) -> str:
    """Build a valid code from its parts (demo data and tests)."""
    first17 = authority + org_type + division + org_body + org_code_check_char(org_body)
    return first17 + uscc_check_char(first17)


class UsccFormField(forms.CharField):
    """A form field for a credit code as people type it (full-width, in groups, lower case): cleaned to the
    stored form by `normalize_uscc` and validated fully; the errors carry the codes `uscc_<rule>`."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 40)  # what may be typed; the cleaned code has 18 characters
        super().__init__(**kwargs)

    def to_python(self, value):
        return normalize_uscc(super().to_python(value))

    def validate(self, value):
        super().validate(value)
        if value in self.empty_values:
            return
        errors = uscc_errors(value)
        if errors:
            code, message = errors[0]
            raise ValidationError(message, code=f"uscc_{code}")
