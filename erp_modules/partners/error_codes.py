from enum import Enum


class PartnerErrorCode(str, Enum):
    # confirming an order with a partner whose registration is revoked/cancelled or that is listed as
    # abnormal (erp_modules/partners/credit.py)
    CREDIT_OVERRIDE_REQUIRED = "credit_override_required"
    CREDIT_OVERRIDE_NOT_ALLOWED = "credit_override_not_allowed"

    def __str__(self) -> str:
        return self.value
