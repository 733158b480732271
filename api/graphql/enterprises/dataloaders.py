from __future__ import annotations

from api.graphql.core.dataloaders import ByIdLoader
from tenants.models import Enterprise


class EnterpriseByIdLoader(ByIdLoader[Enterprise]):
    model = Enterprise
