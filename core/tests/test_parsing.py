"""core.parsing and core.forms: typed text becomes an id, a number or a date, or a ValidationError
naming the field — never a ValueError, an overflow or a database error later."""

from datetime import date
from decimal import Decimal

import pytest
from django import forms
from django.core.exceptions import ValidationError

from core.forms import StrictInputMixin
from core.parsing import is_id, parse_date, parse_decimal, parse_id, parse_ids, parse_int, parse_month


def _code(exc_info, field):
    return exc_info.value.error_dict[field][0].code


@pytest.mark.parametrize("text, expected", [("1234.5", Decimal("1234.5")), ("-3", Decimal("-3")),
                                            ("1,234.50", Decimal("1234.50")), ("１２．５", Decimal("12.5")),
                                            (" 7 ", Decimal("7")), (".5", Decimal("0.5"))])
def test_decimal_accepts_what_people_type(text, expected):
    assert parse_decimal(text, field="qty") == expected


@pytest.mark.parametrize("text", ["NaN", "nan", "Infinity", "-Infinity", "sNaN", "1e309", "1E3", "²", "١٢", "٣.٥",
                                  "1_000", "0x1A", "1,2", "--1", "1.2.3", "", "\u00a0"])
def test_decimal_refuses_what_is_not_a_plain_number(text):
    if not text.strip():
        with pytest.raises(ValidationError) as exc_info:
            parse_decimal(text, field="qty", required=True)
        assert _code(exc_info, "qty") == "required"
        return
    with pytest.raises(ValidationError) as exc_info:
        parse_decimal(text, field="qty")
    assert _code(exc_info, "qty") == "invalid_number"


def test_decimal_size_and_places_are_bounded():
    with pytest.raises(ValidationError) as exc_info:
        parse_decimal("9" * 40, field="price")
    assert _code(exc_info, "price") == "number_too_large"
    with pytest.raises(ValidationError) as exc_info:
        parse_decimal("1.123", field="price", decimal_places=2)
    assert _code(exc_info, "price") == "too_many_decimals"
    assert parse_decimal("1.120", field="price", decimal_places=2) == Decimal("1.120")
    with pytest.raises(ValidationError) as exc_info:
        parse_decimal("-1", field="price", min_value=0)
    assert _code(exc_info, "price") == "out_of_range"
    assert parse_decimal("", field="price") is None


@pytest.mark.parametrize("text", ["²", "١", "-1", "0", "1.5", "9" * 40, str(2**63), "NaN", "1e3", " "])
def test_id_refuses_anything_but_a_positive_ascii_bigint(text):
    assert not is_id(text)
    if text.strip():
        with pytest.raises(ValidationError) as exc_info:
            parse_id(text, field="order")
        assert _code(exc_info, "order") == "invalid_id"


def test_ids():
    assert parse_id("42", field="order") == 42 and parse_id("４２", field="order") == 42
    assert parse_id("", field="order") is None and parse_id(7, field="order") == 7
    assert parse_ids(["1", "2", ""], field="order") == [1, 2]
    with pytest.raises(ValidationError):
        parse_ids(["1", "²"], field="order")


def test_int_bounds():
    assert parse_int("-12", field="n") == -12
    with pytest.raises(ValidationError):
        parse_int("9" * 19, field="n")
    with pytest.raises(ValidationError):
        parse_int("100000", field="index", max_value=99999)


@pytest.mark.parametrize("text", ["2026-02-30", "0000-00-00", "9999-99-99", "2026-13-01", "٢٠٢٦-٠١-٠١", "99999-01-01",
                                  "NaN", "2026-1-1x", "0001-01-01", "9999-12-31", "20260101"])
def test_impossible_dates_are_refused(text):
    with pytest.raises(ValidationError) as exc_info:
        parse_date(text, field="delivery_date")
    assert _code(exc_info, "delivery_date") == "invalid_date"


def test_dates_and_months():
    assert parse_date("2026-02-28", field="d") == date(2026, 2, 28)
    assert parse_date("2026/3/1", field="d") == date(2026, 3, 1)
    assert parse_date("２０２６－０３－０１", field="d") == date(2026, 3, 1)
    assert parse_month("2026-03", field="m") == date(2026, 3, 1)
    assert parse_month("2026-03-17", field="m") == date(2026, 3, 1)
    for bad in ("2026-13", "0000-00", "٢٠٢٦-٠١"):
        with pytest.raises(ValidationError):
            parse_month(bad, field="m")


class _Form(StrictInputMixin, forms.Form):
    count = forms.IntegerField(required=False)
    price = forms.DecimalField(required=False, max_digits=8, decimal_places=2)
    day = forms.DateField(required=False)


@pytest.mark.parametrize("field, value", [("count", "١٢"), ("count", "9" * 40), ("count", "²"), ("price", "1e309"),
                                          ("price", "NaN"), ("price", "١"), ("price", "1234567.5"),
                                          ("day", "2026-02-30"), ("day", "٢٠٢٦-٠١-٠١"), ("day", "9999-12-31")])
def test_strict_form_fields_refuse_on_the_field(field, value):
    form = _Form({field: value})
    assert not form.is_valid()
    assert list(form.errors) == [field]


def test_strict_form_fields_keep_good_values():
    form = _Form({"count": "12", "price": "1234.50", "day": "2026-03-01"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"count": 12, "price": Decimal("1234.50"), "day": date(2026, 3, 1)}
