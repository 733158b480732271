from enum import Enum


class ShipmentsErrorCode(str, Enum):
    WAYBILL_INVALID = "waybill_invalid"  # control characters, too long, or a UPU number with a wrong check digit
    WAYBILL_TAKEN = "waybill_taken"  # the carrier's waybill number is already on another parcel
    WAYBILL_REQUIRED = "waybill_required"  # booking: every parcel needs its waybill number
    CARRIER_REQUIRED = "carrier_required"
    NO_PARCELS = "no_parcels"
    WRONG_STATUS = "wrong_status"  # the action does not start from the shipment's status
    ALREADY_SHIPPED = "already_shipped"  # the delivery / receipt has a shipment that is not cancelled
    INVALID_VALUE = "invalid_value"  # a negative or impossible amount, weight or dimension
    CONSIGNEE_REQUIRED = "consignee_required"
    DIRECTION_MISMATCH = "direction_mismatch"  # a delivery on an inbound shipment, a receipt on an outbound one
    QUOTE_UNAVAILABLE = "quote_unavailable"  # no contract quotes this destination
    FILE_REQUIRED = "file_required"
    FILE_TYPE = "file_type"
    FILE_TOO_LARGE = "file_too_large"
    FILE_DAMAGED = "file_damaged"
    NOT_FOUND = "not_found"

    def __str__(self) -> str:
        return self.value
