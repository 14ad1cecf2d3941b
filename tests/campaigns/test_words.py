"""A campaign's sentences keep "p = 1,00" on one line: the spaces around "=" or "<" do not break."""

from __future__ import annotations

import pytest
from django.utils import translation

from federe.campaigns import words
from federe.campaigns.impact import Figure
from federe.campaigns.stats import Comparison


def _figure(p_value: float) -> Figure:
    return Figure("mentions", "count", 10, 12, Comparison(10, 12, p_value))


@pytest.mark.parametrize(
    ("lang", "p_value", "expected"),
    [
        ("en", 1.0, "(p\u00a0=\u00a01.00)"),
        ("fr", 1.0, "(p\u00a0=\u00a01,00)"),
        ("en", 0.03, "(p\u00a0=\u00a00.03)"),
        ("fr", 0.001, "(p\u00a0<\u00a00,01)"),
    ],
)
def test_the_p_value_is_kept_together(lang, p_value, expected):
    with translation.override(lang):
        said = words.sentence(_figure(p_value))
    assert said.endswith(expected), said
    assert ("normale" in said) == (lang == "fr")
