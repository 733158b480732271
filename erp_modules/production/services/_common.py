"""What the production services share: number parsing and rounding, the work order's row lock, status
checks and changes, and the error helper."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import field_error
from core.parsing import to_decimal
from erp_modules.catalog.models import Item, UnitOfMeasure
from erp_modules.common.services import audit_record
from erp_modules.production.error_codes import ProductionErrorCode as Code
from erp_modules.production.models import WorkOrder

ZERO = Decimal("0")
MONEY_PLACES = Decimal("0.0001")
MINUTE_PLACES = Decimal("0.01")
SIXTY = Decimal("60")


def _error(message: str, code: Code, field: str | None = None) -> ValidationError:
    return field_error(field, message, code) if field else ValidationError(message, code=str(code))


def fmt_qty(quantity: Decimal) -> str:
    """12.5000 → "12.5", 10.0000 → "10"."""
    quantity = Decimal(quantity)
    return f"{quantity.normalize():f}" if quantity == quantity.to_integral() else f"{quantity:f}".rstrip("0")


def _decimal(value, field: str, label: str) -> Decimal:
    """A quantity or time typed by a person (core.parsing: plain ASCII number, at most 14 digits before
    the point); blank is zero."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return ZERO
    result = to_decimal(value, max_digits=14)
    if result is None:
        raise _error(_("%(label)s: “%(value)s” is not a number.") % {"label": label, "value": str(value)[:40]},
                     Code.QUANTITY, field)
    return result


def _step(uom: UnitOfMeasure) -> Decimal:
    return Decimal(1).scaleb(-min(uom.decimals, 4))


def _check_decimals(quantity: Decimal, item: Item, field: str, label: str) -> None:
    if quantity != quantity.quantize(_step(item.uom)):
        raise _error(_("%(label)s: %(item)s is counted in %(uom)s, which allows %(n)d decimal places.")
                     % {"label": label, "item": item.code, "uom": item.uom, "n": item.uom.decimals}, Code.QUANTITY,
                     field)


def _lock(work_order: WorkOrder) -> WorkOrder:
    return (WorkOrder.objects.select_for_update(of=("self",))
            .select_related("item", "item__uom", "component_location", "output_location", "bom", "routing")
            .get(pk=work_order.pk))


def _require_status(work_order: WorkOrder, allowed, action: str) -> None:
    if work_order.status in allowed:
        return
    if work_order.status == WorkOrder.Status.DRAFT:
        message = _("%(number)s is a draft: release it before you %(action)s.")
    else:
        message = _("%(number)s is %(status)s: you cannot %(action)s.")
    raise _error(message % {"number": work_order.number, "status": work_order.get_status_display(), "action": action},
                 Code.STATUS)


def _status_change(work_order: WorkOrder, new: str, user, *, fields: list[str] | None = None, message: str = "",
                   changes: dict | None = None) -> None:
    old = work_order.status
    work_order.status = new
    work_order.save(update_fields=["status", *(fields or [])])
    audit_record(obj=work_order, action="status", user=user, message=message,
                 changes={"status": [old, new], **(changes or {})})


def _start(work_order: WorkOrder) -> list[str]:
    """released → in_progress on the first issue or report; the fields to save."""
    if work_order.status == WorkOrder.Status.RELEASED:
        work_order.status = WorkOrder.Status.IN_PROGRESS
        work_order.started_at = timezone.now()
        return ["status", "started_at"]
    return []


def _started(fields: list[str]) -> dict:
    return {"status": [WorkOrder.Status.RELEASED.value, WorkOrder.Status.IN_PROGRESS.value]} if fields else {}
