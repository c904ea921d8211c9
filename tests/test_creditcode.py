"""The unified social credit code (GB 32100-2015): normalising, validating, the check character."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hazreg.creditcode import CHARSET, check_character, normalise, validate
from hazreg.errors import InvalidInput

REAL_CODES = ("91330100716105852F", "9144030071526726XG", "914403001922038216")

first17 = st.text(alphabet=CHARSET, min_size=17, max_size=17)


def _fails(text: str) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        validate(text)
    err = caught.value
    assert err.field == "credit_code"
    str(err)  # the message formats in the catalog with the parameters given
    return err


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_codes_are_valid(code: str) -> None:
    assert validate(code) == code
    assert check_character(code[:17]) == code[17]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("  91330100716105852F  ", "91330100716105852F"),
        ("91330100716105852f", "91330100716105852F"),
        ("9144030071526726xg", "9144030071526726XG"),
        ("９１３３０１００７１６１０５８５２ｆ", "91330100716105852F"),
        ("９１３３０１００７１６１０５８５２Ｆ", "91330100716105852F"),
        ("9133 0100 7161 0585 2F", "91330100716105852F"),
        ("\t913301007161\u3000 05852F\n", "91330100716105852F"),  # ideographic space too
    ],
)
def test_normalisation(typed: str, expected: str) -> None:
    assert normalise(typed) == expected
    assert validate(typed) == expected


@pytest.mark.parametrize(("typed", "length"), [("", 0), ("9133010071610585", 16), ("91330100716105852FF", 19),
                                                ("9133010071610585-2F", 19)])
def test_wrong_length_says_the_length(typed: str, length: int) -> None:
    err = _fails(typed)
    assert err.key == "err.code_length"
    assert err.params["length"] == length
    assert f"has {length} characters" in str(err)


@pytest.mark.parametrize("letter", list("IOSVZ"))
def test_forbidden_letters_are_named(letter: str) -> None:
    code = "91330100716105852F"
    for typed in (code[:5] + letter + code[6:], code[:5] + letter.lower() + code[6:]):
        err = _fails(typed)
        assert err.key == "err.code_chars"
        assert err.params["chars"] == letter
        assert letter in str(err)


@pytest.mark.parametrize("punct", list("-_.,/*#（"))
def test_punctuation_is_refused_as_characters(punct: str) -> None:
    typed = "9133010071610585" + punct + "F"  # still 18 characters
    err = _fails(typed)
    assert err.key == "err.code_chars"
    assert err.params["chars"] == unicodedata.normalize("NFKC", punct)


@pytest.mark.parametrize("code", REAL_CODES)
def test_wrong_last_character_says_the_expected_one(code: str) -> None:
    wrong = next(c for c in CHARSET if c != code[17])
    err = _fails(code[:17] + wrong)
    assert err.key == "err.code_check"
    assert err.params["expected"] == code[17]
    assert err.params["found"] == wrong
    assert f"expected {code[17]}" in str(err)


def test_check_character_is_in_the_charset_and_zero_maps_to_zero() -> None:
    assert check_character("0" * 17) == "0"
    assert all(check_character(c * 17) in CHARSET for c in CHARSET)


@given(first17)
def test_appending_the_check_character_makes_a_valid_code(body: str) -> None:
    code = body + check_character(body)
    assert validate(code) == code
    assert validate(code.lower()) == code


def test_single_substitution_is_detected_exhaustively_by_the_arithmetic() -> None:
    """Why the property below holds in all 18 positions, checked for every case.

    The check is sum(value*weight) ≡ -check (mod 31). Changing position i from a to b
    shifts the sum by weight_i*(b-a). 31 is prime, every weight is a power of 3 mod 31
    (never 0) and 0 < |b-a| < 31, so the shift is never 0 mod 31. In the 18th
    position the check character itself changes, which is unique per sum.
    """
    from hazreg.creditcode import _WEIGHTS

    assert len(_WEIGHTS) == 17
    assert all(w == pow(3, i, 31) for i, w in enumerate(_WEIGHTS))
    for w in _WEIGHTS:
        for a in range(31):
            for b in range(31):
                if a != b:
                    assert (w * (b - a)) % 31 != 0


@given(first17, st.integers(min_value=0, max_value=17), st.data())
def test_changing_any_one_character_makes_the_code_invalid(body: str, position: int, data) -> None:
    code = body + check_character(body)
    replacement = data.draw(st.sampled_from([c for c in CHARSET if c != code[position]]))
    changed = code[:position] + replacement + code[position + 1 :]
    with pytest.raises(InvalidInput) as caught:
        validate(changed)
    assert caught.value.key == "err.code_check"


@pytest.mark.parametrize("code", REAL_CODES)
def test_every_single_substitution_of_the_real_codes_is_caught(code: str) -> None:
    for position in range(18):
        for replacement in CHARSET:
            if replacement != code[position]:
                changed = code[:position] + replacement + code[position + 1 :]
                with pytest.raises(InvalidInput):
                    validate(changed)
