from enum import Enum


class FreightErrorCode(str, Enum):
    WRONG_STATUS = "wrong_status"  # only a draft shipment (not booked, shipped or cancelled) is posted
    ALREADY_POSTED = "already_posted"  # the shipment has a request on the board waiting for quotations
    NO_DESTINATION = "no_destination"  # neither a region nor a province code: no lane to show
    NO_WEIGHT = "no_weight"  # no parcel weighs anything
    NO_FREIGHT_BOARD = "no_freight_board"  # the board or its category is missing (not seeded)

    def __str__(self) -> str:
        return self.value
