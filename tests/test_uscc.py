import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from core.uscc import ALPHABET, is_valid_uscc, normalize_uscc, org_code_check_char, uscc_check_char, uscc_errors, \
    uscc_make, validate_uscc


@pytest.mark.parametrize("code", ["91330282671205242Y", "91310115MA1K3BTP2B", "121200004013590816"])
def test_known_valid_codes(code):
    assert uscc_errors(code) == []
    assert is_valid_uscc(code)


def test_known_invalid_code():
    assert not is_valid_uscc("91350100M000100Y4Z")
    with pytest.raises(ValidationError) as exc:
        validate_uscc("91350100M000100Y4Z")
    assert exc.value.code == "uscc_alphabet"


def test_lower_case_and_spaces_are_normalised():
    assert normalize_uscc(" 91310115ma1k3btp2b ") == "91310115MA1K3BTP2B"
    assert is_valid_uscc("91310115ma1k3btp2b")


@pytest.mark.parametrize(
    "code, error",
    [
        ("9133028267120524", "length"),
        ("91330282671205242I", "alphabet"),
        ("B1330282671205242Y", "authority"),
        ("90330282671205242Y", "type"),
        ("9133A282671205242Y", "division"),
        ("91330282671205243Y", "org_check"),
        ("91330282671205242X", "check"),
    ],
)
def test_each_rule_has_its_own_error(code, error):
    assert [c for c, _ in uscc_errors(code)] == [error]


def test_weights_are_powers_of_three_mod_31():
    from core.uscc import WEIGHTS

    assert WEIGHTS == [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def test_first_character_may_be_a_letter():
    for authority in "ANY":
        code = uscc_make(authority=authority, org_type="1", org_body="12345678")
        assert is_valid_uscc(code), code


org_bodies = st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=8, max_size=8)
divisions = st.text(alphabet="0123456789", min_size=6, max_size=6)


@given(body=org_bodies, division=divisions, authority=st.sampled_from("123456789ANY"),
       org_type=st.sampled_from("123456789"))
def test_every_built_code_is_valid(body, division, authority, org_type):
    code = uscc_make(authority=authority, org_type=org_type, division=division, org_body=body)
    assert len(code) == 18
    assert uscc_errors(code) == []


@given(body=org_bodies, division=divisions, position=st.integers(min_value=0, max_value=17),
       replacement=st.sampled_from(ALPHABET))
def test_any_single_substitution_is_detected(body, division, position, replacement):
    code = uscc_make(division=division, org_body=body)
    if code[position] == replacement:
        return
    mutated = code[:position] + replacement + code[position + 1:]
    assert not is_valid_uscc(mutated)


@given(body=org_bodies, division=divisions, position=st.integers(min_value=0, max_value=15))
def test_any_adjacent_transposition_is_detected(body, division, position):
    code = uscc_make(division=division, org_body=body)
    a, b = code[position], code[position + 1]
    if a == b:
        return
    swapped = code[:position] + b + a + code[position + 2:]
    assert not is_valid_uscc(swapped)


def test_check_functions_match_the_published_examples():
    assert org_code_check_char("67120524") == "2"
    assert uscc_check_char("91330282671205242") == "Y"


def fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


@pytest.mark.parametrize("typed", [
    fullwidth("91330282671205242Y"),  # a Chinese input method in full-width mode
    fullwidth("91330282671205242y"),
    "９１３３０２８２\u3000６７１２０５２４\u3000２Ｙ",  # with ideographic spaces between the groups
    "91330282－67120524－2Y",  # full-width hyphens
    "\ufeff91330282 6712 0524 2Y\u200b",  # pasted with a byte-order mark and a zero-width space
])
def test_codes_typed_with_a_chinese_input_method_are_normalised_and_valid(typed):
    assert normalize_uscc(typed) == "91330282671205242Y"
    assert is_valid_uscc(typed)
    validate_uscc(typed)  # no error


def test_normalising_does_not_make_a_wrong_code_right():
    assert uscc_errors(normalize_uscc(fullwidth("91330282671205242X")))[0][0] == "check"
