"""Sales orders: create and change a draft, confirm it (reserving the stock), cancel or close it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.errors import field_error
from erp_modules.catalog.models import Item
from erp_modules.common.services import audit_record, document_number_next, erp_settings_get
from erp_modules.inventory.services import items_lock, reservation_create, reservations_release_for
from erp_modules.partners.credit import credit_override_audit, partner_credit_gate
from erp_modules.partners.models import Partner
from erp_modules.sales.error_codes import SalesErrorCode
from erp_modules.sales.formatting import money
from erp_modules.sales.models import (RESERVATION_REFERENCE, Quotation, SalesOrder, SalesOrderKitComponent,
                                      SalesOrderLine)
from erp_modules.sales.services._common import _error, _line_label, _status_change, _status_error, _user
from erp_modules.sales.services.kits import kit_components
from erp_modules.sales.services.lines import (_customer_check, _document_update_finish, _lines_clean, _set_totals,
                                             _write_lines)
from erp_modules.sales.services.reservations import _quantity_text, _reserve_up_to


@transaction.atomic
def sales_order_create(*, customer: Partner | None, lines: list[dict], order_date: date | None = None,
                       delivery_date: date | None = None, customer_reference: str = "", note: str = "",
                       quotation: Quotation | None = None, user=None) -> SalesOrder:
    customer = _customer_check(customer)
    order_date = order_date or timezone.localdate()
    if delivery_date is not None and delivery_date < order_date:
        raise field_error("delivery_date", _("The delivery date cannot be before the order date."),
                          SalesErrorCode.DATE)
    cleaned = _lines_clean(lines=lines, customer=customer, with_location=True, on=order_date)
    order = SalesOrder(number=document_number_next(code="sales_order", prefix="SO-"), customer=customer,
                       quotation=quotation, order_date=order_date, delivery_date=delivery_date,
                       currency=customer.currency or erp_settings_get().currency,
                       customer_reference=customer_reference.strip(),
                       note=note.strip(), created_by=_user(user))
    order.full_clean()
    order.save()
    _set_totals(order, _write_lines(order, SalesOrderLine, "order", cleaned, with_location=True))
    order.save(update_fields=["amount_excl_vat", "vat_amount", "amount_incl_vat"])
    message = _("%(n)d lines, total %(total)s") % {"n": len(cleaned), "total": money(order.amount_incl_vat)}
    if quotation is not None:
        message = _("from %(quotation)s; %(rest)s") % {"quotation": quotation.number, "rest": message}
    audit_record(obj=order, action="create", user=user, message=message)
    return order


@transaction.atomic
def sales_order_update(*, order: SalesOrder, customer: Partner | None, lines: list[dict],
                       order_date: date | None = None, delivery_date: date | None = None,
                       customer_reference: str = "", note: str = "", user=None) -> SalesOrder:
    """Replace the header and the lines of a draft order (a confirmed order holds stock: cancel it first)."""
    order = SalesOrder.objects.select_for_update().get(pk=order.pk)
    if order.status != SalesOrder.Status.DRAFT:
        raise _status_error(order, _("changed"))
    customer = _customer_check(customer)
    before = {"customer": str(order.customer), "total": order.amount_incl_vat}
    order.customer = customer
    order.order_date = order_date or order.order_date
    order.delivery_date = delivery_date
    if delivery_date is not None and delivery_date < order.order_date:
        raise field_error("delivery_date", _("The delivery date cannot be before the order date."),
                          SalesErrorCode.DATE)
    cleaned = _lines_clean(lines=lines, customer=customer, with_location=True, on=order.order_date)
    _document_update_finish(order, SalesOrderLine, "order", cleaned, with_location=True, customer=customer,
                            before=before, customer_reference=customer_reference, note=note, user=user)
    return order


@transaction.atomic
def sales_order_confirm(*, order: SalesOrder, user=None, allow_shortage: bool = False,
                        credit_override_reason: str = "", may_override_credit: bool = False) -> SalesOrder:
    """Reserve the stock of every line (kits: their components) in the line's location.

    By default all or nothing: a line that cannot be reserved fails the whole confirmation with
    code `insufficient_stock` and a message naming the line and the item; no reservation is left
    behind. With `allow_shortage` (make to order) every line reserves what is available now, in
    part or not at all, and the order is confirmed anyway; its history records what is short.
    `sales_order_reserve_available` tops the reservations up once the goods are in, and MRP plans
    the rest (it nets the open quantity against stock on hand). A location that allows negative
    stock reserves the whole quantity either way.

    The components of a kit line are recorded (SalesOrderKitComponent) from the BOM in force on the
    requested delivery date (today when it is past or not given), so that later top-ups and deliveries
    keep these proportions.

    A customer whose registration is revoked or cancelled, or that is listed as abnormal (经营异常), needs
    an override (erp_modules/partners/credit.py): refused with credit_override_required unless
    `credit_override_reason` is given by someone the caller allows to override (`may_override_credit`: a
    manager); the reason and who gave it are stored on the order and in its history."""
    order = SalesOrder.objects.select_for_update().get(pk=order.pk)
    if order.status != SalesOrder.Status.DRAFT:
        raise _status_error(order, _("confirmed"))
    lines = list(order.lines.select_related("item", "item__uom", "location", "location__warehouse"))
    if not lines:
        raise _error(_("%(number)s has no lines.") % {"number": order.number}, SalesErrorCode.EMPTY)
    credit, override = partner_credit_gate(partner=order.customer, credit_override_reason=credit_override_reason,
                                           may_override=may_override_credit)
    if override:
        order.credit_override_by, order.credit_override_reason = _user(user), override
        order.save(update_fields=["credit_override_by", "credit_override_reason", "updated_at"])
        credit_override_audit(order=order, credit=credit, reason=override, user=user)
    reserved = 0
    shortages: list[str] = []
    need_date = max(order.delivery_date or timezone.localdate(), timezone.localdate())
    plan: list[tuple[SalesOrderLine, str, list[tuple[Item, Decimal]]]] = []
    for line in lines:
        if line.item.item_type == Item.Type.SERVICE:
            continue
        label = _line_label(line.sequence, line.item)
        if line.location is None:
            raise _error(_("%(where)s: choose the location to ship it from.") % {"where": label},
                         SalesErrorCode.NO_LOCATION)
        if line.item.item_type == Item.Type.KIT:
            # the BOM in force on the requested delivery date (an engineering change with a later
            # effective date does not change what an earlier order ships); never a date already past
            wanted = kit_components(item=line.item, quantity=line.quantity, on=need_date)
            SalesOrderKitComponent.objects.bulk_create([SalesOrderKitComponent(line=line, item=item, quantity=quantity)
                                                        for item, quantity in wanted if quantity > 0])
        else:
            wanted = [(line.item, line.quantity)]
        plan.append((line, label, wanted))
    # every item of the order locked at once, in id order: two orders with the same items in another
    # order of lines wait for each other instead of deadlocking
    items_lock(item.pk for _line, _label, wanted in plan for item, _q in wanted)
    for line, label, wanted in plan:
        for item, quantity in wanted:
            if quantity <= 0:
                continue
            if allow_shortage:
                got = _reserve_up_to(order=order, line=line, item=item, quantity=quantity)
                reserved += 1 if got > 0 else 0
                if got < quantity:
                    shortages.append(_quantity_text(line, item, quantity - got))
                continue
            try:
                reservation_create(item=item, location=line.location, quantity=quantity,
                                   reference_type=RESERVATION_REFERENCE, reference_id=order.pk,
                                   reference_line_id=line.pk, reference=order.number)
            except ValidationError as exc:
                code = _first_code(exc) or str(SalesErrorCode.INSUFFICIENT_STOCK)
                detail = " ".join(exc.messages)
                if item.pk != line.item.pk:
                    detail = _("component %(component)s: %(detail)s") % {"component": item.code, "detail": detail}
                message = _("%(where)s cannot be reserved: %(detail)s") % {"where": label, "detail": detail}
                raise ValidationError(message, code=code) from exc
            reserved += 1
    order.confirmed_at = timezone.now()
    message = ngettext("%(n)d reservation", "%(n)d reservations", reserved) % {"n": reserved}
    if shortages:
        message = ngettext("%(n)d reservation; short, to make or buy: %(short)s",
                           "%(n)d reservations; short, to make or buy: %(short)s", reserved) % {
            "n": reserved, "short": "; ".join(shortages)}
    _status_change(order, SalesOrder.Status.CONFIRMED, user=user, fields=["confirmed_at"], message=message)
    return order


@transaction.atomic
def sales_order_cancel(*, order: SalesOrder, user=None, reason: str = "") -> SalesOrder:
    """Cancel an order and release its reservations. An order with deliveries is closed instead:
    what was delivered stays (and can still be invoiced), the rest is no longer owed."""
    order = SalesOrder.objects.select_for_update().get(pk=order.pk)
    if order.status not in (SalesOrder.Status.DRAFT, *SalesOrder.OPEN_STATUSES):
        raise _status_error(order, _("cancelled"))
    released = reservations_release_for(reference_type=RESERVATION_REFERENCE, reference_id=order.pk)
    delivered = order.lines.filter(delivered_qty__gt=0).exists()
    new_status = SalesOrder.Status.CLOSED if delivered else SalesOrder.Status.CANCELLED
    message = ngettext("%(n)d reservation released", "%(n)d reservations released", released) % {"n": released}
    if reason.strip():
        message = f"{reason.strip()} · {message}"
    _status_change(order, new_status, user=user, message=message)
    return order


def _first_code(exc: ValidationError) -> str | None:
    errors = exc.error_list if hasattr(exc, "error_list") else [e for v in exc.error_dict.values() for e in v]
    return next((str(e.code) for e in errors if e.code), None)
