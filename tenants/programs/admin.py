from django.contrib import admin

from tenants.programs.models import (AdoptionSnapshot, Enrolment, Milestone, MonthlyReport, Programme, Subsidy,
                                     SubsidyPayment, SubsidyReversal)


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "module", "target_kind", "target_count", "target_share_pct", "period_start",
                    "period_end", "budget", "granted_total", "paid_total")
    readonly_fields = ("granted_total", "paid_total", "created_by", "updated_by", "updated_at")
    search_fields = ("code", "name", "name_en")


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ("enterprise", "programme", "status", "adoption_status", "adoption_as_of", "enrolled_on")
    list_filter = ("programme", "status", "adoption_status")
    search_fields = ("enterprise__name",)
    readonly_fields = ("adoption_status", "adoption_reasons", "adoption_as_of")
    inlines = [MilestoneInline]


@admin.register(Subsidy)
class SubsidyAdmin(admin.ModelAdmin):
    """Read-only: grants and payments go through the services, which keep the budget."""

    list_display = ("enrolment", "programme", "amount", "returned_amount", "paid_amount", "status", "granted_on")
    list_filter = ("programme", "status")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SubsidyPayment)
class SubsidyPaymentAdmin(SubsidyAdmin):
    list_display = ("subsidy", "amount", "paid_on", "reference")
    list_filter = ()


@admin.register(SubsidyReversal)
class SubsidyReversalAdmin(SubsidyAdmin):
    list_display = ("subsidy", "kind", "reversed_on", "paid_back", "budget_returned", "reason", "recorded_by")
    list_filter = ("kind",)


@admin.register(AdoptionSnapshot)
class AdoptionSnapshotAdmin(admin.ModelAdmin):
    list_display = ("enterprise", "day", "active_users_30d", "documents_30d_total", "completeness_pct")
    list_filter = ("day",)
    search_fields = ("enterprise__name",)


@admin.register(MonthlyReport)
class MonthlyReportAdmin(admin.ModelAdmin):
    list_display = ("month", "status", "finished_at")
    exclude = ("pdf", "xlsx")
