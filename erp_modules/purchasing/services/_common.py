"""What the purchasing services share: the error collector, number parsing, line labels, the order's
row lock and its status changes."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _

from core.parsing import to_decimal
from erp_modules.catalog.models import Item
from erp_modules.common.services import audit_record
from erp_modules.purchasing.error_codes import PurchasingErrorCode as Code
from erp_modules.purchasing.models import PurchaseOrder, PurchaseOrderLine

HUNDRED = Decimal("100")
MAX_AMOUNT = Decimal("1e13")


class _Errors:
    """Collects every problem of an input so that the clerk sees them all at once."""

    def __init__(self) -> None:
        self.errors: dict[str, list[ValidationError]] = {}

    def add(self, key: str | None, message: str, code: Code) -> None:
        self.errors.setdefault(key or NON_FIELD_ERRORS, []).append(ValidationError(message, code=str(code)))

    def has(self, key: str) -> bool:
        return key in self.errors

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def _error(message: str, code: Code, field: str | None = None) -> ValidationError:
    error = ValidationError(message, code=str(code))
    return ValidationError({field: error}) if field else error


def _decimal(value) -> Decimal | None:
    """A plain number from user input (core.parsing: ASCII digits, at most 14 before the point), else
    None ('' and None are None too)."""
    return to_decimal(value, max_digits=14)


def _line_quantity(raw, key: str, where: str, errors: _Errors) -> Decimal | None:
    """The quantity `raw` given on a line; None when there is none (blank or 0) or it is wrong (noted under `key`)."""
    quantity = _decimal(raw)
    if quantity is None and (raw is None or str(raw).strip() == ""):
        return None
    if quantity is None or quantity < 0:
        errors.add(key, _("%(where)s: give a quantity of zero or more.") % {"where": where}, Code.QUANTITY)
        return None
    return None if quantity == 0 else quantity


def _amount_fits(quantity: Decimal, price: Decimal) -> bool:
    """The line's amount (with up to 100 % VAT) fits the 14 digits before the point of a money column."""
    return abs(quantity * price) < MAX_AMOUNT


def _places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def fmt_qty(value: Decimal) -> str:
    value = Decimal(value)
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value:f}".rstrip("0")


def _where(line_no: int, item: Item | None) -> str:
    if item is None:
        return _("Line %(n)d") % {"n": line_no}
    return _("Line %(n)d (%(item)s)") % {"n": line_no, "item": item.code}


def _user(user):
    return user if getattr(user, "is_authenticated", False) else None


def _lock(order: PurchaseOrder) -> PurchaseOrder:
    return PurchaseOrder.objects.select_for_update(of=("self",)).select_related("supplier", "location").get(
        pk=order.pk)


def _wrong_status(order: PurchaseOrder, action: str) -> ValidationError:
    return _error(_("%(number)s is %(status)s; it cannot be %(action)s.")
                  % {"number": order.number, "status": order.get_status_display(), "action": action},
                  Code.WRONG_STATUS)


def _line_ref(data: dict) -> int | None:
    ref = data.get("line")
    if isinstance(ref, PurchaseOrderLine):
        return ref.pk
    try:
        return int(ref)
    except (TypeError, ValueError):
        return None


def _set_status(order: PurchaseOrder, status: str, *, user, message: str = "", action: str = "status") -> None:
    old = order.status
    order.status = status
    order.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    audit_record(obj=order, action=action, user=user, changes={"status": [old, status]}, message=message)
