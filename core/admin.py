from django.contrib import admin

from core.models import RateCounter


@admin.register(RateCounter)
class RateCounterAdmin(admin.ModelAdmin):
    """Read-only view of throttled actions; deleting a row lifts that throttle at once."""

    list_display = ["scope", "key", "window_start", "hits"]
    list_filter = ["scope"]
    search_fields = ["key"]
    ordering = ["-window_start"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    """An inline that shows a document's lines in the admin and lets nobody add, change or delete them
    (they are written by the domain's services only)."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """A model the admin shows but where nobody adds, changes or deletes a row: its rows are written by
    the domain's services only (which keep the rules: budgets, versions, hashes)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
