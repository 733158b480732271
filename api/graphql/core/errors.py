"""Errors of the API.

Top-level GraphQL errors carry `extensions.code` (PERMISSION_DENIED, UNAUTHENTICATED,
ENTERPRISE_HOST_REQUIRED, NOT_FOUND, PAGE_SIZE_EXCEEDED, QUERY_TOO_DEEP, QUERY_TOO_COSTLY …).
Mutations return their input problems as typed errors `[{field, message, code}]` instead, `code` being an
enum of the mutation's domain (core/error_codes.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from graphql import GraphQLError


class ApiError(GraphQLError):
    code = "BAD_REQUEST"

    def __init__(self, message: str, code: str | None = None, **kwargs):
        super().__init__(str(message), extensions={"code": code or self.code}, **kwargs)


class PermissionDenied(ApiError):
    code = "PERMISSION_DENIED"


class Unauthenticated(ApiError):
    code = "UNAUTHENTICATED"


class EnterpriseHostRequired(ApiError):
    code = "ENTERPRISE_HOST_REQUIRED"


class NotFound(ApiError):
    code = "NOT_FOUND"


class PageSizeExceeded(ApiError):
    code = "PAGE_SIZE_EXCEEDED"


@dataclass(frozen=True)
class Error:
    """An input problem of a mutation, as its payload's `errors` answer it (`{field, message, code}`: the
    type is the mutation's domain's, e.g. CatalogError with a CatalogErrorCode, see core/error_codes.py)."""

    field: str | None
    message: str
    code: str


def camel(name: str | None) -> str | None:
    if not name or name == NON_FIELD_ERRORS:
        return None
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def errors_from_validation(exc: ValidationError, *, field_map: dict | None = None) -> list[Error]:
    """A Django ValidationError (dict or list) → [Error]; codes are kept ("invalid" when none)."""
    field_map = field_map or {}
    result = []
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            for error in errors:
                for message in error.messages:
                    result.append(Error(field=field_map.get(name, camel(name)), message=message,
                                        code=str(error.code or "invalid")))
    else:
        for error in exc.error_list:
            for message in error.messages:
                result.append(Error(field=None, message=message, code=str(error.code or "invalid")))
    return result
