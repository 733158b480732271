"""Admin registration of the sales documents (read-mostly: the flow's rules live in the services,
so stock, reservations and quantities are changed through the sales pages, not here)."""

from django.contrib import admin
from django.db import connection
from django_tenants.utils import get_public_schema_name

from core.admin import ReadOnlyInline
from erp_modules.sales.models import (Delivery, DeliveryLine, Invoice, InvoiceLine, Quotation, QuotationLine,
                                      SalesOrder, SalesOrderLine)

LINE_FIELDS = ["sequence", "item", "description", "quantity", "unit_price", "discount_pct", "vat_rate",
               "amount_excl_vat", "vat_amount"]
TOTALS = ["amount_excl_vat", "vat_amount", "amount_incl_vat"]


class EnterpriseSchemaOnly:
    """These tables exist only in enterprise schemas: the platform admin on the public host does not
    list them (it would query tables that are not there); an admin mounted on an enterprise host would."""

    @staticmethod
    def _in_enterprise_schema() -> bool:
        return connection.schema_name != get_public_schema_name()

    def has_module_permission(self, request):
        return self._in_enterprise_schema() and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self._in_enterprise_schema() and super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._in_enterprise_schema() and super().has_change_permission(request, obj)


class QuotationLineInline(ReadOnlyInline):
    model = QuotationLine
    fields = LINE_FIELDS


class SalesOrderLineInline(ReadOnlyInline):
    model = SalesOrderLine
    fields = LINE_FIELDS + ["location", "delivered_qty", "invoiced_qty"]


class DeliveryLineInline(ReadOnlyInline):
    model = DeliveryLine
    fields = ["order_line", "item", "quantity", "location", "lot", "serials"]


class InvoiceLineInline(ReadOnlyInline):
    model = InvoiceLine
    fields = LINE_FIELDS


class DocumentAdmin(EnterpriseSchemaOnly, admin.ModelAdmin):
    search_fields = ["number", "customer__name", "customer__code", "customer_reference"]
    list_select_related = ["customer"]
    readonly_fields = ["number", "customer", "currency", *TOTALS, "created_by", "created_at", "updated_at"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Quotation)
class QuotationAdmin(DocumentAdmin):
    list_display = ["number", "quote_date", "customer", "status", "amount_incl_vat"]
    list_filter = ["status", "quote_date"]
    readonly_fields = DocumentAdmin.readonly_fields + ["status"]
    inlines = [QuotationLineInline]


@admin.register(SalesOrder)
class SalesOrderAdmin(DocumentAdmin):
    list_display = ["number", "order_date", "customer", "delivery_date", "status", "amount_incl_vat"]
    list_filter = ["status", "order_date"]
    readonly_fields = DocumentAdmin.readonly_fields + ["status", "quotation", "confirmed_at"]
    inlines = [SalesOrderLineInline]


@admin.register(Delivery)
class DeliveryAdmin(EnterpriseSchemaOnly, admin.ModelAdmin):
    list_display = ["number", "delivery_date", "order", "customer", "status"]
    list_select_related = ["order", "customer"]
    search_fields = ["number", "order__number", "customer__name"]
    readonly_fields = ["number", "order", "customer", "status", "created_by", "created_at"]
    inlines = [DeliveryLineInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Invoice)
class InvoiceAdmin(DocumentAdmin):
    list_display = ["number", "invoice_date", "customer", "order", "status", "amount_incl_vat", "due_date"]
    list_filter = ["status", "invoice_date"]
    readonly_fields = DocumentAdmin.readonly_fields + ["status", "order", "paid_on"]
    inlines = [InvoiceLineInline]
