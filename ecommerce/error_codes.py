from enum import Enum


class BoardsErrorCode(str, Enum):
    NOT_MEMBER = "not_member"
    ROLE_TOO_LOW = "role_too_low"
    NOT_OFFICE = "not_office"
    TOKEN_SCOPE = "token_scope"
    ENTERPRISE_INACTIVE = "enterprise_inactive"
    RATE_LIMITED = "rate_limited"
    WRONG_STATUS = "wrong_status"
    CATEGORY_BOARD = "category_not_in_board"
    PRICE_RANGE = "price_range"
    QUANTITY = "invalid_quantity"
    VALIDITY = "invalid_validity"
    RFQ_DEMAND_ONLY = "rfq_demand_only"
    RFQ_DEADLINE = "rfq_deadline"
    NOT_RFQ = "not_rfq"
    RFQ_CLOSED = "rfq_closed"
    OWN_LISTING = "own_listing"
    QUOTATION_EXPIRED = "quotation_expired"
    ALREADY_ACCEPTED = "already_accepted"
    ALREADY_WITHDRAWN = "already_withdrawn"
    ATTRIBUTES = "invalid_attributes"
    ERP_ITEM = "erp_item_not_found"
    ERP_ITEM_SUPPLY_ONLY = "erp_item_supply_only"
    ERP_SOURCE = "erp_source_not_found"  # an RFQ from the ERP: no such proposal/shortage/item (for that item)
    NEED_DATE = "need_date"
    FILE_REQUIRED = "required"
    FILE_TOO_LARGE = "too_large"
    FILE_TYPE = "type_not_allowed"
    FILE_DAMAGED = "file_damaged"  # the right type, but it does not decode (truncated, corrupt data)
    TOO_MANY_IMAGES = "too_many_images"
    EMPTY_MESSAGE = "empty_message"
    REASON_REQUIRED = "reason_required"
    HIDDEN = "hidden"

    def __str__(self) -> str:
        return self.value
