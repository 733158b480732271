from enum import Enum


class ProductionErrorCode(str, Enum):
    ITEM_NOT_PRODUCIBLE = "item_not_producible"
    NO_BOM = "no_bom"
    BOM_MISMATCH = "bom_mismatch"
    ROUTING_MISMATCH = "routing_mismatch"
    QUANTITY = "invalid_quantity"
    DATES = "invalid_dates"
    STATUS = "invalid_status"
    INSUFFICIENT_STOCK = "insufficient_stock"
    NOTHING_TO_ISSUE = "nothing_to_issue"
    NOT_A_COMPONENT = "not_a_component"
    OVER_ISSUE = "over_issue"
    LOT_REQUIRED = "lot_required"
    LOT_NOT_FOUND = "lot_not_found"
    SERIAL_REQUIRED = "serial_required"
    SERIAL_NOT_FOUND = "serial_not_found"
    OPERATION_MISMATCH = "operation_mismatch"
    OPERATOR_REQUIRED = "operator_required"
    NOTHING_REPORTED = "nothing_reported"
    EXCEEDS_PREVIOUS_OPERATION = "exceeds_previous_operation"
    OVER_PRODUCTION = "over_production"
    NOTHING_TO_COMPLETE = "nothing_to_complete"
    SERIALS = "invalid_serials"
    ALREADY_ISSUED = "already_issued"
    KIT_WITHOUT_BOM = "kit_without_bom"
    # a line's revision refused by erp_modules/catalog/revision_source.py (its codes)
    REVISION_NOT_A_PART = "revision_not_a_part"
    REVISION_UNKNOWN = "revision_unknown"
    REVISION_OBSOLETE = "revision_obsolete"
    REVISION_NOT_RELEASED = "revision_not_released"
    WORKER_CODE_TAKEN = "worker_code_taken"
    WORKER_INACTIVE = "worker_inactive"

    def __str__(self) -> str:
        return self.value
