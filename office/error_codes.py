from enum import Enum


class OfficeErrorCode(str, Enum):
    BUDGET_EXCEEDED = "budget_exceeded"
    GRANT_EXCEEDED = "grant_exceeded"
    AMOUNT_INVALID = "amount_invalid"
    NOT_ENROLLED = "not_enrolled"
    NOT_ELIGIBLE = "not_eligible"
    ALREADY_ENROLLED = "already_enrolled"
    ALREADY_APPLIED = "already_applied"
    NOT_APPLIED = "not_applied"
    PROGRAMME_CLOSED = "programme_closed"
    ENTERPRISE_INACTIVE = "enterprise_inactive"
    FORBIDDEN = "forbidden"
    CRITERIA_INVALID = "criteria_invalid"
    DATES_INVALID = "dates_invalid"
    WRONG_SCHEMA = "wrong_schema"
    CODE_TAKEN = "code_taken"
    CODE_LOCKED = "code_locked"
    BUDGET_BELOW_GRANTED = "budget_below_granted"
    TARGET_MISSING = "target_missing"  # raised by Programme.clean
    TARGET_INVALID = "target_invalid"  # raised by Programme.clean
    REASON_REQUIRED = "reason_required"
    SUBSIDY_CANCELLED = "subsidy_cancelled"
    NOTHING_TO_CANCEL = "nothing_to_cancel"
    NOTHING_TO_REVERSE = "nothing_to_reverse"
    REVERSAL_EXCEEDED = "reversal_exceeded"

    def __str__(self) -> str:
        return self.value
