"""Amounts read as people type them, and shown back: Decimal both ways, never float."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from federe.core.money import CURRENCIES, format_amount, parse_amount

amounts = st.decimals(min_value=0, max_value=Decimal("999999999.99"), places=2, allow_nan=False)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1234.5", "1234.50"),
        ("1 234,50", "1234.50"),
        ("1\u202f234,50", "1234.50"),
        ("1,234.50", "1234.50"),
        ("1.234,50", "1234.50"),
        ("€1,234", "1234.00"),
        ("1234,50 EUR", "1234.50"),
        ("0,5", "0.50"),
    ],
)
def test_french_and_english_writings(text, expected):
    assert parse_amount(text, "EUR") == Decimal(expected)


@pytest.mark.parametrize("text", ["", "-3", "abc", "12,3,4.5x", "1" * 14])
def test_refusals_say_why(text):
    with pytest.raises(ValueError) as refused:
        parse_amount(text, "EUR")
    assert str(refused.value)


@given(amounts, st.sampled_from(["en", "fr"]))
def test_what_is_shown_reads_back_the_same(amount, language):
    with translation.override(language):
        shown = format_amount(amount, "EUR")
    assert parse_amount(shown, "EUR") == amount


def test_the_currency_list_is_iso_codes():
    assert "EUR" in CURRENCIES and "USD" in CURRENCIES and "XAU" not in CURRENCIES
    assert all(len(code) == 3 and code.isupper() for code in CURRENCIES)
