"""Error helpers shared by every domain's services."""

from __future__ import annotations

from enum import Enum

from django.core.exceptions import ValidationError


def field_error(field: str, message: str, code: str | Enum) -> ValidationError:
    """A ValidationError on one field that keeps its code (a dict of plain strings loses it)."""
    return ValidationError({field: ValidationError(message, code=str(code))})
