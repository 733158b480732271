from enum import Enum


class CarriersErrorCode(str, Enum):
    CODE_INVALID = "code_invalid"  # a carrier code that is not A–Z / 0–9 / - / _
    CODE_TAKEN = "code_taken"  # another carrier has this code
    CARRIER_INACTIVE = "carrier_inactive"  # a new contract with a carrier that is not active
    DATES_REVERSED = "dates_reversed"  # valid_to before valid_from
    VALUE_INVALID = "value_invalid"  # a number out of its range (divisor, percentages, prices, weights)
    ZONE_NAME_TAKEN = "zone_name_taken"  # another zone of the contract has this name
    REGION_REQUIRED = "region_required"  # a zone without any region
    REGION_UNKNOWN = "region_unknown"  # not a GB/T 2260 code of a province or a city
    REGION_TAKEN = "region_taken"  # the region is in another zone of the same contract
    ZONE_OTHER_CONTRACT = "zone_other_contract"  # the zone does not belong to the contract given
    ADDRESS_UNPARSED = "address_unparsed"  # no province and city could be found in an address

    def __str__(self) -> str:
        return self.value
