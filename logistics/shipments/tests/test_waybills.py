"""Waybill numbers: the loose patterns per carrier, the guess, the UPU S10 check digit (pure, no database)."""

import pytest

from logistics.shipments.waybills import s10_check_digit, waybill_check, waybill_guess


@pytest.mark.parametrize("number, carrier", [
    ("SF1402583917266", "SF"), ("sf 1402 5839 17266", "SF"), ("140258391726", "SF"),
    ("YT7521864039217", "YTO"), ("773058124957021", "ZTO"), ("JDX000123456789", "JD"),
    ("JDVA12345678901", "JD"), ("DPK123456789012", "DBL"), ("123456789", "DBL"),
    ("JT0001234567890", "JTSD"), ("4312345678901", "YD"), ("EE123456785CN", "EMS"), ("1123456789012", "EMS"),
])
def test_known_numbers_match_their_carrier(number, carrier):
    check = waybill_check(number, carrier)
    assert (check.error, check.matches_carrier, check.warning) == (None, True, None)
    assert carrier in check.guesses


def test_normalizing_and_the_guess():
    check = waybill_check("  sf1402583917266\u3000")
    assert (check.normalized, check.guesses) == ("SF1402583917266", ["SF"])
    assert waybill_guess("YT7521864039217") == ["YTO"]
    assert waybill_guess("JDK000123456789") == ["JD"]
    assert waybill_guess("EE123456785CN") == ["EMS"]
    # 13 digits fit several carriers: all are guessed, those with their own prefix are not
    assert set(waybill_guess("4312345678901")) == {"EMS", "ZTO", "YD", "STO"}
    assert waybill_guess("SF12") == []


def test_a_number_of_another_carrier_is_a_warning_not_an_error():
    check = waybill_check("YT7521864039217", "SF")
    assert (check.error, check.matches_carrier, check.guesses) == (None, False, ["YTO"])
    assert "does not look like a waybill number of SF" in check.warning
    # a carrier without known patterns (own trucks, a local line) always matches
    assert waybill_check("ABC-77", "OWN-FLEET").matches_carrier is True


def test_upu_check_digit():
    # 8·1 + 6·2 + 4·3 + 2·4 + 3·5 + 5·6 + 9·7 + 7·8 = 204; 204 mod 11 = 6; 11 − 6 = 5
    assert s10_check_digit("12345678") == 5
    assert s10_check_digit("00000000") == 5  # 11 − 0 = 11 → 5
    assert s10_check_digit("00000001") == 4  # 7 → 11 − 7
    assert s10_check_digit("00000008") == 0  # 7·8 = 56, 56 mod 11 = 1, 11 − 1 = 10 → 0
    bad = waybill_check("EE123456784CN", "EMS")
    assert bad.error and "check digit should be 5" in bad.error
    assert waybill_check("EE123456784CN").error  # whatever the carrier chosen


@pytest.mark.parametrize("number", ["SF\x00123", "SF\x1b[31m", "A" * 33, "", "   ", "SF14025839<script>"])
def test_what_cannot_be_a_waybill_number_is_an_error(number):
    assert waybill_check(number, "SF").error
