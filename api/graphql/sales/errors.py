"""The error codes of the sales mutations in the schema (erp_modules/sales/error_codes.py, with the codes of
the stock reservations (inventory), the partners' credit (an order with a revoked or abnormal customer) and the
ERP settings (common) the sales services pass on)."""

from api.graphql.core.error_codes import error_code_enum, error_type
from erp_modules.common.error_codes import CommonErrorCode
from erp_modules.inventory.error_codes import InventoryErrorCode
from erp_modules.partners.error_codes import PartnerErrorCode
from erp_modules.sales import error_codes

SalesErrorCode = error_code_enum("SalesErrorCode", error_codes.SalesErrorCode, InventoryErrorCode, PartnerErrorCode,
                                 CommonErrorCode)
SalesError = error_type("SalesError", SalesErrorCode)
