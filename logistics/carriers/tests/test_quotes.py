"""Quote arithmetic on plain cards (no database): first weight and steps, volumetric weight, fuel, the
minimum charge, free-over, the most specific zone, validity, sorting and speed-shaped inputs."""

from datetime import date
from decimal import Decimal

from logistics.carriers.quotes import ContractCard, QuoteRequest, ZoneCard, chargeable_weight, quote, quote_many

D = Decimal


def card(cid=1, *, zones, divisor=6000, min_charge="0", fuel="0", free_over=None, code="SF", **kw):
    return ContractCard(contract_id=cid, carrier_id=cid, carrier_code=code, carrier_name=code, contract_name=f"c{cid}",
                        volumetric_divisor=divisor, min_charge=D(min_charge), fuel_surcharge_pct=D(fuel),
                        free_over=None if free_over is None else D(free_over), zones=tuple(zones), **kw)


def zone(name="z", codes=("330000",), first_kg="1", first="12", step_kg="1", step="2", days=2, zid=1):
    return ZoneCard(zone_id=zid, name=name, first_weight_kg=D(first_kg), first_price=D(first), step_kg=D(step_kg),
                    step_price=D(step), promised_days=days, region_codes=tuple(codes))


def one(request, *cards):
    quotes = quote(request, cards)
    assert len(quotes) == 1
    return quotes[0]


def req(*parcels, province="330000", city="330200", goods="0", on=None):
    return QuoteRequest(province_code=province, city_code=city, parcels=list(parcels), goods_value=D(goods), on=on)


def test_first_weight_then_each_started_step():
    c = card(zones=[zone(first_kg="1", first="12", step_kg="0.5", step="1.5")])
    assert one(req((D("0.3"), None, None, None)), c).price == D("12.00")
    assert one(req((D("1"), None, None, None)), c).price == D("12.00")
    # 1.01 kg: one started half-kilo step; 2.6 kg: ceil(1.6 / 0.5) = 4 steps
    assert one(req((D("1.01"), None, None, None)), c).price == D("13.50")
    q = one(req((D("2.6"), None, None, None)), c)
    assert (q.chargeable_kg, q.base, q.price) == (D("2.600"), D("18.00"), D("18.00"))
    assert "4 × 0.5 kg × 1.50 = 18.00" in q.explanation


def test_volumetric_weight_per_parcel_and_summed():
    c = card(zones=[zone()], divisor=6000)
    # 40×30×20 / 6000 = 4 kg beats 1.5 kg; the second parcel has no dimensions: its 2 kg count
    q = one(req((D("1.5"), D("40"), D("30"), D("20")), (D("2"), None, None, None)), c)
    assert (q.chargeable_kg, q.price) == (D("6.000"), D("22.00"))  # 12 + 5 × 2
    assert "by volume" in q.explanation
    assert chargeable_weight([(D("1.5"), D("40"), D("30"), D("20"))], 8000) == (D("3.000"), D("1.500"), D("3.000"))


def test_fuel_surcharge_minimum_charge_and_free_over():
    c = card(zones=[zone(first="12", step="2")], fuel="7.5", min_charge="30", free_over="5000")
    q = one(req((D("10"), None, None, None)), c)  # base 12 + 9 × 2 = 30, fuel 2.25
    assert (q.base, q.fuel, q.price, q.minimum_applied, q.free) == (D("30.00"), D("2.25"), D("32.25"), False, False)
    small = one(req((D("1"), None, None, None)), c)  # 12 + 0.90 < 30: the minimum
    assert (small.price, small.minimum_applied) == (D("30.00"), True)
    assert "minimum charge 30.00" in small.explanation
    free = one(req((D("10"), None, None, None), goods="5000"), c)
    assert (free.price, free.free, free.base) == (D("0.00"), True, D("30.00"))
    assert one(req((D("10"), None, None, None), goods="4999.99"), c).free is False


def test_money_rounds_half_up_to_the_cent():
    c = card(zones=[zone(first="10.01", step="0")], fuel="5")  # 10.01 × 5% = 0.5005 → 0.50
    assert one(req((D("1"), None, None, None)), c).fuel == D("0.50")
    c = card(zones=[zone(first="10.10", step="0")], fuel="5")  # 0.505 → 0.51
    assert one(req((D("1"), None, None, None)), c).price == D("10.61")


def test_the_city_zone_beats_the_province_zone_and_unserved_contracts_are_left_out():
    c = card(zones=[zone("浙江", ["330000"], first="12", zid=1), zone("宁波同城", ["330200"], first="8", zid=2)])
    assert one(req((D("1"), None, None, None), city="330200"), c).zone_name == "宁波同城"
    assert one(req((D("1"), None, None, None), city="330100"), c).zone_name == "浙江"
    assert quote(req((D("1"), None, None, None), province="440000", city="440300"), [c]) == []


def test_inactive_and_out_of_date_contracts_are_skipped_and_quotes_sort_by_price_then_days():
    z = [zone(first="12", days=3)]
    cards = [card(1, zones=z, code="A"), card(2, zones=[zone(first="12", days=1)], code="B"),
             card(3, zones=[zone(first="9", days=5)], code="C"),
             card(4, zones=[zone(first="1")], code="OLD", valid_to=date(2026, 1, 31)),
             card(5, zones=[zone(first="1")], code="OFF", active=False),
             card(6, zones=[zone(first="1")], code="NEW", valid_from=date(2027, 1, 1))]
    quotes = quote(req((D("1"), None, None, None), on=date(2026, 6, 1)), cards)
    assert [q.carrier_code for q in quotes] == ["C", "B", "A"]


def test_quote_many_keeps_the_order_of_the_requests():
    c = card(zones=[zone("浙江", ["330000"]), zone("广东", ["440000"], first="20", zid=2)])
    results = quote_many([req((D("1"), None, None, None)), req((D("1"), None, None, None), province="440000",
                                                                city="440300"),
                          req((D("1"), None, None, None), province="540000", city="540100")], [c])
    assert [[q.zone_name for q in r] for r in results] == [["浙江"], ["广东"], []]
