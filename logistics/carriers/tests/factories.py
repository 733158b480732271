"""Builders of carriers and rate cards for tests (through the services)."""

from decimal import Decimal

from logistics.carriers.models import Contract
from logistics.carriers.services import carrier_create, contract_create, zone_create

D = Decimal


def rate_card(code: str = "SF", name: str = "标准快递", **terms) -> Contract:
    """A carrier with one contract: 江浙沪 (¥12 + ¥2/kg, 1 day) and 宁波同城 (¥8 + ¥1/kg, 1 day)."""
    carrier = carrier_create(code=code, name=f"{code} 快递")
    contract = contract_create(carrier=carrier, name=name, **terms)
    zone_create(contract=contract, name="江浙沪", regions=["330000", "320000", "310000"], first_price=D("12"),
                step_price=D("2"), promised_days=1)
    zone_create(contract=contract, name="宁波同城", regions=["330200"], first_price=D("8"), step_price=D("1"),
                promised_days=1)
    return contract
