from enum import Enum


class ProgramsErrorCode(str, Enum):
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

    def __str__(self) -> str:
        return self.value
