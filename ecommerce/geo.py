"""Where an enterprise is, for matching spare capacity with outsourced processing by distance.

A small gazetteer of the towns and subdistricts of Cixi and the districts and counties of Ningbo, each with
the approximate position of its centre (latitude, longitude in degrees, WGS-84, rounded to 0.01° ≈ 1 km).
Source: compiled by hand for this platform from the public map (OpenStreetMap place nodes, © OpenStreetMap
contributors, ODbL); accurate to a couple of kilometres, which is all a distance part of a match score needs.
The platform works on an intranet, so nothing is looked up online: an enterprise is placed by its town
(tenants.Enterprise.town), else by the first gazetteer name found in its address, else nowhere (None; its
listings then get the neutral half of the distance part).
"""

from __future__ import annotations

import math

# name: (latitude, longitude). Longer names are tried first when searching an address.
PLACES: dict[str, tuple[float, float]] = {
    # Cixi (慈溪市): subdistricts (街道)
    "浒山街道": (30.17, 121.24),
    "白沙路街道": (30.18, 121.26),
    "古塘街道": (30.16, 121.22),
    "坎墩街道": (30.21, 121.21),
    "宗汉街道": (30.20, 121.18),
    "孙塘街道": (30.19, 121.23),
    "兴慈街道": (30.16, 121.26),
    # Cixi: towns (镇)
    "周巷镇": (30.17, 121.14),
    "长河镇": (30.19, 121.16),
    "庵东镇": (30.28, 121.18),
    "崇寿镇": (30.25, 121.20),
    "新浦镇": (30.23, 121.31),
    "胜山镇": (30.22, 121.27),
    "逍林镇": (30.20, 121.27),
    "附海镇": (30.24, 121.36),
    "观海卫镇": (30.15, 121.40),
    "掌起镇": (30.12, 121.45),
    "龙山镇": (30.10, 121.53),
    "匡堰镇": (30.15, 121.33),
    "桥头镇": (30.13, 121.28),
    "横河镇": (30.14, 121.19),
    # Ningbo (宁波市): districts and county-level cities and counties
    "海曙区": (29.87, 121.55),
    "江北区": (29.89, 121.56),
    "鄞州区": (29.82, 121.55),
    "镇海区": (29.95, 121.71),
    "北仑区": (29.90, 121.84),
    "奉化区": (29.66, 121.41),
    "余姚市": (30.04, 121.15),
    "宁海县": (29.29, 121.43),
    "象山县": (29.48, 121.87),
    "前湾新区": (30.31, 121.25),
    "杭州湾新区": (30.31, 121.25),
    # the cities themselves, the last resort of an address
    "慈溪市": (30.17, 121.24),
    "慈溪": (30.17, 121.24),
    "余姚": (30.04, 121.15),
    "宁波市": (29.87, 121.55),
    "宁波": (29.87, 121.55),
}
_BY_LENGTH = sorted(PLACES, key=len, reverse=True)
EARTH_RADIUS_KM = 6371.0


def place_position(*, town: str = "", address: str = "") -> tuple[float, float] | None:
    """(latitude, longitude) of a town (exact name), else of the most specific gazetteer name in the address."""
    town = (town or "").strip()
    if town in PLACES:
        return PLACES[town]
    text = f"{town} {address or ''}"
    for name in _BY_LENGTH:
        if name in text:
            return PLACES[name]
    return None


def enterprise_position(enterprise) -> tuple[float, float] | None:
    return place_position(town=enterprise.town, address=enterprise.address)


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in kilometres between two (latitude, longitude) points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))
