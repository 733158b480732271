from django.contrib import admin

from api.govdata.models import CreditEvent, CreditRating, RegistryRecord, SyncRun
from core.admin import ReadOnlyAdmin


# Government records change only through a sync (each change is a new version): read-only here.
@admin.register(RegistryRecord)
class RegistryRecordAdmin(ReadOnlyAdmin):
    list_display = ("uscc", "name", "status_raw", "version", "is_current", "channel", "fetched_at")
    list_filter = ("status", "is_current", "channel")
    search_fields = ("uscc", "name")


@admin.register(CreditEvent)
class CreditEventAdmin(ReadOnlyAdmin):
    list_display = ("uscc", "kind", "document_no", "listed_on", "removed_on", "version", "is_current")
    list_filter = ("kind", "severity", "is_current")
    search_fields = ("uscc", "document_no", "entity_name")


@admin.register(CreditRating)
class CreditRatingAdmin(ReadOnlyAdmin):
    list_display = ("uscc", "scheme", "year", "grade", "score", "version", "is_current")
    list_filter = ("scheme", "is_current")
    search_fields = ("uscc",)


@admin.register(SyncRun)
class SyncRunAdmin(ReadOnlyAdmin):
    list_display = ("id", "kind", "channel", "status", "new_count", "changed_count", "unchanged_count",
                    "rejected_count", "created_at")
    list_filter = ("kind", "channel", "status")

