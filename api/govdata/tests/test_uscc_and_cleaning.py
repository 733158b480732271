"""USCC validation vectors (GB 32100-2015) and the cleaning rules of the centre's exports."""

from datetime import date
from decimal import Decimal

import pytest

from api.govdata import cleaning
from core.imports import RowError
from core.uscc import is_valid_uscc, uscc_errors, uscc_make

# Published codes of well-known enterprises (both check characters hold).
VALID = ["91330100716105852F", "9144030071526726XG", "914403001922038216", "91110000802100433B",
         uscc_make(org_body="MA2H4XY1"), uscc_make(authority="5", org_type="2", org_body="12345678")]


@pytest.mark.parametrize("code", VALID)
def test_valid_codes(code):
    assert uscc_errors(code) == []


@pytest.mark.parametrize("code, problem", [
    ("91330100716105852", "length"),
    ("91330100716105852FF", "length"),
    ("91330100716105852I", "alphabet"),  # I, O, Z, S, V are never used
    ("9133010071610585OF", "alphabet"),
    ("Z1330100716105852F", "alphabet"),
    ("B1330100716105852F", "authority"),
    ("90330100716105852F", "type"),
    ("9133A100716105852F", "division"),
    ("91330100716105862F", "org_check"),  # organisation-code check digit (GB 11714) wrong
    ("91330100716105852G", "check"),  # check character wrong: a typo
])
def test_invalid_codes(code, problem):
    assert [c for c, _m in uscc_errors(code)] == [problem]


def test_normalised_before_checking():
    assert is_valid_uscc(" 91330100716105852f ")
    assert cleaning.uscc("９１３３０１００ ７１６１０５８５２Ｆ", "uniscid") == "91330100716105852F"
    with pytest.raises(RowError) as error:
        cleaning.uscc("91330100716105852G", "uniscid")
    assert error.value.column == "uniscid" and "91330100716105852G" in error.value.message


@pytest.mark.parametrize("raw, clean", [
    ("\\N", ""), ("暂无", ""), ("NULL", ""), ("  无 ", ""), (None, ""),
    ("慈溪市  美厨电器 有限公司 ", "慈溪市美厨电器有限公司"),
    ("Ningbo  Meichu\u3000Appliance Co., Ltd.", "Ningbo Meichu Appliance Co., Ltd."),
    ("ＡＢＣ１２３", "ABC123"),
])
def test_text(raw, clean):
    assert cleaning.text(raw) == clean


@pytest.mark.parametrize("raw, value", [
    ("2012-03-18", date(2012, 3, 18)), ("2012/3/8", date(2012, 3, 8)), ("20120318", date(2012, 3, 18)),
    ("2012年3月18日", date(2012, 3, 18)), ("2012-03-18 00:00:00", date(2012, 3, 18)),
    ("1332000000000", date(2012, 3, 18)),  # epoch milliseconds (00:00 in Beijing)
    ("1332000000", date(2012, 3, 18)),  # epoch seconds
    ("1900-01-01", None), ("\\N", None), ("", None),  # unknown
    ("２０１２－０３－１８", date(2012, 3, 18)),
])
def test_dates(raw, value):
    assert cleaning.date_value(raw, "estdate") == value


def test_indefinite_end_only_where_allowed():
    assert cleaning.date_value("9999-09-09", "opto", allow_indefinite=True) is cleaning.INDEFINITE
    assert cleaning.date_value("9999-12-31", "opto", allow_indefinite=True) is cleaning.INDEFINITE
    with pytest.raises(RowError):
        cleaning.date_value("9999-09-09", "estdate")
    with pytest.raises(RowError) as error:
        cleaning.date_value("2012-13-45", "estdate")
    assert error.value.column == "estdate"


@pytest.mark.parametrize("raw, amount, currency", [
    ("500", "500", None), ("500万元", "500", "CNY"), ("5,000,000元", "500", "CNY"), ("50万美元", "50", "USD"),
    ("1.2亿", "12000", None), ("１００ 万元", "100", "CNY"), ("暂无", None, None),
])
def test_capital_in_ten_thousands(raw, amount, currency):
    value, found = cleaning.capital(raw, "regcap")
    assert (value, found) == (Decimal(amount) if amount else None, currency)


def test_bad_capital_names_the_column():
    with pytest.raises(RowError) as error:
        cleaning.capital("五百万", "regcap")
    assert error.value.column == "regcap"
