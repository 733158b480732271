"""Demo data of carriers and rate cards for the range-hood maker 瑞丰厨电 (slug "ruifeng", Cixi, Ningbo).

Through the services only: the standard carriers (carriers_seed_standard) and two contracts with rate
cards at realistic prices for a shipper in Cixi —

- 顺丰 标准快递 (divisor 6000, fuel 3%, free over ¥20,000 of goods): 宁波同城 (the city beats its province),
  江浙沪, 华东其他, 偏远 (新疆 西藏 青海 内蒙古 宁夏) and 全国其他 (every other province, computed from the
  region data);
- 德邦 大件物流 (divisor 8000, minimum charge ¥50 a consignment, first 20 kg): the same zones without the
  city one.

Idempotent: a contract that exists (carrier and name) is left alone; returns whether anything was made."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django_tenants.utils import tenant_context

from logistics.carriers import regions
from logistics.carriers.models import Carrier, Contract
from logistics.carriers.services import carriers_seed_standard, contract_create, zone_create
from tenants.models import Enterprise

D = Decimal
SLUG = "ruifeng"
JZH = ["330000", "320000", "310000"]  # 浙江 江苏 上海
EAST = ["340000", "350000", "360000", "370000"]  # 安徽 福建 江西 山东
REMOTE = ["650000", "540000", "630000", "150000", "640000"]  # 新疆 西藏 青海 内蒙古 宁夏
ABROAD = ["810000", "820000"]  # 香港 澳门: not in a domestic rate card


def _rest() -> list[str]:
    used = set(JZH + EAST + REMOTE + ABROAD)
    return [p.code for p in regions.provinces() if p.code not in used]


# zone name, regions, first kg, first price, step kg, step price, days
SF_ZONES = [
    ("宁波同城", ["330200"], D("1"), D("10"), D("1"), D("1"), 1),
    ("江浙沪", JZH, D("1"), D("12"), D("1"), D("2"), 1),
    ("华东其他", EAST, D("1"), D("15"), D("1"), D("5"), 2),
    ("全国其他", None, D("1"), D("20"), D("1"), D("8"), 3),
    ("偏远", REMOTE, D("1"), D("28"), D("1"), D("18"), 5),
]
DBL_ZONES = [
    ("江浙沪", JZH, D("20"), D("45"), D("1"), D("1.2"), 2),
    ("华东其他", EAST, D("20"), D("60"), D("1"), D("2"), 3),
    ("全国其他", None, D("20"), D("80"), D("1"), D("3"), 4),
    ("偏远", REMOTE, D("20"), D("120"), D("1"), D("5.5"), 7),
]


def _contract(carrier: Carrier, name: str, zones, **terms) -> bool:
    if Contract.objects.filter(carrier=carrier, name=name).exists():
        return False
    contract = contract_create(carrier=carrier, name=name, **terms)
    for zone_name, codes, first_kg, first_price, step_kg, step_price, days in zones:
        zone_create(contract=contract, name=zone_name, regions=codes or _rest(), first_weight_kg=first_kg,
                    first_price=first_price, step_kg=step_kg, step_price=step_price, promised_days=days)
    return True


@transaction.atomic
def seed_carriers_demo() -> bool:
    """In the current schema: the standard carriers and the two contracts."""
    before = Carrier.objects.count()
    carriers_seed_standard()
    by_code = {c.code: c for c in Carrier.objects.filter(code__in=["SF", "DBL"])}
    made = _contract(by_code["SF"], "标准快递", SF_ZONES, volumetric_divisor=6000, fuel_surcharge_pct=D("3"),
                     free_over=D("20000"), note="月结账号 5740012345，每日 17:00 前上门揽收")
    made = _contract(by_code["DBL"], "大件物流", DBL_ZONES, volumetric_divisor=8000, min_charge=D("50"),
                     note="大件（油烟机整机）专线，送货上楼另计") or made
    return made or Carrier.objects.count() != before


def seed() -> bool:
    """The seeder of `manage.py seed_demo` (core.demo): 瑞丰厨电 gets its carriers and rate cards."""
    enterprise = Enterprise.objects.filter(slug=SLUG).first()
    if enterprise is None:
        return False
    with tenant_context(enterprise):
        return seed_carriers_demo()
