from enum import Enum


class FilesErrorCode(str, Enum):
    REQUIRED = "required"
    TOO_LARGE = "too_large"
    TYPE_NOT_ALLOWED = "type_not_allowed"
    NOT_FOUND = "not_found"

    def __str__(self) -> str:
        return self.value
