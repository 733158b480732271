from enum import Enum


class VaultErrorCode(str, Enum):
    REQUIRED = "required"
    TOO_LARGE = "too_large"
    TYPE_NOT_ALLOWED = "type_not_allowed"
    NUMBER_TAKEN = "number_taken"
    INVALID = "invalid"
    CHECKED_OUT = "checked_out"
    NOT_CHECKED_OUT = "not_checked_out"
    NOT_HOLDER = "not_holder"
    FROZEN = "frozen"
    REVISION_FROZEN = "revision_frozen"
    ALREADY_LINKED = "already_linked"
    BOM_LINE_MISMATCH = "bom_line_mismatch"
    NOT_FOUND = "not_found"
    PREVIEW_BUSY = "preview_busy"

    def __str__(self) -> str:
        return self.value
