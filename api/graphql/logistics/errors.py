"""The error codes of the logistics mutations in the schema: those of shipments (logistics/shipments/error_codes.py)
and of the carriers and rate cards the shipment services pass on (logistics/carriers/error_codes.py)."""

from api.graphql.core.error_codes import error_code_enum, error_type
from logistics.carriers.error_codes import CarriersErrorCode
from logistics.shipments.error_codes import ShipmentsErrorCode

LogisticsErrorCode = error_code_enum("LogisticsErrorCode", ShipmentsErrorCode, CarriersErrorCode)
LogisticsError = error_type("LogisticsError", LogisticsErrorCode)
