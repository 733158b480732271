from enum import Enum


class MrpErrorCode(str, Enum):
    RUN_IN_PROGRESS = "run_in_progress"
    BUCKET = "invalid_bucket"
    NOT_LATEST_RUN = "not_latest_run"
    NOTHING_SELECTED = "nothing_selected"
    ALREADY_CONVERTED = "already_converted"
    NO_SUPPLIER = "no_supplier"
    NO_BOM = "no_bom"
    ITEM = "invalid_item"
    QUANTITY = "invalid_quantity"
    WEEK = "invalid_week"

    def __str__(self) -> str:
        return self.value
