"""Purchase orders: drafts created and changed with their lines (prices from the price lists, VAT from the
settings), approved, closed and cancelled."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from erp_modules.catalog.models import Item
from erp_modules.catalog.revision_source import RevisionError, revision_resolve
from erp_modules.common.services import audit_record, document_number_next, erp_settings_get, model_changes
from erp_modules.inventory.models import Location
from erp_modules.inventory.selectors import location_default, location_for_item
from erp_modules.inventory.services import reservations_release_for
from erp_modules.partners.credit import credit_override_audit, partner_credit_gate
from erp_modules.partners.models import Partner
from erp_modules.partners.selectors import price_for
from erp_modules.purchasing.error_codes import PurchasingErrorCode as Code
from erp_modules.purchasing.models import ZERO, PurchaseOrder, PurchaseOrderLine, line_amounts, money_round
from erp_modules.purchasing.services._common import (HUNDRED, _amount_fits, _decimal, _error, _Errors, _lock,
                                                     _places, _set_status, _user, _where, _wrong_status)

HEADER_FIELDS = ["supplier", "order_date", "expected_date", "location", "currency", "note"]


def _clean_header(order: PurchaseOrder, errors: _Errors, first_stocked: Item | None) -> None:
    supplier: Partner | None = order.supplier if order.supplier_id else None
    if supplier is None:
        errors.add("supplier", _("Choose a supplier."), Code.NOT_SUPPLIER)
    elif not (supplier.is_supplier and supplier.active):
        errors.add("supplier", _("%(partner)s is not an active supplier.") % {"partner": supplier}, Code.NOT_SUPPLIER)
    if order.expected_date and order.order_date and order.expected_date < order.order_date:
        errors.add("expected_date", _("The expected date cannot be before the order date."), Code.DATE)
    if not order.location_id:
        location = location_for_item(item=first_stocked) if first_stocked is not None else None
        location = location or location_default()
        if location is None:
            errors.add("location", _("Create a warehouse to receive into first."), Code.NO_LOCATION)
        else:
            order.location = location
    elif not order.location.active:
        errors.add("location", _("Location %(loc)s is inactive.") % {"loc": order.location}, Code.NO_LOCATION)
    currency = (order.currency or (supplier.currency if supplier else "") or erp_settings_get().currency).strip()
    order.currency = currency.upper()


def _prepare_lines(*, lines: list[dict], supplier: Partner | None, order_date, expected_date,
                   errors: _Errors) -> list[PurchaseOrderLine]:
    """Validate the lines (every problem, named by line and item) and fill in the defaults:
    price from the supplier's / default purchase price list, else the item's standard cost;
    VAT rate from the ERP settings; expected date from the order."""
    settings = erp_settings_get()
    prepared: list[PurchaseOrderLine] = []
    if not lines:
        errors.add("lines", _("Add at least one line."), Code.NO_LINES)
    for n, data in enumerate(lines, start=1):
        key = f"line_{n}"
        item: Item | None = data.get("item")
        if item is None:
            errors.add(key, _("%(where)s: choose an item.") % {"where": _where(n, None)}, Code.ITEM_REQUIRED)
            continue
        where = _where(n, item)
        if item.item_type == Item.Type.KIT:
            errors.add(key, _("%(where)s: kits are not purchased; order their components instead.") % {"where": where},
                       Code.KIT_NOT_PURCHASABLE)
        elif not item.active:
            errors.add(key, _("%(where)s: the item is inactive.") % {"where": where}, Code.ITEM_INACTIVE)
        quantity = _decimal(data.get("quantity"))
        if quantity is None or quantity <= 0:
            errors.add(key, _("%(where)s: the quantity must be more than zero.") % {"where": where}, Code.QUANTITY)
        elif _places(quantity) > item.uom.decimals:
            errors.add(key, _("%(where)s: quantities in %(unit)s have at most %(d)d decimals.")
                       % {"where": where, "unit": item.uom, "d": item.uom.decimals}, Code.QUANTITY)
        raw_price = data.get("unit_price")
        if raw_price is None or raw_price == "":
            price = price_for(item=item, kind="purchase", partner=supplier,
                              quantity=quantity if quantity and quantity > 0 else Decimal("1"), on=order_date)
            price = item.standard_cost if price is None else price
        else:
            price = _decimal(raw_price)
        if price is None or price < 0 or _places(price) > 4:
            errors.add(key, _("%(where)s: give a unit price of zero or more (at most 4 decimals).")
                       % {"where": where}, Code.PRICE)
        raw_vat = data.get("vat_rate")
        vat_rate = settings.vat_rate if raw_vat is None or raw_vat == "" else _decimal(raw_vat)
        if vat_rate is None or not (ZERO <= vat_rate <= HUNDRED) or _places(vat_rate) > 2:
            errors.add(key, _("%(where)s: the VAT rate must be between 0 and 100 %%.") % {"where": where},
                       Code.VAT_RATE)
        revision = (data.get("revision") or "").strip().upper()
        if revision:
            try:
                revision = revision_resolve(item=item, code=revision).code
            except RevisionError as exc:
                errors.add(key, _("%(where)s: revision “%(code)s”: %(reason)s.")
                           % {"where": where, "code": revision[:8], "reason": exc.messages[0]}, exc.code)
        own_date = data.get("expected_date")
        line_expected = own_date or expected_date
        if own_date and order_date and own_date < order_date:
            errors.add(key, _("%(where)s: the expected date cannot be before the order date.") % {"where": where},
                       Code.DATE)
        if not errors.has(key) and not _amount_fits(quantity, price):
            errors.add(key, _("%(where)s: the amount of the line is too large.") % {"where": where}, Code.PRICE)
        if errors.has(key):
            continue
        net, vat = line_amounts(quantity, price, vat_rate)
        prepared.append(PurchaseOrderLine(
            line_no=n, item=item, description=(data.get("description") or "").strip()[:200], revision=revision,
            quantity=quantity,
            uom_id=item.uom_id, unit_price=price, vat_rate=vat_rate, net_amount=net, vat_amount=vat,
            expected_date=line_expected))
    return prepared


def _set_totals(order: PurchaseOrder, lines: list[PurchaseOrderLine]) -> None:
    order.amount_net = sum((line.net_amount for line in lines), ZERO)
    order.amount_vat = sum((line.vat_amount for line in lines), ZERO)
    order.amount_total = order.amount_net + order.amount_vat


def _save_lines(order: PurchaseOrder, lines: list[PurchaseOrderLine]) -> None:
    for line in lines:
        line.order = order
        line.full_clean(exclude=["order"], validate_unique=False)
    PurchaseOrderLine.objects.bulk_create(lines)


def _first_stocked(lines: list[dict]) -> Item | None:
    return next((d["item"] for d in lines if d.get("item") is not None and d["item"].is_stocked), None)


@transaction.atomic
def purchase_order_create(*, supplier: Partner | None, lines: list[dict], order_date=None, expected_date=None,
                          location: Location | None = None, currency: str = "", note: str = "",
                          user=None) -> PurchaseOrder:
    """A draft order. `lines`: dicts with item, quantity and optional unit_price, vat_rate,
    description, expected_date (blank price/VAT/date take the defaults), revision (a usable revision of the
    part, erp_modules/catalog/revision_source.py; refused for an item that is not a part)."""
    errors = _Errors()
    order = PurchaseOrder(supplier=supplier, order_date=order_date or timezone.localdate(),
                          expected_date=expected_date, location=location, currency=currency or "",
                          note=(note or "").strip(), created_by=_user(user))
    _clean_header(order, errors, _first_stocked(lines))
    prepared = _prepare_lines(lines=lines, supplier=supplier, order_date=order.order_date,
                              expected_date=expected_date, errors=errors)
    errors.raise_if_any()
    order.number = document_number_next(code="purchase_order", prefix="PO-")
    _set_totals(order, prepared)
    order.full_clean()
    order.save()
    _save_lines(order, prepared)
    audit_record(obj=order, action="create", user=user,
                 changes=model_changes(None, order, ["supplier", "order_date", "expected_date", "amount_total"]),
                 message=_("%(n)d lines") % {"n": len(prepared)})
    return order


@transaction.atomic
def purchase_order_update(*, order: PurchaseOrder, lines: list[dict] | None = None, user=None,
                          **fields) -> PurchaseOrder:
    """Change a draft: header fields (supplier, order_date, expected_date, location, currency, note)
    and, when `lines` is given, replace all lines (same dicts as purchase_order_create)."""
    unknown = set(fields) - set(HEADER_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown order fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    before = _lock(order)
    if before.status != PurchaseOrder.Status.DRAFT:
        raise _wrong_status(before, _("changed (only drafts can)"))
    order = _lock(order)
    for name, value in fields.items():
        setattr(order, name, value.strip() if isinstance(value, str) else value)
    errors = _Errors()
    _clean_header(order, errors, _first_stocked(lines or []))
    prepared = None
    if lines is not None:
        prepared = _prepare_lines(lines=lines, supplier=order.supplier if order.supplier_id else None,
                                  order_date=order.order_date, expected_date=order.expected_date, errors=errors)
    errors.raise_if_any()
    if prepared is not None:
        order.lines.all().delete()
        _save_lines(order, prepared)
        _set_totals(order, prepared)
    order.full_clean()
    order.save()
    changes = model_changes(before, order, HEADER_FIELDS + ["amount_total"])
    if "amount_total" in changes:
        changes["amount_total"] = [money_round(v) for v in changes["amount_total"]]
        if changes["amount_total"][0] == changes["amount_total"][1]:
            del changes["amount_total"]
    if changes or prepared is not None:
        audit_record(obj=order, action="update", user=user, changes=changes,
                     message=_("lines replaced (%(n)d)") % {"n": len(prepared)} if prepared is not None else "")
    return order


@transaction.atomic
def purchase_order_approve(*, order: PurchaseOrder, user=None, credit_override_reason: str = "",
                           may_override_credit: bool = False) -> PurchaseOrder:
    """Draft → approved: the order may now be sent, received and invoiced (manager role, checked by the view).

    A supplier whose registration is revoked or cancelled, or that is listed as abnormal (经营异常), needs an
    override (erp_modules/partners/credit.py): refused with credit_override_required unless
    `credit_override_reason` is given by someone the caller allows to override (`may_override_credit`);
    the reason and who gave it are stored on the order and in its history."""
    order = _lock(order)
    if order.status != PurchaseOrder.Status.DRAFT:
        raise _wrong_status(order, _("approved"))
    if not order.lines.exists():
        raise _error(_("An order without lines cannot be approved."), Code.NO_LINES)
    if not (order.supplier.is_supplier and order.supplier.active):
        raise _error(_("%(partner)s is not an active supplier.") % {"partner": order.supplier}, Code.NOT_SUPPLIER,
                     "supplier")
    credit, override = partner_credit_gate(partner=order.supplier, credit_override_reason=credit_override_reason,
                                           may_override=may_override_credit)
    order.approved_by = _user(user)
    order.approved_at = timezone.now()
    if override:
        order.credit_override_by, order.credit_override_reason = _user(user), override
        order.save(update_fields=["credit_override_by", "credit_override_reason", "updated_at"])
        credit_override_audit(order=order, credit=credit, reason=override, user=user)
    _set_status(order, PurchaseOrder.Status.APPROVED, user=user)
    return order


@transaction.atomic
def purchase_order_close(*, order: PurchaseOrder, user=None, note: str = "") -> PurchaseOrder:
    """Partially received / received → closed: nothing more will come (what is open is dropped)."""
    order = _lock(order)
    if not order.can_close:
        if order.status == PurchaseOrder.Status.APPROVED:
            raise _error(_("%(number)s has received nothing yet; cancel it instead of closing it.")
                         % {"number": order.number}, Code.WRONG_STATUS)
        raise _wrong_status(order, _("closed"))
    if order.kind == PurchaseOrder.Kind.SUBCONTRACT:  # the components still promised to the subcontractor
        reservations_release_for(reference_type="subcontract_order", reference_id=order.pk)
    _set_status(order, PurchaseOrder.Status.CLOSED, user=user, message=(note or "").strip())
    return order


@transaction.atomic
def purchase_order_cancel(*, order: PurchaseOrder, user=None, note: str = "") -> PurchaseOrder:
    """Draft / approved → cancelled, only while nothing has been received."""
    order = _lock(order)
    if order.receipts.exists():
        raise _error(_("%(number)s has goods receipts; close it instead of cancelling it.")
                     % {"number": order.number}, Code.HAS_RECEIPTS)
    if not order.can_cancel:
        raise _wrong_status(order, _("cancelled"))
    if order.kind == PurchaseOrder.Kind.SUBCONTRACT:
        reservations_release_for(reference_type="subcontract_order", reference_id=order.pk)
    _set_status(order, PurchaseOrder.Status.CANCELLED, user=user, message=(note or "").strip())
    return order
