"""Error codes of the mutations as GraphQL enums, one per domain (after Saleor's `ProductErrorCode` …).

Each domain keeps its codes in `<domain>/error_codes.py` (a str Enum, e.g. `CatalogErrorCode`); its
GraphQL package turns that into an enum of the schema with `error_code_enum`, and into the type of its
mutations' errors with `error_type`:

    CatalogErrorCode = error_code_enum("CatalogErrorCode", catalog_codes.CatalogErrorCode)
    CatalogError = error_type("CatalogError", CatalogErrorCode)

    class ItemCreate(BaseMutation):
        class Meta:
            error_type = CatalogError

The enum's values are named by the codes themselves (`code_taken`, `insufficient_stock`): what goes on the
wire is the same snake_case string as when `code` was a plain String. Besides the domain's codes, every enum
holds the codes any input can get: Django's validators and model fields (`required`, `invalid`,
`max_length`, `unique` …), `not_found` (an ID or code that names nothing) and those of core.parsing.
"""

from __future__ import annotations

import logging
from enum import Enum

import graphene

from core.parsing import ParseErrorCode

logger = logging.getLogger(__name__)

# What Django's model fields, validators and forms raise (django/db/models/fields, django/core/validators),
# the codes this API gives itself and those of core.parsing. "invalid" is also the code of an error without one.
GENERIC_CODES: tuple[str, ...] = (
    "invalid", "required", "not_found",
    "blank", "invalid_choice", "unique", "unique_together", "unique_for_date",
    "max_length", "min_length", "max_value", "min_value", "step_size",
    "max_digits", "max_decimal_places", "max_whole_digits",
    "invalid_date", "invalid_datetime", "invalid_time", "invalid_nullable", "invalid_extension",
    "limit_value", "null_characters_not_allowed",
    *(code.value for code in ParseErrorCode),
)

FALLBACK_CODE = "invalid"
# GraphQL cannot name an enum value `null` (nor `true`, `false`): Django's "null" (a field that cannot be
# null) is answered as the code that means the same to a caller.
RENAMED_CODES = {"null": "required"}


def error_code_enum(name: str, *domain_codes: type[Enum], description: str = "") -> type[graphene.Enum]:
    """A GraphQL enum of the codes of `domain_codes` (str Enums) and GENERIC_CODES, each value named by
    its code (so it answers exactly the string a service raised)."""
    codes = dict.fromkeys([*(member.value for enum in domain_codes for member in enum), *GENERIC_CODES])
    values = Enum(name, [(code, code) for code in codes])
    return graphene.Enum.from_enum(values, name=name, description=description or (
        f"The codes of the mutation errors of this domain (the values of {name} in its error_codes.py) and the "
        "generic ones (required, invalid, not_found, max_length …): stable, snake_case, for programs."))


def error_type(name: str, code_enum: type[graphene.Enum], description: str = "") -> type[graphene.ObjectType]:
    """The type of a domain's mutation errors: `{field, message, code}` with `code` of `code_enum`."""
    return type(name, (graphene.ObjectType,), {
        "code_enum": code_enum,
        "Meta": type("Meta", (), {"description": description or f"An input problem of a mutation ({code_enum._meta.name})."}),
        "field": graphene.String(description="The input field (camelCase), or null when the error is about the "
                                             "whole input."),
        "message": graphene.String(required=True, description="For people; in the caller's language."),
        "code": code_enum(required=True, description="For programs: stable, snake_case (e.g. code_taken, "
                                                     "insufficient_stock, required, not_found, invalid)."),
    })


def code_in(code_enum: type[graphene.Enum], code: str) -> str:
    """`code` when `code_enum` has it (RENAMED_CODES applied); else FALLBACK_CODE (logged: the domain's
    enum misses a code)."""
    code = RENAMED_CODES.get(code, code)
    if code in code_enum._meta.enum.__members__:
        return code
    logger.error("error code %r is not in %s: answered as %r", code, code_enum._meta.name, FALLBACK_CODE)
    return FALLBACK_CODE
