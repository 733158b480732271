"""Read-mostly admin: listings are written by the services (search index, rate limit, notifications);
the office moderates on the boards' own pages."""

from django.contrib import admin

from ecommerce.models import Board, Category, EnterpriseCard, Listing, Quotation


@admin.register(Board)
class BoardAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "sort_order"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "board", "parent", "industry_codes"]
    list_filter = ["board"]


@admin.register(EnterpriseCard)
class EnterpriseCardAdmin(admin.ModelAdmin):
    list_display = ["enterprise", "established_year", "credit_verified", "credit_level", "share_stock"]
    list_filter = ["credit_verified"]
    search_fields = ["enterprise__name"]


@admin.register(Listing)
class ListingAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "enterprise", "board", "status", "featured", "hidden_at", "created_at"]
    list_filter = ["kind", "status", "board", "featured"]
    search_fields = ["title", "enterprise__name"]
    readonly_fields = [f.name for f in Listing._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Quotation)
class QuotationAdmin(admin.ModelAdmin):
    list_display = ["listing", "enterprise", "unit_price", "quantity", "status", "created_at"]
    list_filter = ["status"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
