"""Who may override the credit warning of an order with a revoked or abnormal partner through the API
(erp_modules/partners/credit.py): a member of the enterprise with the manager role or above, logged in. An
API token never may: the reason must come from a person, whose name the order's history records."""

from __future__ import annotations

from api.graphql.core.auth import auth_of
from tenants.models import Role


def credit_override_allowed(info) -> bool:
    membership = auth_of(info.context).membership
    return membership is not None and membership.has_role(Role.MANAGER)
