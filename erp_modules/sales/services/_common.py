"""What the sales services share: error helpers, line labels, status changes, quantities typed for an
action (deliver, invoice)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.parsing import to_decimal
from erp_modules.catalog.models import Item
from erp_modules.common.services import audit_record
from erp_modules.sales.error_codes import SalesErrorCode
from erp_modules.sales.models import SalesOrderLine

ZERO = Decimal("0")
HUNDRED = Decimal("100")
QTY_PLACES = Decimal("0.0001")
MAX_VALUE = Decimal("1e12")  # QTY / MONEY fields hold 14 digits before the point; amounts must fit too


def _error(message: str, code: SalesErrorCode) -> ValidationError:
    return ValidationError(message, code=str(code))


def _line_label(n: int, item: Item) -> str:
    return _("Line %(n)d (%(item)s)") % {"n": n, "item": f"{item.code} {item.name}"}


def _status_error(document, action: str) -> ValidationError:
    return _error(_("%(number)s is %(status)s; it cannot be %(action)s.")
                  % {"number": document.number, "status": document.get_status_display(), "action": action},
                  SalesErrorCode.STATUS)


def _status_change(document, new_status: str, *, user, message: str = "", fields: list[str] | None = None) -> None:
    old = document.status
    document.status = new_status
    document.save(update_fields=["status", "updated_at", *(fields or [])])
    audit_record(obj=document, action="status", user=user, changes={"status": [old, new_status]}, message=message)


def _user(user):
    return user if getattr(user, "is_authenticated", False) else None


def _action_quantity(value, label: str) -> Decimal:
    """A quantity to deliver or invoice: empty is 0; else a number ≥ 0 with at most 4 decimals."""
    if value is None or value == "":
        return ZERO
    quantity = to_decimal(value, max_digits=14)
    if quantity is None or abs(quantity) >= MAX_VALUE:
        raise _error(_("%(where)s: “%(value)s” is not a number.") % {"where": label, "value": value},
                     SalesErrorCode.INVALID_NUMBER)
    if quantity < 0:
        raise _error(_("%(where)s: the quantity cannot be negative.") % {"where": label}, SalesErrorCode.QUANTITY)
    if quantity != quantity.quantize(QTY_PLACES):
        raise _error(_("%(where)s: use at most 4 decimals for the quantity.") % {"where": label},
                     SalesErrorCode.QUANTITY)
    return quantity


def _action_lines(order_lines: dict[int, SalesOrderLine], lines: list[dict], *,
                  foreign: str) -> Iterator[tuple[SalesOrderLine, str, Decimal, dict]]:
    """The typed lines of a delivery or an invoice, one by one: the order line each names, its label, its quantity
    and the typed line; lines of quantity 0 are skipped. `foreign` is the message for a line of another order; a
    line given twice is refused."""
    seen: set[int] = set()
    for raw in lines:
        ref = raw.get("order_line")
        line = order_lines.get(getattr(ref, "pk", ref))
        if line is None:
            raise _error(foreign, SalesErrorCode.NOT_FOUND)
        label = _line_label(line.sequence, line.item)
        if line.pk in seen:
            raise _error(_("%(where)s is given twice.") % {"where": label}, SalesErrorCode.QUANTITY)
        seen.add(line.pk)
        quantity = _action_quantity(raw.get("quantity"), label)
        if quantity != 0:
            yield line, label, quantity, raw
