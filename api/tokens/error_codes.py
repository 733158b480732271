from enum import Enum


class TokenErrorCode(str, Enum):
    REQUIRED = "required"
    INVALID_SCOPE = "invalid_scope"
    INVALID_DATE = "invalid_date"
    TOO_MANY = "too_many_tokens"
    NOT_FOUND = "not_found"
    ALREADY_REVOKED = "already_revoked"

    def __str__(self) -> str:
        return self.value
