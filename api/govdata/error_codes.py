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


class GovdataErrorCode(str, Enum):
    FILE_REQUIRED = "file_required"
    FILE_TYPE = "file_type"
    FILE_TOO_LARGE = "file_too_large"
    SYNC_RUNNING = "sync_running"

    def __str__(self) -> str:
        return self.value
