"""Sales invoices: invoice delivered quantities of an order, mark an invoice paid, cancel it."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from erp_modules.common.services import audit_record, document_number_next
from erp_modules.sales.error_codes import SalesErrorCode
from erp_modules.sales.formatting import money, qty
from erp_modules.sales.models import Invoice, InvoiceLine, SalesOrder, SalesOrderLine
from erp_modules.sales.services._common import (_action_lines, _error, _status_change, _status_error, _user)
from erp_modules.sales.services.lines import _set_amounts, _set_totals


@transaction.atomic
def invoice_create(*, order: SalesOrder, lines: list[dict] | None = None, invoice_date: date | None = None,
                   tax_invoice_number: str = "", note: str = "", user=None) -> Invoice:
    """Invoice delivered quantities of an order, never more than delivered and not yet invoiced.

    lines: [{"order_line": SalesOrderLine or its id, "quantity": Decimal}]; None invoices everything
    delivered and not yet invoiced. Prices, discounts and VAT rates come from the order lines."""
    order = SalesOrder.objects.select_for_update().get(pk=order.pk)
    if order.status not in SalesOrder.INVOICEABLE_STATUSES:
        raise _status_error(order, _("invoiced"))
    order_lines = {line.pk: line for line in order.lines.select_related("item", "item__uom")}
    if lines is None:
        lines = [{"order_line": line, "quantity": line.to_invoice_qty} for line in order_lines.values()
                 if line.to_invoice_qty > 0]
    wanted: list[tuple[SalesOrderLine, Decimal]] = []
    for line, label, quantity, _raw in _action_lines(order_lines, lines, foreign=_(
            "An invoice line does not belong to %(number)s.") % {"number": order.number}):
        if quantity > line.to_invoice_qty:
            raise _error(_("%(where)s: %(wanted)s to invoice but only %(open)s %(uom)s delivered and not yet invoiced.")
                         % {"where": label, "wanted": qty(quantity), "open": qty(line.to_invoice_qty),
                            "uom": line.item.uom}, SalesErrorCode.OVER_INVOICE)
        wanted.append((line, quantity))
    if not wanted:
        raise _error(_("Nothing to invoice: invoice delivered quantities only."), SalesErrorCode.EMPTY)
    invoice_date = invoice_date or timezone.localdate()
    invoice = Invoice(number=document_number_next(code="sales_invoice", prefix="INV-"), order=order,
                      customer=order.customer, currency=order.currency, invoice_date=invoice_date,
                      due_date=invoice_date + timedelta(days=order.customer.payment_terms_days),
                      customer_reference=order.customer_reference, tax_invoice_number=tax_invoice_number.strip(),
                      note=note.strip(), created_by=_user(user))
    invoice.full_clean()
    invoice.save()
    rows = []
    for n, (line, quantity) in enumerate(wanted, start=1):
        row = InvoiceLine(invoice=invoice, order_line=line, sequence=n, item=line.item, description=line.description,
                          quantity=quantity, unit_price=line.unit_price, discount_pct=line.discount_pct,
                          vat_rate=line.vat_rate)
        _set_amounts(row)
        rows.append(row)
        line.invoiced_qty += quantity
        line.save(update_fields=["invoiced_qty"])
    InvoiceLine.objects.bulk_create(rows)
    _set_totals(invoice, rows)
    invoice.save(update_fields=["amount_excl_vat", "vat_amount", "amount_incl_vat"])
    audit_record(obj=invoice, action="create", user=user,
                 message=_("%(order)s: %(n)d lines, total %(total)s")
                 % {"order": order.number, "n": len(rows), "total": money(invoice.amount_incl_vat)})
    audit_record(obj=order, action="update", user=user,
                 message=_("invoiced in %(invoice)s") % {"invoice": invoice.number})
    return invoice


@transaction.atomic
def invoice_mark_paid(*, invoice: Invoice, paid_on: date | None = None, user=None) -> Invoice:
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.status != Invoice.Status.ISSUED:
        raise _status_error(invoice, _("marked as paid"))
    invoice.paid_on = paid_on or timezone.localdate()
    _status_change(invoice, Invoice.Status.PAID, user=user, fields=["paid_on"])
    return invoice


@transaction.atomic
def invoice_cancel(*, invoice: Invoice, user=None, reason: str = "") -> Invoice:
    """Cancel an unpaid invoice; its quantities can be invoiced again."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.status != Invoice.Status.ISSUED:
        raise _status_error(invoice, _("cancelled"))
    SalesOrder.objects.select_for_update().get(pk=invoice.order_id)
    for row in invoice.lines.select_related("order_line"):
        line = row.order_line
        line.invoiced_qty -= row.quantity
        line.save(update_fields=["invoiced_qty"])
    _status_change(invoice, Invoice.Status.CANCELLED, user=user, message=reason.strip())
    return invoice
