"""Read-mostly admin: documents are written by the services (numbering, stock, audit), so the admin
shows them and lets a support person fix a note, never quantities or statuses."""

from django.contrib import admin

from erp_modules.purchasing.models import (PurchaseOrder, PurchaseOrderLine, Receipt, ReceiptLine, SupplierInvoice,
                                           SupplierInvoiceLine)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class PurchaseOrderLineInline(ReadOnlyInline):
    model = PurchaseOrderLine
    fields = ["line_no", "item", "description", "quantity", "uom", "unit_price", "vat_rate", "net_amount",
              "vat_amount", "received_quantity", "invoiced_quantity", "expected_date"]
    readonly_fields = fields


@admin.register(PurchaseOrder)
class PurchaseOrderAdmin(admin.ModelAdmin):
    list_display = ["number", "supplier", "order_date", "expected_date", "status", "amount_total", "currency"]
    list_filter = ["status"]
    search_fields = ["number", "supplier__name", "supplier__code"]
    date_hierarchy = "order_date"
    readonly_fields = ["number", "supplier", "order_date", "expected_date", "location", "currency", "status",
                       "amount_net", "amount_vat", "amount_total", "created_by", "approved_by", "approved_at"]
    fields = readonly_fields + ["note"]
    inlines = [PurchaseOrderLineInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReceiptLineInline(ReadOnlyInline):
    model = ReceiptLine
    fields = ["order_line", "item", "quantity", "unit_cost", "lot", "serial_numbers", "stocked"]
    readonly_fields = fields


@admin.register(Receipt)
class ReceiptAdmin(admin.ModelAdmin):
    list_display = ["number", "order", "posted_at", "location"]
    search_fields = ["number", "order__number"]
    readonly_fields = ["number", "order", "location", "posted_at", "user"]
    fields = readonly_fields + ["note"]
    inlines = [ReceiptLineInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SupplierInvoiceLineInline(ReadOnlyInline):
    model = SupplierInvoiceLine
    fields = ["order_line", "quantity", "unit_price", "vat_rate", "net_amount", "vat_amount"]
    readonly_fields = fields


@admin.register(SupplierInvoice)
class SupplierInvoiceAdmin(admin.ModelAdmin):
    list_display = ["number", "invoice_number", "supplier", "invoice_date", "order", "amount_total"]
    search_fields = ["number", "invoice_number", "supplier__name", "order__number"]
    readonly_fields = ["number", "invoice_number", "invoice_date", "order", "supplier", "currency", "amount_net",
                       "amount_vat", "amount_total", "created_by"]
    fields = readonly_fields + ["note"]
    inlines = [SupplierInvoiceLineInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
