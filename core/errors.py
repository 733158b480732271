"""Error helpers shared by every domain's services."""

from __future__ import annotations

from enum import Enum

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _


def field_error(field: str, message: str, code: str | Enum) -> ValidationError:
    """A ValidationError on one field that keeps its code (a dict of plain strings loses it)."""
    return ValidationError({field: ValidationError(message, code=str(code))})


def job_error_text(exc: BaseException) -> str:
    """What a failed background job shows on its page: the message of a ValidationError (written for
    people), otherwise only the kind of failure; the traceback (SQL, paths) stays in the worker's log."""
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)[:2000]
    return _("The job stopped on an internal error (%(kind)s); the details are in the worker's log.") % {
        "kind": type(exc).__name__}


def error_messages(exc: ValidationError) -> list[str]:
    """Every message of a ValidationError, as text (for a flash message or a job's page)."""
    return [str(m) for m in exc.messages]


def error_messages_by_field(exc: ValidationError, *, form_key: str = "form") -> dict[str, list[str]]:
    """{field: [messages]}; errors of no field (and Django's "__all__") under ``form_key``."""
    if hasattr(exc, "error_dict"):
        return {(field if field and field != NON_FIELD_ERRORS else form_key): [str(m) for e in errors for m in e.messages]
                for field, errors in exc.error_dict.items()}
    return {form_key: [str(m) for m in exc.messages]}


def error_codes(exc: ValidationError) -> list[str]:
    """The codes of every error in a ValidationError, in order (tests assert exact codes with it)."""
    errors = exc.error_list if hasattr(exc, "error_list") else [e for v in exc.error_dict.values() for e in v]
    return [str(e.code) for e in errors]


def error_codes_by_field(exc: ValidationError) -> dict[str, list[str]]:
    """{field: [codes]} of a ValidationError ("__all__" for errors of no field)."""
    if not hasattr(exc, "error_dict"):
        return {"__all__": [str(e.code) for e in exc.error_list]}
    return {field: [str(e.code) for e in errors] for field, errors in exc.error_dict.items()}
