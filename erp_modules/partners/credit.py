"""Where the ERP reads its partners' government credit, without importing the government data.

The government data (api.govdata, PUBLIC schema) sits above the ERP in the layers (docs/architecture.md):
it registers its source here in its AppConfig.ready() (api/govdata/partners.py), as it does for the boards
(ecommerce.credit_source), and the ERP asks the source. A source answers
``credit_for(usccs) -> {credit code: PartnerCredit}`` in a few queries whatever the number of codes (a code
the registry and the credit database do not know may be missing). The public tables are read from the
tenant's request (the public schema is on the search path), by credit code: no join between schemas.

Without a source (the government data not installed) no partner shows a credit and nothing is refused.

Confirming an order with a partner that needs an override (`PartnerCredit.needs_override`: its licence
revoked or its registration cancelled or withdrawn (吊销, 注销, 撤销), or listed as abnormal (经营异常名录) or
on a serious list in force) goes through ``partner_credit_gate``: refused with the code
``credit_override_required`` unless a reason is given by someone allowed to override (a manager: the
caller says so), ``credit_override_not_allowed`` when the reason comes from someone who is not.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from erp_modules.common.services import audit_record
from erp_modules.partners.error_codes import PartnerErrorCode

OVERRIDE_REASON_MAX = 300  # PurchaseOrder / SalesOrder.credit_override_reason


@dataclass(frozen=True)
class PartnerCredit:
    """A partner's registry status and credit, as the ERP shows and checks them."""

    uscc: str
    status: str = ""  # the registry status (active, revoked, cancelled …); "" when the registry lacks the code
    status_label: str = ""  # the status in the reader's language, with the words the registry published
    level: str = "unknown"  # good | watch | alert | unknown (the credit badge's level)
    rating_text: str = ""  # "A · 812/1000"
    abnormal: bool = False  # on the abnormal-operation list (经营异常名录), in force
    revoked: bool = False  # licence revoked, registration cancelled or withdrawn (吊销 / 注销 / 撤销)
    serious: bool = False  # a serious listing in force (严重违法失信, 失信被执行人, 重大税收违法)
    # why an override is needed, in the words the registry and the credit database published ("吊销，未注销",
    # "经营异常名录"): the same in every language, and so in the history
    reasons: tuple[str, ...] = field(default_factory=tuple)
    badge_html: str = ""  # the credit badge as HTML (safe)

    @property
    def in_registry(self) -> bool:
        return bool(self.status)

    @property
    def needs_override(self) -> bool:
        return self.revoked or self.abnormal or self.serious


@dataclass(frozen=True)
class PartnerCreditSource:
    credit_for: Callable[[Iterable[str]], dict[str, PartnerCredit]]


NO_SOURCE = PartnerCreditSource(credit_for=lambda usccs: {})
_source = NO_SOURCE


def partner_credit_source_register(source: PartnerCreditSource) -> None:
    """Called once at start-up by the app that holds the government data."""
    global _source
    _source = source


def partner_credit_for(usccs: Iterable[str]) -> dict[str, PartnerCredit]:
    """{credit code: PartnerCredit} of these codes (blank ones ignored), in a few queries whatever their number."""
    codes = {c for c in usccs if c}
    if not codes:
        return {}
    return _source.credit_for(codes)


def partner_credit_one(partner) -> PartnerCredit | None:
    """The credit of one partner (None: no credit code, or nothing known of it)."""
    if partner is None or not partner.uscc:
        return None
    return partner_credit_for([partner.uscc]).get(partner.uscc)


def partner_credit_gate(*, partner, credit_override_reason: str = "", may_override: bool = False
                        ) -> tuple[PartnerCredit | None, str]:
    """Before an order with `partner` is confirmed (a purchase order approved, a sales order confirmed):
    (the partner's credit, the override reason to store and audit — "" when no override was needed).

    A partner that needs an override is refused unless `credit_override_reason` is given (code
    credit_override_required) by someone allowed to override (`may_override`: the caller checked the role;
    credit_override_not_allowed otherwise). A reason given for a partner that needs none is not stored."""
    credit = partner_credit_one(partner)
    if credit is None or not credit.needs_override:
        return credit, ""
    reason = " ".join((credit_override_reason or "").split())[:OVERRIDE_REASON_MAX]
    warning = _("%(partner)s: %(reasons)s.") % {"partner": partner.name, "reasons": "; ".join(credit.reasons)}
    if not reason:
        raise ValidationError({"credit_override_reason": ValidationError(
            _("%(warning)s Give the reason for going ahead to override the credit warning.") % {"warning": warning},
            code=str(PartnerErrorCode.CREDIT_OVERRIDE_REQUIRED))})
    if not may_override:
        raise ValidationError({"credit_override_reason": ValidationError(
            _("%(warning)s Only a manager can override the credit warning.") % {"warning": warning},
            code=str(PartnerErrorCode.CREDIT_OVERRIDE_NOT_ALLOWED))})
    return credit, reason


def credit_override_audit(*, order, credit: PartnerCredit, reason: str, user=None) -> None:
    """The history entry of an override on `order` (its credit_override_by/reason already saved): what was
    wrong (the registry's words) and the reason given; shown in the reader's language."""
    audit_record(obj=order, action="update", user=user, changes={"credit_override_reason": ["", reason]},
                 message=gettext_noop("Credit warning overridden: %(reasons)s"),
                 message_params={"reasons": "; ".join(credit.reasons)})
