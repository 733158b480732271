"""Quotations: create, change, mark sent, cancel, and turn into a draft sales order."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import field_error
from erp_modules.common.services import audit_record, document_number_next, erp_settings_get
from erp_modules.partners.models import Partner
from erp_modules.sales.error_codes import SalesErrorCode
from erp_modules.sales.formatting import money
from erp_modules.sales.models import Quotation, QuotationLine, SalesOrder
from erp_modules.sales.services._common import _status_change, _status_error, _user
from erp_modules.sales.services.lines import (_customer_check, _document_update_finish, _lines_clean, _set_totals,
                                             _write_lines)
from erp_modules.sales.services.orders import sales_order_create


@transaction.atomic
def quotation_create(*, customer: Partner | None, lines: list[dict], quote_date: date | None = None,
                     valid_until: date | None = None, customer_reference: str = "", note: str = "",
                     user=None) -> Quotation:
    customer = _customer_check(customer)
    quote_date = quote_date or timezone.localdate()
    if valid_until is not None and valid_until < quote_date:
        raise field_error("valid_until", _("“Valid until” cannot be before the quotation date."), SalesErrorCode.DATE)
    cleaned = _lines_clean(lines=lines, customer=customer, with_location=False, on=quote_date)
    quotation = Quotation(number=document_number_next(code="sales_quotation", prefix="QT-"), customer=customer,
                          quote_date=quote_date, valid_until=valid_until,
                          currency=customer.currency or erp_settings_get().currency,
                          customer_reference=customer_reference.strip(), note=note.strip(), created_by=_user(user))
    quotation.full_clean()
    quotation.save()
    _set_totals(quotation, _write_lines(quotation, QuotationLine, "quotation", cleaned, with_location=False))
    quotation.save(update_fields=["amount_excl_vat", "vat_amount", "amount_incl_vat"])
    audit_record(obj=quotation, action="create", user=user, message=_("%(n)d lines, total %(total)s")
                 % {"n": len(cleaned), "total": money(quotation.amount_incl_vat)})
    return quotation


@transaction.atomic
def quotation_update(*, quotation: Quotation, customer: Partner | None, lines: list[dict],
                     quote_date: date | None = None, valid_until: date | None = None, customer_reference: str = "",
                     note: str = "", user=None) -> Quotation:
    """Replace the header and the lines of a draft or sent quotation."""
    quotation = Quotation.objects.select_for_update().get(pk=quotation.pk)
    if not quotation.is_editable:
        raise _status_error(quotation, _("changed"))
    customer = _customer_check(customer)
    before = {"customer": str(quotation.customer), "total": quotation.amount_incl_vat}
    quotation.customer = customer
    quotation.quote_date = quote_date or quotation.quote_date
    quotation.valid_until = valid_until
    if valid_until is not None and valid_until < quotation.quote_date:
        raise field_error("valid_until", _("“Valid until” cannot be before the quotation date."), SalesErrorCode.DATE)
    cleaned = _lines_clean(lines=lines, customer=customer, with_location=False, on=quotation.quote_date)
    _document_update_finish(quotation, QuotationLine, "quotation", cleaned, with_location=False, customer=customer,
                            before=before, customer_reference=customer_reference, note=note, user=user)
    return quotation


@transaction.atomic
def quotation_mark_sent(*, quotation: Quotation, user=None) -> Quotation:
    quotation = Quotation.objects.select_for_update().get(pk=quotation.pk)
    if quotation.status != Quotation.Status.DRAFT:
        raise _status_error(quotation, _("sent"))
    _status_change(quotation, Quotation.Status.SENT, user=user)
    return quotation


@transaction.atomic
def quotation_cancel(*, quotation: Quotation, user=None, reason: str = "") -> Quotation:
    quotation = Quotation.objects.select_for_update().get(pk=quotation.pk)
    if not quotation.is_editable:
        raise _status_error(quotation, _("cancelled"))
    _status_change(quotation, Quotation.Status.CANCELLED, user=user, message=reason.strip())
    return quotation


@transaction.atomic
def quotation_convert(*, quotation: Quotation, user=None, delivery_date: date | None = None,
                      customer_reference: str | None = None) -> SalesOrder:
    """Turn a draft or sent quotation into a draft sales order with the same lines and prices."""
    quotation = Quotation.objects.select_for_update().get(pk=quotation.pk)
    if not quotation.is_editable:
        raise _status_error(quotation, _("turned into an order"))
    lines = [{"item": line.item, "quantity": line.quantity, "unit_price": line.unit_price,
              "discount_pct": line.discount_pct, "vat_rate": line.vat_rate, "description": line.description,
              "revision": line.revision}
             for line in quotation.lines.select_related("item", "item__default_warehouse")]
    order = sales_order_create(
        customer=quotation.customer, lines=lines, delivery_date=delivery_date, quotation=quotation, user=user,
        customer_reference=quotation.customer_reference if customer_reference is None else customer_reference,
        note=quotation.note)
    _status_change(quotation, Quotation.Status.ORDERED, user=user, message=order.number)
    return order
