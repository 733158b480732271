"""The error codes of the API token mutations in the schema (TokenErrorCode of api/tokens/error_codes.py)."""

from api.graphql.core.error_codes import error_code_enum, error_type
from api.tokens import error_codes

TokenErrorCode = error_code_enum("TokenErrorCode", error_codes.TokenErrorCode)
TokenError = error_type("TokenError", TokenErrorCode)
