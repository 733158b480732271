from enum import Enum


class PurchasingErrorCode(str, Enum):
    NOT_SUPPLIER = "not_supplier"
    NO_LINES = "no_lines"
    ITEM_REQUIRED = "item_required"
    ITEM_INACTIVE = "item_inactive"
    KIT_NOT_PURCHASABLE = "kit_not_purchasable"
    QUANTITY = "invalid_quantity"
    PRICE = "invalid_price"
    VAT_RATE = "invalid_vat_rate"
    DATE = "invalid_date"
    NO_LOCATION = "no_location"
    WRONG_STATUS = "wrong_status"
    UNKNOWN_LINE = "unknown_line"
    NOTHING_TO_RECEIVE = "nothing_to_receive"
    OVER_RECEIPT = "over_receipt"
    LOT_REQUIRED = "lot_required"
    SERIAL_COUNT = "serial_count"
    SERIAL_TAKEN = "serial_taken"
    HAS_RECEIPTS = "has_receipts"
    NOTHING_TO_INVOICE = "nothing_to_invoice"
    OVER_INVOICE = "over_invoice"
    INVOICE_NUMBER_REQUIRED = "invoice_number_required"
    INVOICE_NUMBER_TAKEN = "invoice_number_taken"
    # a line's revision refused by erp_modules/catalog/revision_source.py (its codes)
    REVISION_NOT_A_PART = "revision_not_a_part"
    REVISION_UNKNOWN = "revision_unknown"
    REVISION_OBSOLETE = "revision_obsolete"
    REVISION_NOT_RELEASED = "revision_not_released"

    def __str__(self) -> str:
        return self.value
