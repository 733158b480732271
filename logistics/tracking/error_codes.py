from enum import Enum


class TrackingErrorCode(str, Enum):
    EVENT_TIME_REQUIRED = "event_time_required"  # an event without an aware time
    EVENT_TIME_FUTURE = "event_time_future"  # more than a day ahead of now
    EVENT_CONTEXT_REQUIRED = "event_context_required"
    EVENT_STATUS_INVALID = "event_status_invalid"  # not a ParcelStatus value
    SOURCE_INVALID = "source_invalid"
    TASK_RESOLVED = "task_resolved"  # the exception task is already resolved
    RESOLUTION_REQUIRED = "resolution_required"
    PARCEL_FINISHED = "parcel_finished"  # delivered or returned: the driver page cannot add to it

    def __str__(self) -> str:
        return self.value
