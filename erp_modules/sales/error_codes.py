from enum import Enum


class SalesErrorCode(str, Enum):
    EMPTY = "empty"
    REQUIRED = "required"
    NOT_CUSTOMER = "not_customer"
    ITEM_NOT_FOUND = "item_not_found"
    ITEM_INACTIVE = "item_inactive"
    INVALID_NUMBER = "invalid_number"
    QUANTITY = "invalid_quantity"
    PRICE = "invalid_price"
    PRICE_REQUIRED = "price_required"
    DISCOUNT = "invalid_discount"
    VAT_RATE = "invalid_vat_rate"
    DATE = "invalid_date"
    NO_LOCATION = "no_location"
    KIT_WITHOUT_BOM = "kit_without_bom"
    STATUS = "invalid_status"
    INSUFFICIENT_STOCK = "insufficient_stock"
    OVER_DELIVERY = "over_delivery"
    NOT_RESERVED = "not_reserved"
    PARTIAL_NOT_ALLOWED = "partial_delivery_not_allowed"
    LOT_REQUIRED = "lot_required"
    LOT_NOT_FOUND = "lot_not_found"
    SERIAL_NOT_FOUND = "serial_not_found"
    OVER_INVOICE = "over_invoice"
    NOT_FOUND = "not_found"
    CHECK_IN_PROGRESS = "check_in_progress"
    # a line's revision refused by erp_modules/catalog/revision_source.py (its codes)
    REVISION_NOT_A_PART = "revision_not_a_part"
    REVISION_UNKNOWN = "revision_unknown"
    REVISION_OBSOLETE = "revision_obsolete"
    REVISION_NOT_RELEASED = "revision_not_released"

    def __str__(self) -> str:
        return self.value
