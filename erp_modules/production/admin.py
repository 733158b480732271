"""Read-mostly admin of work orders: every change goes through the services (stock, reservations,
history), so the admin shows them and their rows but does not edit them."""

from django.contrib import admin

from erp_modules.production.models import OperationReport, WorkOrder, WorkOrderComponent, WorkOrderOperation


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class WorkOrderComponentInline(ReadOnlyInline):
    model = WorkOrderComponent
    fields = ["sequence", "line_type", "item", "kit", "scrap_pct", "quantity_required", "quantity_issued",
              "value_issued"]
    readonly_fields = fields


class WorkOrderOperationInline(ReadOnlyInline):
    model = WorkOrderOperation
    fields = ["sequence", "name", "work_center", "planned_minutes", "piece_rate", "cost_per_hour", "quantity_good",
              "quantity_scrap", "minutes", "cost", "pay"]
    readonly_fields = fields


@admin.register(WorkOrder)
class WorkOrderAdmin(admin.ModelAdmin):
    list_display = ["number", "item", "quantity", "quantity_produced", "status", "planned_start", "planned_end",
                    "unit_cost"]
    list_filter = ["status"]
    search_fields = ["number", "item__code", "item__name", "note"]
    date_hierarchy = "created_at"
    inlines = [WorkOrderComponentInline, WorkOrderOperationInline]
    readonly_fields = [f.name for f in WorkOrder._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OperationReport)
class OperationReportAdmin(admin.ModelAdmin):
    list_display = ["work_date", "work_order", "operation", "operator_name", "quantity_good", "quantity_scrap",
                    "minutes", "pay"]
    list_filter = ["work_date"]
    search_fields = ["operator_name", "work_order__number"]
    readonly_fields = [f.name for f in OperationReport._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
