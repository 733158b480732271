from enum import Enum


class BillingErrorCode(str, Enum):
    """Codes of billing's ValidationErrors (each helper adds its own lines; never change another's)."""

    # subsidies (subsidy helper)
    SCHEME_CLOSED = "scheme_closed"
    SCHEME_FULL = "scheme_full"
    SCHEME_PLAN_MISMATCH = "scheme_plan_mismatch"
    SCHEME_EXISTS = "scheme_exists"
    SCHEME_INVALID = "scheme_invalid"
    NOT_ENROLLED = "not_enrolled"
    ALREADY_SUBSIDISED = "already_subsidised"
    SUBSCRIPTION_CANCELED = "subscription_canceled"
    SETTLEMENT_PAID = "settlement_paid"
    SETTLEMENT_AMOUNT_MISMATCH = "settlement_amount_mismatch"
    SETTLEMENT_EMPTY = "settlement_empty"
    MONTH_INVALID = "month_invalid"
    FORBIDDEN = "forbidden"

    # plans, subscriptions, invoices (owner helper)
    PLAN_INVALID = "plan_invalid"
    PLAN_INACTIVE = "plan_inactive"
    NOT_OWNER = "not_owner"
    ALREADY_SUBSCRIBED = "already_subscribed"
    NO_SUBSCRIPTION = "no_subscription"
    PAYMENT_METHOD_INVALID = "payment_method_invalid"
    CARD_REQUIRED = "card_required"
    CARD_DECLINED = "card_declined"
    PROVIDER_ERROR = "provider_error"
    NO_CHANGE = "no_change"
    SEATS_BELOW_MEMBERS = "seats_below_members"
    NOT_PENDING = "not_pending"
    NOT_CANCELING = "not_canceling"
    ALREADY_CANCELING = "already_canceling"
    IMMEDIATE_CANCEL_ADMIN_ONLY = "immediate_cancel_admin_only"
    TRANSFER_AMOUNT_INVALID = "transfer_amount_invalid"
    TRANSFER_OVERPAID = "transfer_overpaid"
    TRANSFER_REFERENCE_TAKEN = "transfer_reference_taken"
    INVOICE_NOT_OPEN = "invoice_not_open"
    FAPIAO_EXISTS = "fapiao_exists"
    FAPIAO_TAX_NUMBER_INVALID = "fapiao_tax_number_invalid"
    FAPIAO_ISSUED = "fapiao_issued"
    FAPIAO_INCOMPLETE = "fapiao_incomplete"

    # platform admin pages, dunning (platadmin helper)
    NOT_PAST_DUE = "not_past_due"
    NO_OWNER = "no_owner"

    def __str__(self) -> str:
        return self.value
