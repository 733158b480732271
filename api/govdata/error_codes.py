from enum import Enum


class GovdataErrorCode(str, Enum):
    FILE_REQUIRED = "file_required"
    FILE_TYPE = "file_type"
    FILE_TOO_LARGE = "file_too_large"
    SYNC_RUNNING = "sync_running"

    def __str__(self) -> str:
        return self.value
