from __future__ import annotations

import graphene
from django.utils.translation import gettext as _

from api.graphql.core.errors import ApiError
from api.graphql.govdata.types import GovRecord
from core.uscc import is_valid_uscc, normalize_uscc


class GovdataQueries(graphene.ObjectType):
    gov_record = graphene.Field(GovRecord, uscc=graphene.String(required=True),
                                description="Registry and credit of any credit code (office; or your own).")

    @staticmethod
    def resolve_gov_record(root, info, uscc):
        uscc = normalize_uscc(uscc)
        if not is_valid_uscc(uscc):
            raise ApiError(_("“%(value)s” is not a valid Unified Social Credit Code.") % {"value": uscc},
                           code="INVALID_USCC")
        return GovRecord(uscc=uscc)
