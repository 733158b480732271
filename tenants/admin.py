from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.uscc import UsccFormField, is_valid_uscc, normalize_uscc
from tenants import services
from tenants.models import Domain, Enterprise, Invitation, Membership, SpareSchema, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "platform_role", "is_active", "last_login"]
    list_filter = ["platform_role", "is_active", "is_staff"]
    search_fields = ["email", "full_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("full_name", "phone", "language")}),
        (_("Platform"), {"fields": ("platform_role", "is_active", "is_staff", "is_superuser")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),)

    def has_delete_permission(self, request, obj=None):
        # Rows in every enterprise's schema point at users (uploaded by, created by …), and a delete in the
        # public schema cannot reach them (it failed with a database error): a person leaves by being
        # made inactive.
        return False


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]
    readonly_fields = ["created_at", "last_seen_at"]


ENTERPRISE_ADD_FIELDS = ["name", "short_name", "slug", "uscc", "industry", "sales_band", "address", "town",
                         "contact_name", "contact_phone", "contact_email", "modules"]


class EnterpriseAddForm(forms.ModelForm):
    owner = forms.ModelChoiceField(queryset=User.objects.all(), label=_("Owner"))
    uscc = UsccFormField(label=_("Unified Social Credit Code"))  # as typed: full-width, in groups

    class Meta:
        model = Enterprise
        fields = ENTERPRISE_ADD_FIELDS

    def _post_clean(self):
        # Validation is the provisioning service's (same messages and codes as the sign-up page).
        probe = Enterprise(**{f: self.cleaned_data.get(f) for f in ENTERPRISE_ADD_FIELDS if f in self.cleaned_data})
        probe.uscc = normalize_uscc(probe.uscc or "")
        probe.slug = (probe.slug or "").strip().lower()
        try:
            services.enterprise_validate(probe)
        except ValidationError as exc:
            for field, errors in exc.error_dict.items():
                if field in self.fields and field not in self.errors:
                    self.add_error(field, errors)


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "uscc", "industry", "sales_band", "status", "created_at"]
    list_filter = ["status", "industry", "sales_band"]
    search_fields = ["name", "short_name", "slug", "uscc"]
    readonly_fields = ["schema_name", "created_at", "updated_at"]
    inlines = [DomainInline, MembershipInline]

    def get_search_results(self, request, queryset, search_term):
        code = normalize_uscc(search_term)
        if code != search_term.strip() and is_valid_uscc(code):  # a code typed full-width or in groups
            search_term = code
        return super().get_search_results(request, queryset, search_term)

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = EnterpriseAddForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ENTERPRISE_ADD_FIELDS + ["owner"]
        return super().get_fields(request, obj)

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        data = {f: form.cleaned_data.get(f) for f in ENTERPRISE_ADD_FIELDS}
        try:
            enterprise = services.enterprise_provision(owner=form.cleaned_data["owner"], **data)
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
            raise
        obj.pk = enterprise.pk
        obj.schema_name = enterprise.schema_name

    def delete_model(self, request, obj):
        services.enterprise_delete(enterprise=obj)

    def delete_queryset(self, request, queryset):
        for enterprise in queryset:
            services.enterprise_delete(enterprise=enterprise)


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "enterprise", "role", "created_at", "expires_at", "accepted_at", "revoked_at"]
    list_filter = ["role"]
    search_fields = ["email", "enterprise__name"]
    readonly_fields = ["token"]


@admin.register(SpareSchema)
class SpareSchemaAdmin(admin.ModelAdmin):
    list_display = ["schema_name", "fingerprint", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
