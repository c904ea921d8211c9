"""Money is exact: typed as yuan, stored as integer fen, never a float."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hazreg.errors import InvalidInput
from hazreg.money import MAX_FEN, from_fen, parse_yuan, to_fen


@pytest.mark.parametrize(
    ("typed", "yuan"),
    [
        ("12000", "12000.00"),
        ("12,000.50", "12000.50"),
        ("1,200,000", "1200000.00"),
        ("1.2万", "12000.00"),
        ("1.2万元", "12000.00"),
        ("0.35万", "3500.00"),
        ("1.23456万", "12345.60"),
        ("3000元", "3000.00"),
        ("3000 元", "3000.00"),
        ("  800.5  ", "800.50"),
        ("¥12000", "12000.00"),
        ("１２０００", "12000.00"),
        ("１２，０００．５０", "12000.50"),
        ("１．２万", "12000.00"),
        ("0", "0.00"),
        ("0.01", "0.01"),
        ("5.10", "5.10"),
        ("5.100", "5.10"),  # trailing zeros are not a third decimal
        (12000, "12000.00"),
        (Decimal("99.9"), "99.90"),
        (Decimal("1E+3"), "1000.00"),
    ],
)
def test_parse_yuan(typed, yuan: str) -> None:
    amount = parse_yuan(typed)
    assert isinstance(amount, Decimal)
    assert amount == Decimal(yuan)
    assert str(amount) == yuan  # always two decimals


@pytest.mark.parametrize("typed", ["-5", "abc", "", "  ", "12 000", "1.2.3", "1e3", "NaN", "Infinity", "5元5",
                                   "万", ".5", "5.", "1.2千", "$5", Decimal("NaN"), Decimal("-1"), -5])
def test_not_an_amount(typed) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_yuan(typed, field="funds")
    assert caught.value.key == "err.money"
    assert caught.value.field == "funds"
    assert "not an amount in yuan" in str(caught.value)


@pytest.mark.parametrize("typed", ["1.234", "0.001", "12000.505", "1.2345678万", "1.00000000000000000000000000001"])
def test_more_than_two_decimals_is_refused(typed: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_yuan(typed)
    assert caught.value.key == "err.money_cents"
    assert "more than two decimals" in str(caught.value)


def test_amounts_too_large_to_store_are_refused_not_a_crash() -> None:
    largest = from_fen(MAX_FEN)
    assert parse_yuan(str(largest)) == largest
    for typed in (str(largest + Decimal("0.01")), "1" * 30, "9" * 40 + "万"):
        with pytest.raises(InvalidInput) as caught:
            parse_yuan(typed)
        assert caught.value.key == "err.money"


def test_spreadsheet_floats_keep_what_was_typed() -> None:
    assert parse_yuan(12000.5) == Decimal("12000.50")
    assert isinstance(parse_yuan(0.1), Decimal)


def test_fen() -> None:
    assert to_fen(Decimal("12000.50")) == 1200050
    assert to_fen(Decimal("0.01")) == 1
    assert to_fen(Decimal("0.29")) == 29
    assert to_fen(Decimal("0")) == 0
    assert from_fen(1200050) == Decimal("12000.50")
    assert str(from_fen(1200050)) == "12000.50"
    assert str(from_fen(7)) == "0.07"
    assert from_fen(None) is None
    assert isinstance(to_fen(Decimal("1.10")), int)


def test_to_fen_never_truncates_part_of_a_fen() -> None:
    with pytest.raises(ValueError):
        to_fen(Decimal("0.015"))


amounts = st.decimals(min_value=0, max_value=from_fen(MAX_FEN), places=2, allow_nan=False, allow_infinity=False)


@given(amounts)
def test_yuan_fen_yuan_round_trips_exactly(yuan: Decimal) -> None:
    fen = to_fen(yuan)
    assert isinstance(fen, int)
    back = from_fen(fen)
    assert isinstance(back, Decimal)
    assert back == yuan
    assert back.as_tuple().exponent == -2


@given(st.integers(min_value=-MAX_FEN, max_value=MAX_FEN))
def test_fen_yuan_fen_round_trips_exactly(fen: int) -> None:
    assert to_fen(from_fen(fen)) == fen


@given(amounts)
def test_what_is_shown_parses_back_to_the_same_amount(yuan: Decimal) -> None:
    shown = str(from_fen(to_fen(yuan)))
    assert parse_yuan(shown) == yuan
    assert parse_yuan(f"{yuan:,}") == yuan  # with thousands separators
    assert parse_yuan(shown + "元") == yuan


@given(st.integers(min_value=0, max_value=10**12), st.integers(min_value=0, max_value=99))
def test_never_a_float_and_wan_is_ten_thousand(whole: int, cents: int) -> None:
    typed = f"{whole}.{cents:02d}"
    amount = parse_yuan(typed)
    assert type(amount) is Decimal
    assert to_fen(amount) == whole * 100 + cents
    wan = parse_yuan(typed + "万")
    assert type(wan) is Decimal
    assert wan == Decimal(typed) * 10000
