from django.contrib import admin

from api.govdata.models import ApiToken, CreditEvent, CreditRating, RegistryRecord, SyncRun


class ReadOnlyAdmin(admin.ModelAdmin):
    """Government records change only through a sync (each change is a new version)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ("name", "enterprise", "prefix", "scopes", "created_at", "last_used_at", "revoked_at")
    exclude = ("token_hash",)
