from enum import Enum


class SharingErrorCode(str, Enum):
    REQUIRED = "required"
    INVALID = "invalid"
    NOT_FOUND = "not_found"
    PARTNER_NOT_FOUND = "partner_not_found"
    PARTNER_AMBIGUOUS = "partner_ambiguous"
    PARTNER_SELF = "partner_self"
    ALREADY_SHARED = "already_shared"
    ALREADY_REVOKED = "already_revoked"
    READ_ONLY = "read_only"
    UPLOAD_NOT_FOR_REVISION = "upload_not_for_revision"
    NOT_ALLOWED = "not_allowed"

    def __str__(self) -> str:
        return self.value
