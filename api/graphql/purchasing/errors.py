"""The error codes of the purchasing mutations in the schema (erp_modules/purchasing/error_codes.py, with the
partners' credit codes (an order with a revoked or abnormal supplier) and those of the ERP settings)."""

from api.graphql.core.error_codes import error_code_enum, error_type
from erp_modules.common.error_codes import CommonErrorCode
from erp_modules.partners.error_codes import PartnerErrorCode
from erp_modules.purchasing import error_codes

PurchasingErrorCode = error_code_enum("PurchasingErrorCode", error_codes.PurchasingErrorCode, PartnerErrorCode,
                                      CommonErrorCode)
PurchasingError = error_type("PurchasingError", PurchasingErrorCode)
