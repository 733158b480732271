"""The error codes of the PDM mutations in the schema: those of the ECOs (pdm/changes/error_codes.py), of the
document vault (pdm/vault/error_codes.py) and of the part revisions the ECO services pass on
(pdm/parts/error_codes.py)."""

from api.graphql.core.error_codes import error_code_enum, error_type
from pdm.changes.error_codes import EcoErrorCode
from pdm.parts.error_codes import PartsErrorCode
from pdm.vault.error_codes import VaultErrorCode

PdmErrorCode = error_code_enum("PdmErrorCode", EcoErrorCode, VaultErrorCode, PartsErrorCode)
PdmError = error_type("PdmError", PdmErrorCode)
