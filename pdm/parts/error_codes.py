from enum import Enum


class PartsErrorCode(str, Enum):
    FORBIDDEN = "forbidden"  # the user's role may not do this (see the table in pdm.parts.services)
    RULE_TAKEN = "rule_taken"  # another rule has the same prefix and category code
    RULE_INVALID = "rule_invalid"  # a prefix or category code that is not A–Z / 0–9
    RULE_INACTIVE = "rule_inactive"
    NUMBER_REQUIRED = "number_required"  # neither a number nor a rule (nor a rule for the item's category)
    NUMBER_TAKEN = "number_taken"
    ITEM_ALREADY_PART = "item_already_part"
    WRONG_STATE = "wrong_state"  # the transition does not start from the revision's state
    REVISION_FROZEN = "revision_frozen"  # released, superseded or obsolete: never changed again
    REVISION_IN_REVIEW = "revision_in_review"  # in review: return it to work before changing it
    REVISION_LIMIT = "revision_limit"  # past ZZZ
    BASED_ON_OTHER_PART = "based_on_other_part"
    EFFECTIVE_DATE_REQUIRED = "effective_date_required"
    EFFECTIVE_DATE_PAST = "effective_date_past"
    LINE_NOT_FOUND = "line_not_found"
    BOM_OF_REVISION = "bom_of_revision"  # the catalog's BOM pages may not change a part revision's BOM

    def __str__(self) -> str:
        return self.value
