"""Supplier invoices against an order: per order line, all invoices together bill at most what has been
received; the price and VAT rate default to the order line's."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from erp_modules.common.services import audit_record, document_number_next, model_changes
from erp_modules.purchasing.error_codes import PurchasingErrorCode as Code
from erp_modules.purchasing.models import (ZERO, PurchaseOrder, PurchaseOrderLine, SupplierInvoice, SupplierInvoiceLine,
                                           line_amounts, money_round)
from erp_modules.purchasing.services._common import (HUNDRED, _amount_fits, _decimal, _Errors, _line_quantity,
                                                     _line_ref, _lock, _places, _user, _where, _wrong_status, fmt_qty)


def _check_invoice_number(order: PurchaseOrder, invoice_number: str, errors: _Errors) -> None:
    if not invoice_number:
        errors.add("invoice_number", _("Give the supplier's invoice number."), Code.INVOICE_NUMBER_REQUIRED)
    elif SupplierInvoice.objects.filter(supplier=order.supplier, invoice_number__iexact=invoice_number).exists():
        errors.add("invoice_number", _("Invoice %(no)s of %(supplier)s is already recorded.")
                   % {"no": invoice_number, "supplier": order.supplier}, Code.INVOICE_NUMBER_TAKEN)


def _invoice_line(data: dict, line: PurchaseOrderLine, errors: _Errors) -> SupplierInvoiceLine | None:
    """One invoice line, its amounts computed; None when blank or 0, or when it is wrong (noted)."""
    key, where = f"line_{line.line_no}", _where(line.line_no, line.item)
    quantity = _line_quantity(data.get("quantity"), key, where, errors)
    if quantity is None:
        return None
    raw_price = data.get("unit_price")
    price = line.unit_price if raw_price is None or raw_price == "" else _decimal(raw_price)
    if price is None or price < 0 or _places(price) > 4:
        errors.add(key, _("%(where)s: give a unit price of zero or more (at most 4 decimals).")
                   % {"where": where}, Code.PRICE)
        return None
    raw_vat = data.get("vat_rate")
    vat_rate = line.vat_rate if raw_vat is None or raw_vat == "" else _decimal(raw_vat)
    if vat_rate is None or not (ZERO <= vat_rate <= HUNDRED) or _places(vat_rate) > 2:
        errors.add(key, _("%(where)s: the VAT rate must be between 0 and 100 %%.") % {"where": where},
                   Code.VAT_RATE)
        return None
    if not _amount_fits(quantity, price):
        errors.add(key, _("%(where)s: the amount of the line is too large.") % {"where": where}, Code.PRICE)
        return None
    net, vat = line_amounts(quantity, price, vat_rate)
    return SupplierInvoiceLine(order_line=line, quantity=quantity, unit_price=price, vat_rate=vat_rate,
                               net_amount=net, vat_amount=vat)


def _check_over_invoice(po_lines: dict[int, PurchaseOrderLine], totals: dict[int, Decimal], errors: _Errors) -> None:
    for line_id, quantity in totals.items():
        line = po_lines[line_id]
        if line.invoiced_quantity + quantity > line.received_quantity:
            errors.add(f"line_{line.line_no}", _(
                "%(where)s: invoicing %(q)s %(uom)s would bring the invoiced quantity to %(total)s, but only "
                "%(received)s have been received (already invoiced %(invoiced)s). Post the receipt first.") % {
                "where": _where(line.line_no, line.item), "q": fmt_qty(quantity), "uom": line.item.uom,
                "total": fmt_qty(line.invoiced_quantity + quantity), "received": fmt_qty(line.received_quantity),
                "invoiced": fmt_qty(line.invoiced_quantity)}, Code.OVER_INVOICE)


@transaction.atomic
def supplier_invoice_create(*, order: PurchaseOrder, invoice_number: str, lines: list[dict], invoice_date=None,
                            note: str = "", user=None) -> SupplierInvoice:
    """Record the supplier's invoice against an approved (or later) order. `lines`: dicts with
    line (PurchaseOrderLine or id), quantity (0/blank skipped), optional unit_price and vat_rate
    (default: the order line's). Per PO line, all invoices together may bill at most the
    quantity received so far (see the package docstring)."""
    order = _lock(order)
    if not order.can_invoice:
        raise _wrong_status(order, _("invoiced"))
    errors = _Errors()
    invoice_number = (invoice_number or "").strip()
    _check_invoice_number(order, invoice_number, errors)
    invoice_date = invoice_date or timezone.localdate()
    po_lines = {line.pk: line for line in
                order.lines.select_for_update().select_related("item", "item__uom").order_by("line_no")}
    todo: list[SupplierInvoiceLine] = []
    totals: dict[int, Decimal] = {}
    for data in lines:
        line = po_lines.get(_line_ref(data))
        if line is None:
            errors.add(None, _("A line is not on order %(number)s.") % {"number": order.number}, Code.UNKNOWN_LINE)
            continue
        invoice_line = _invoice_line(data, line, errors)
        if invoice_line is not None:
            totals[line.pk] = totals.get(line.pk, ZERO) + invoice_line.quantity
            todo.append(invoice_line)
    _check_over_invoice(po_lines, totals, errors)
    if not todo and not errors.errors:
        errors.add(None, _("Enter a quantity to invoice on at least one line."), Code.NOTHING_TO_INVOICE)
    errors.raise_if_any()

    invoice = SupplierInvoice(
        number=document_number_next(code="supplier_invoice", prefix="PINV-"), invoice_number=invoice_number,
        invoice_date=invoice_date, order=order, supplier=order.supplier, currency=order.currency,
        amount_net=sum((x.net_amount for x in todo), ZERO), amount_vat=sum((x.vat_amount for x in todo), ZERO),
        note=(note or "").strip()[:300], created_by=_user(user))
    invoice.amount_total = money_round(invoice.amount_net + invoice.amount_vat)
    invoice.full_clean()
    invoice.save()
    for invoice_line in todo:
        invoice_line.invoice = invoice
    SupplierInvoiceLine.objects.bulk_create(todo)
    for line_id, quantity in totals.items():
        po_lines[line_id].invoiced_quantity += quantity
    PurchaseOrderLine.objects.bulk_update([po_lines[i] for i in totals], ["invoiced_quantity"])
    audit_record(obj=invoice, action="create", user=user,
                 changes=model_changes(None, invoice, ["invoice_number", "invoice_date", "amount_total"]),
                 message=order.number)
    audit_record(obj=order, action="post", user=user,
                 message=_("supplier invoice %(no)s recorded (%(number)s)")
                 % {"no": invoice_number, "number": invoice.number})
    return invoice
