from enum import Enum


class FreightErrorCode(str, Enum):
    WRONG_STATUS = "wrong_status"  # only a draft shipment (not booked, shipped or cancelled) is posted
    ALREADY_POSTED = "already_posted"  # the shipment has a request on the board waiting for quotations
    NO_DESTINATION = "no_destination"  # neither a region nor a province code: no lane to show
    NO_WEIGHT = "no_weight"  # no parcel weighs anything
    NO_FREIGHT_BOARD = "no_freight_board"  # the board or its category is missing (not seeded)
    BILL_FILE = "bill_file"  # no file, not .xlsx/.csv, too large or unreadable
    BILL_INVALID = "bill_invalid"  # rows with problems (unknown waybill, duplicate, bad amount): nothing applied
    BILL_APPLIED = "bill_applied"  # the bill was applied before

    def __str__(self) -> str:
        return self.value
