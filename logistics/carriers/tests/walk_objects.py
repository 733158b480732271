"""Objects of logistics.carriers for the isolation walkers (tests/walker.py's build_world)."""

from decimal import Decimal

from logistics.carriers.services import carrier_create, contract_create, zone_create


def make_carriers_walk_objects(side_label: str, owner) -> dict[str, int | str]:
    """One carrier, one contract and one zone in the current schema: kind -> id."""
    carrier = carrier_create(code=f"WALK{side_label.upper()}", name=f"走查承运商 {side_label}", user=owner)
    contract = contract_create(carrier=carrier, name=f"走查合同 {side_label}", user=owner)
    zone = zone_create(contract=contract, name="江浙沪", regions=["330000", "320000", "310000"],
                       first_price=Decimal("12"), step_price=Decimal("2"), user=owner)
    return {"logistics_carrier": carrier.pk, "logistics_contract": contract.pk, "logistics_zone": zone.pk}
