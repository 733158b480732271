"""The error codes of the catalog's mutations in the schema (erp_modules/catalog/error_codes.py)."""

from api.graphql.core.error_codes import error_code_enum, error_type
from erp_modules.catalog import error_codes

CatalogErrorCode = error_code_enum("CatalogErrorCode", error_codes.CatalogErrorCode)
CatalogError = error_type("CatalogError", CatalogErrorCode)
