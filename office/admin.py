from django import forms
from django.contrib import admin

from core.admin import ReadOnlyAdmin
from office import selectors, services
from office.models import (AdoptionSnapshot, Enrolment, Milestone, MonthlyReport, Programme, ProgrammeChange,
                           Subsidy, SubsidyPayment, SubsidyReversal)


class ProgrammeAdminForm(forms.ModelForm):
    """The services' own checks (reserved or locked code, budget below what is granted) on the
    fields, before save_model hands the change to them."""

    class Meta:
        model = Programme
        fields = list(services.PROGRAMME_FIELDS)

    def clean(self):
        cleaned = super().clean()
        fields = {name: cleaned[name] for name in services.PROGRAMME_FIELDS if name in cleaned}
        if len(fields) == len(services.PROGRAMME_FIELDS):  # else the field errors come first
            services.programme_validate(programme=self.instance if self.instance.pk else None, fields=fields)
        return cleaned


class ProgrammeChangeInline(admin.TabularInline):
    model = ProgrammeChange
    fields = readonly_fields = ("changed_at", "kind", "changed_by_label", "changes")
    extra = 0
    can_delete = False
    ordering = ("-changed_at", "-id")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    """Saves through programme_create / programme_update, so an edit here is in the history too."""

    form = ProgrammeAdminForm
    list_display = ("code", "name", "module", "target_kind", "target_count", "target_share_pct", "period_start",
                    "period_end", "budget", "granted_total", "paid_total")
    readonly_fields = ("granted_total", "paid_total", "created_by", "updated_by", "updated_at")
    search_fields = ("code", "name", "name_en")
    inlines = [ProgrammeChangeInline]

    def has_add_permission(self, request):
        return selectors.office_user(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return selectors.office_user(request.user) and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in services.PROGRAMME_FIELDS}
        if change:
            saved = services.programme_update(programme=obj, actor=request.user, **fields)
        else:
            saved = services.programme_create(actor=request.user, **fields)
        obj.pk = saved.pk
        obj.refresh_from_db()


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
class SubsidyAdmin(ReadOnlyAdmin):
    """Read-only: grants and payments go through the services, which keep the budget."""

    list_display = ("enrolment", "programme", "amount", "returned_amount", "paid_amount", "status", "granted_on")
    list_filter = ("programme", "status")


@admin.register(SubsidyPayment)
class SubsidyPaymentAdmin(SubsidyAdmin):
    list_display = ("subsidy", "amount", "paid_on", "reference")
    list_filter = ()


@admin.register(SubsidyReversal)
class SubsidyReversalAdmin(SubsidyAdmin):
    list_display = ("subsidy", "kind", "reversed_on", "paid_back", "budget_returned", "reason", "recorded_by")
    list_filter = ("kind",)


@admin.register(ProgrammeChange)
class ProgrammeChangeAdmin(SubsidyAdmin):
    """Read-only: the history is appended by the programme services and never changed."""

    list_display = ("programme", "kind", "changed_at", "changed_by_label")
    list_filter = ("kind", "programme")


@admin.register(AdoptionSnapshot)
class AdoptionSnapshotAdmin(admin.ModelAdmin):
    list_display = ("enterprise", "day", "active_users_30d", "documents_30d_total", "completeness_pct")
    list_filter = ("day",)
    search_fields = ("enterprise__name",)


@admin.register(MonthlyReport)
class MonthlyReportAdmin(admin.ModelAdmin):
    list_display = ("month", "status", "finished_at")
    exclude = ("pdf", "xlsx")
