"""Reads of carriers, contracts and rate cards; the loader of the rate cards for quoting."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from logistics.carriers.models import Carrier, Contract, Zone, ZoneRegion
from logistics.carriers.quotes import ContractCard, ZoneCard


def carrier_list() -> QuerySet[Carrier]:
    return Carrier.objects.annotate(contract_count=Count("contracts")).order_by("code")


def carrier_get(*, carrier_id: int) -> Carrier | None:
    return Carrier.objects.filter(pk=carrier_id).first()


def carrier_choices(*, active_only: bool = True) -> QuerySet[Carrier]:
    qs = Carrier.objects.order_by("code")
    return qs.filter(active=True) if active_only else qs


def contract_list() -> QuerySet[Contract]:
    return (Contract.objects.select_related("carrier").annotate(zone_count=Count("zones"))
            .order_by("carrier__code", "name"))


def contract_get(*, contract_id: int) -> Contract | None:
    return Contract.objects.select_related("carrier").filter(pk=contract_id).first()


def zone_get(*, contract: Contract, zone_id: int) -> Zone | None:
    """A zone of this contract (another contract's zone is not found)."""
    return Zone.objects.filter(pk=zone_id, contract=contract).first()


def contract_zones(*, contract: Contract) -> list[Zone]:
    """The rate card: zones with their regions (two queries), cheapest first."""
    return list(Zone.objects.filter(contract=contract)
                .prefetch_related(Prefetch("regions", queryset=ZoneRegion.objects.order_by("code")))
                .order_by("first_price", "name"))


def contracts_for_quoting(*, on: date | None = None) -> list[ContractCard]:
    """The active contracts of active carriers valid on ``on`` (today by default), with their zones and
    regions, as plain objects for logistics.carriers.quotes: three queries whatever their number."""
    on = on or timezone.localdate()
    contracts = list(
        Contract.objects.filter(active=True, carrier__active=True)
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on), Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .select_related("carrier").order_by("carrier__code", "name", "pk"))
    ids = [c.pk for c in contracts]
    codes: dict[int, list[str]] = defaultdict(list)
    for zone_id, code in ZoneRegion.objects.filter(zone__contract_id__in=ids).order_by("code").values_list(
            "zone_id", "code"):
        codes[zone_id].append(code)
    zones: dict[int, list[ZoneCard]] = defaultdict(list)
    for z in Zone.objects.filter(contract_id__in=ids).order_by("name"):
        zones[z.contract_id].append(ZoneCard(
            zone_id=z.pk, name=z.name, first_weight_kg=z.first_weight_kg, first_price=z.first_price,
            step_kg=z.step_kg, step_price=z.step_price, promised_days=z.promised_days,
            region_codes=tuple(codes[z.pk])))
    return [ContractCard(
        contract_id=c.pk, carrier_id=c.carrier_id, carrier_code=c.carrier.code, carrier_name=c.carrier.name,
        contract_name=c.name, volumetric_divisor=c.volumetric_divisor, min_charge=c.min_charge,
        fuel_surcharge_pct=c.fuel_surcharge_pct, free_over=c.free_over, zones=tuple(zones[c.pk]),
        valid_from=c.valid_from, valid_to=c.valid_to, active=c.active, currency=c.currency,
        carrier_kind=c.carrier.kind) for c in contracts]
