"""Error helpers shared by every domain's services."""

from __future__ import annotations

from enum import Enum

from django.core.exceptions import ValidationError


def field_error(field: str, message: str, code: str | Enum) -> ValidationError:
    """A ValidationError on one field that keeps its code (a dict of plain strings loses it)."""
    return ValidationError({field: ValidationError(message, code=str(code))})


def job_error_text(exc: BaseException) -> str:
    """What a failed background job shows on its page: the message of a ValidationError (written for
    people), otherwise only the kind of failure; the traceback (SQL, paths) stays in the worker's log."""
    from django.utils.translation import gettext as _

    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)[:2000]
    return _("The job stopped on an internal error (%(kind)s); the details are in the worker's log.") % {
        "kind": type(exc).__name__}
