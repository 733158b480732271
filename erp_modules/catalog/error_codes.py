from enum import Enum


class CatalogErrorCode(str, Enum):
    CODE_TAKEN = "code_taken"
    HAS_STOCK = "has_stock"
    NO_CONVERSION = "no_conversion"
    NO_BOM_FOR_TYPE = "no_bom_for_type"
    BOM_LOCKED = "bom_locked"
    BOM_EMPTY = "bom_empty"
    BOM_CYCLE = "bom_cycle"
    INVALID_LINE = "invalid_line"

    def __str__(self) -> str:
        return self.value
