"""The error codes of the board mutations in the schema (ecommerce/error_codes.py; "boards" is the word
users see, so the enum keeps it)."""

from api.graphql.core.error_codes import error_code_enum, error_type
from ecommerce import error_codes

BoardsErrorCode = error_code_enum("BoardsErrorCode", error_codes.BoardsErrorCode)
BoardsError = error_type("BoardsError", BoardsErrorCode)
