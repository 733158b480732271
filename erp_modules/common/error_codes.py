from enum import Enum


class CommonErrorCode(str, Enum):
    CURRENCY = "invalid_currency"
    TOO_LONG = "too_long"
    VAT_RATE = "invalid_vat_rate"
    TOLERANCE = "invalid_tolerance"
    PARTIAL_DELIVERY = "invalid_partial_delivery"

    def __str__(self) -> str:
        return self.value
