from enum import Enum


class EcoErrorCode(str, Enum):
    REQUIRED = "required"
    NO_PARTS = "no_parts"
    NOT_RELEASED = "not_released"
    DUPLICATE_PART = "duplicate_part"
    PART_IN_OPEN_ECO = "part_in_open_eco"
    NO_STAGES = "no_stages"
    EFFECTIVE_DATE_PAST = "effective_date_past"
    WRONG_STATE = "wrong_state"
    NOT_APPROVER = "not_approver"
    COMMENT_REQUIRED = "comment_required"
    APPROVALS_MISSING = "approvals_missing"
    FINAL_STAGE = "final_stage"
    APPLY_NOT_ALLOWED = "apply_not_allowed"
    CONFLICT = "conflict"
    NO_BOM = "no_bom"
    CODE_TAKEN = "code_taken"
    SEQUENCE_TAKEN = "sequence_taken"
    APPROVER_OR_ROLE = "approver_or_role"
    NOT_MEMBER = "not_member"
    NOT_FOUND = "not_found"
    NOTHING_TO_REBASE = "nothing_to_rebase"
    NOT_EDITOR = "not_editor"
    NO_CHANGE = "no_change"
    EFFECTIVE_DATE_REACHED = "effective_date_reached"
    EFFECTIVE_DATE_ORDER = "effective_date_order"
    NOT_AFFECTED = "not_affected"

    def __str__(self) -> str:
        return self.value
