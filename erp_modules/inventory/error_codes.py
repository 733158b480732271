from enum import Enum


class InventoryErrorCode(str, Enum):
    EMPTY = "empty"
    QUANTITY = "invalid_quantity"
    COST = "invalid_cost"
    NOT_STOCKED = "not_stocked"
    LOCATION_INACTIVE = "location_inactive"
    LOT_REQUIRED = "lot_required"
    LOT_MISMATCH = "lot_mismatch"
    INSUFFICIENT_STOCK = "insufficient_stock"
    SAME_LOCATION = "same_location"
    ALREADY_CORRECTED = "already_corrected"
    ALREADY_POSTED = "already_posted"
    PERIOD_CLOSED = "period_closed"
    AMOUNT = "invalid_amount"

    def __str__(self) -> str:
        return self.value
