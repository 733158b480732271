"""Rate quotes: pure functions over plain objects (no ORM, no I/O).

``logistics.carriers.selectors.contracts_for_quoting(on=…)`` loads the active contracts valid on a date
with their zones and regions in a fixed number of queries into ``ContractCard``s; ``quote(request, cards)``
prices one delivery with every card, ``quote_many(requests, cards)`` many deliveries (each card indexes
its zones by region code once, so a request costs one or two dict look-ups per contract).

The rules, per contract:

- chargeable weight: per parcel max(actual kg, L×W×H cm³ / the contract's volumetric divisor) (a parcel
  without all three dimensions counts its actual weight), summed over the parcels, to 0.001 kg;
- the zone: the one holding the destination city's code, else the one holding its province's code (a
  city zone beats a province zone); a contract with neither does not serve the destination (no quote);
- base = first-weight price, plus ceil((kg − first weight) / step) × step price when heavier;
- fuel = base × fuel surcharge % (to 0.01); price = base + fuel, at least the minimum charge;
- free (price 0) when the goods' value reaches the contract's free-over amount;
- money is Decimal rounded half-up to 0.01. Quotes are sorted by price, then promised days.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

ZERO = Decimal("0")
CENT = Decimal("0.01")
GRAM = Decimal("0.001")
HUNDRED = Decimal("100")

Parcel = tuple  # (weight_kg, length_cm | None, width_cm | None, height_cm | None)


@dataclass(frozen=True)
class ZoneCard:
    zone_id: int
    name: str
    first_weight_kg: Decimal
    first_price: Decimal
    step_kg: Decimal
    step_price: Decimal
    promised_days: int
    region_codes: tuple[str, ...] = ()


@dataclass
class ContractCard:
    contract_id: int
    carrier_id: int
    carrier_code: str
    carrier_name: str
    contract_name: str
    volumetric_divisor: int
    min_charge: Decimal
    fuel_surcharge_pct: Decimal
    free_over: Decimal | None
    zones: tuple[ZoneCard, ...]
    valid_from: date | None = None
    valid_to: date | None = None
    active: bool = True
    currency: str = "CNY"
    carrier_kind: str = ""
    by_region: dict[str, ZoneCard] = field(init=False, repr=False)

    def __post_init__(self):
        self.by_region = {}
        for zone in self.zones:
            for code in zone.region_codes:
                self.by_region.setdefault(code, zone)

    def valid_on(self, day: date | None) -> bool:
        if not self.active:
            return False
        if day is None:
            return True
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)

    def zone_for(self, province_code: str, city_code: str | None) -> ZoneCard | None:
        """The most specific zone: the city's, else the province's."""
        return (city_code and self.by_region.get(city_code)) or self.by_region.get(province_code)


@dataclass(frozen=True)
class QuoteRequest:
    province_code: str
    city_code: str | None
    parcels: Sequence[Parcel]
    goods_value: Decimal = ZERO
    on: date | None = None  # when given, contracts not valid (or not active) that day are skipped


@dataclass(slots=True)  # not frozen: a frozen dataclass's __init__ costs a setattr call per field
class Quote:
    contract_id: int
    carrier_id: int
    carrier_code: str
    carrier_name: str
    contract_name: str
    zone_name: str
    chargeable_kg: Decimal
    base: Decimal
    fuel: Decimal
    price: Decimal
    promised_days: int
    free: bool
    currency: str = "CNY"
    minimum_applied: bool = False
    why: tuple = field(default=(), repr=False, compare=False)  # (phrase, params) pairs of the explanation

    @property
    def explanation(self) -> str:
        """How the price is reckoned, in the language of the call that made the quote (formatted when read:
        quote_many's callers that only compare prices never pay for the text)."""
        return "; ".join(phrase % (params() if callable(params) else params) for phrase, params in self.why)


def _dec(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return number if number.is_finite() else None


def _text(value: Decimal, places: int = 2) -> str:
    return f"{value:.{places}f}"


def _kg(value: Decimal) -> str:
    text = f"{value.quantize(GRAM):f}".rstrip("0").rstrip(".")
    return text or "0"


def _normalized(parcels: Iterable[Parcel]) -> list[tuple[Decimal, Decimal | None]]:
    """(actual kg, volume cm³ or None) of each parcel; a missing or bad number counts as nothing."""
    out = []
    for parcel in parcels:
        weight, *dims = (list(parcel) + [None, None, None])[:4]
        actual = max(_dec(weight) or ZERO, ZERO)
        dims_d = [_dec(d) for d in dims]
        volume = dims_d[0] * dims_d[1] * dims_d[2] if all(d is not None and d > 0 for d in dims_d) else None
        out.append((actual, volume))
    return out


def _weights(normalized: list[tuple[Decimal, Decimal | None]], divisor: int) -> tuple[Decimal, Decimal, Decimal]:
    divisor_d = Decimal(divisor)
    chargeable = actual_sum = volumetric_sum = ZERO
    for actual, volume in normalized:
        volumetric = volume / divisor_d if volume is not None else ZERO
        chargeable += max(actual, volumetric)
        actual_sum += actual
        volumetric_sum += volumetric
    q = lambda v: v.quantize(GRAM, rounding=ROUND_HALF_UP)  # noqa: E731
    return q(chargeable), q(actual_sum), q(volumetric_sum)


def chargeable_weight(parcels: Iterable[Parcel], divisor: int) -> tuple[Decimal, Decimal, Decimal]:
    """(chargeable, actual, volumetric) kg of the parcels, each to 0.001 kg: per parcel the larger of its
    actual and volumetric weight, summed."""
    return _weights(_normalized(parcels), divisor)


class _Texts:
    """The explanation's phrases, translated once per call of quote / quote_many (not once per quote)."""

    def __init__(self):
        self.by_volume = _("chargeable %(kg)s kg by volume (actual %(actual)s kg, L×W×H/%(divisor)s)")
        self.chargeable = _("chargeable %(kg)s kg")
        self.steps = _("first %(first)s kg %(price)s + %(steps)d × %(step)s kg × %(step_price)s = %(base)s")
        self.first = _("first %(first)s kg %(price)s")
        self.fuel = _("fuel %(pct)s%% %(fuel)s")
        self.minimum = _("minimum charge %(min)s")
        self.free = _("free: goods value %(value)s ≥ %(over)s")


class _Prepared:
    """A request with its parcels read once and its weights cached per volumetric divisor."""

    def __init__(self, request: QuoteRequest):
        self.request = request
        self.parcels = _normalized(request.parcels)
        self.goods = _dec(request.goods_value) or ZERO
        self._weights: dict[int, tuple[Decimal, Decimal, Decimal]] = {}

    def weights(self, divisor: int) -> tuple[Decimal, Decimal, Decimal]:
        found = self._weights.get(divisor)
        if found is None:
            found = self._weights[divisor] = _weights(self.parcels, divisor)
        return found


def _price(card: ContractCard, zone: ZoneCard, prepared: _Prepared, texts: _Texts) -> Quote:
    kg, actual, volumetric = prepared.weights(card.volumetric_divisor)
    why = []
    if volumetric > actual:
        why.append((texts.by_volume, lambda: {"kg": _kg(kg), "actual": _kg(actual),
                                              "divisor": card.volumetric_divisor}))
    else:
        why.append((texts.chargeable, lambda: {"kg": _kg(kg)}))
    base = zone.first_price
    if kg > zone.first_weight_kg:
        steps = int(((kg - zone.first_weight_kg) / zone.step_kg).to_integral_value(rounding=ROUND_CEILING))
        base += steps * zone.step_price
        why.append((texts.steps, lambda: {
            "first": _kg(zone.first_weight_kg), "price": _text(zone.first_price), "steps": steps,
            "step": _kg(zone.step_kg), "step_price": _text(zone.step_price), "base": _text(base)}))
    else:
        why.append((texts.first, lambda: {"first": _kg(zone.first_weight_kg), "price": _text(zone.first_price)}))
    base = base.quantize(CENT, rounding=ROUND_HALF_UP)
    fuel = (base * card.fuel_surcharge_pct / HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)
    if fuel:
        why.append((texts.fuel, lambda: {"pct": _kg(card.fuel_surcharge_pct), "fuel": _text(fuel)}))
    price = base + fuel
    minimum = bool(card.min_charge and price < card.min_charge)
    if minimum:
        price = card.min_charge.quantize(CENT, rounding=ROUND_HALF_UP)
        why.append((texts.minimum, lambda charged=price: {"min": _text(charged)}))
    free = card.free_over is not None and prepared.goods >= card.free_over
    if free:
        price = ZERO.quantize(CENT)
        why.append((texts.free, lambda: {"value": _text(prepared.goods), "over": _text(card.free_over)}))
    return Quote(contract_id=card.contract_id, carrier_id=card.carrier_id, carrier_code=card.carrier_code,
                 carrier_name=card.carrier_name, contract_name=card.contract_name, zone_name=zone.name,
                 chargeable_kg=kg, base=base, fuel=fuel, price=price, promised_days=zone.promised_days, free=free,
                 currency=card.currency, minimum_applied=minimum, why=tuple(why))


def _sort_key(q: Quote):
    return (q.price, q.promised_days, q.carrier_code, q.contract_id)


def _quote(request: QuoteRequest, cards: Sequence[ContractCard], day: date | None, texts: _Texts) -> list[Quote]:
    day = day or request.on
    prepared = None
    out = []
    for card in cards:
        if not card.valid_on(day):
            continue
        zone = card.zone_for(request.province_code, request.city_code)
        if zone is not None:
            prepared = prepared or _Prepared(request)
            out.append(_price(card, zone, prepared, texts))
    out.sort(key=_sort_key)
    return out


def quote(request: QuoteRequest, cards: Iterable[ContractCard], *, on: date | None = None) -> list[Quote]:
    """One quote per card that serves the destination (and is valid on ``on`` or ``request.on`` when
    given), sorted by price, then promised days."""
    return _quote(request, list(cards), on, _Texts())


def quote_many(requests: Iterable[QuoteRequest], cards: Sequence[ContractCard], *,
               on: date | None = None) -> list[list[Quote]]:
    """``quote`` for each request, in the order given (the phrases translated once for all)."""
    cards, texts = list(cards), _Texts()
    return [_quote(request, cards, on, texts) for request in requests]


def quote_marks(quotes: Sequence[Quote]) -> tuple[set[int], set[int]]:
    """(contract ids of the cheapest quotes, of the fastest): what the comparison marks."""
    if not quotes:
        return set(), set()
    cheapest = min(q.price for q in quotes)
    fastest = min(q.promised_days for q in quotes)
    return ({q.contract_id for q in quotes if q.price == cheapest},
            {q.contract_id for q in quotes if q.promised_days == fastest})
