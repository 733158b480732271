"""What every office service shares: who may act for the office, and reading an amount of money."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.errors import field_error
from core.parsing import to_decimal
from office.error_codes import OfficeErrorCode as Code
from tenants.models import User

CENT = Decimal("0.01")
ZERO = Decimal("0")


def money_clean(value, field: str, *, allow_zero: bool = False) -> Decimal:
    amount = to_decimal(value, max_digits=14)
    if amount is None:
        raise field_error(field, _("Enter an amount in CNY, e.g. 150000.00."), Code.AMOUNT_INVALID)
    if not amount.is_finite() or amount != amount.quantize(CENT) or amount < 0 or (amount == 0 and not allow_zero):
        message = (_("Enter an amount of 0 or more with at most two decimals.") if allow_zero
                   else _("Enter a positive amount with at most two decimals."))
        raise field_error(field, message, Code.AMOUNT_INVALID)
    return amount


def office_require(actor: User | None) -> None:
    if actor is None or not (actor.is_office or actor.is_platform_admin):
        raise ValidationError(_("Only the informatization office can do this."), code=Code.FORBIDDEN)

