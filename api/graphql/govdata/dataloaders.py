from __future__ import annotations

from api.govdata.models import CreditEvent, CreditRating, RegistryRecord
from api.graphql.core.dataloaders import DataLoader, group_by


class RegistryByUsccLoader(DataLoader[str, RegistryRecord]):
    def batch_load(self, keys):
        rows = {r.uscc: r for r in RegistryRecord.objects.filter(uscc__in=keys, is_current=True)}
        return [rows.get(k) for k in keys]


class CreditEventsByUsccLoader(DataLoader[str, list]):
    default = []

    def batch_load(self, keys):
        rows = group_by(CreditEvent.objects.filter(uscc__in=keys, is_current=True).order_by("-listed_on", "key"),
                        lambda r: r.uscc)
        return [rows.get(k, []) for k in keys]


class CreditRatingsByUsccLoader(DataLoader[str, list]):
    default = []

    def batch_load(self, keys):
        rows = group_by(CreditRating.objects.filter(uscc__in=keys, is_current=True).order_by("scheme", "-year"),
                        lambda r: r.uscc)
        return [rows.get(k, []) for k in keys]
