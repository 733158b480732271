from __future__ import annotations

from api.graphql.core.dataloaders import ByIdLoader
from erp_modules.partners.models import Partner


class PartnerByIdLoader(ByIdLoader[Partner]):
    model = Partner
