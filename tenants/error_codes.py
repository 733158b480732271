from enum import Enum


class TenantsErrorCode(str, Enum):
    USCC_TAKEN = "uscc_taken"
    SLUG_TAKEN = "slug_taken"
    SLUG_RESERVED = "slug_reserved"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    ROLE_INVALID = "role_invalid"
    EMAIL_INVALID = "email_invalid"
    EMAIL_TAKEN = "email_taken"
    ALREADY_MEMBER = "already_member"
    LAST_OWNER = "last_owner"
    INVITATION_INVALID = "invitation_invalid"
    INVITATION_OTHER_EMAIL = "invitation_other_email"
    HANDOFF_EXPIRED = "handoff_expired"
    HANDOFF_INVALID = "handoff_invalid"
    HANDOFF_USED = "handoff_used"
    SEAT_LIMIT = "seat_limit"  # the plan's seat limit (tenants.entitlements.seat_limit_check)

    def __str__(self) -> str:
        return self.value
