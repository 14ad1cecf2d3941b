from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from federe.core.text import normalise, normalise_with_offsets, term_patterns, words


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Communauté", "communaute"),
        ("Cœur ŒUVRE", "coeur oeuvre"),
        ("Ex æquo", "ex aequo"),
        ("Straße STRASSE", "strasse strasse"),
        ("Łódź", "lodz"),
        ("Øre Ærø", "ore aero"),
        ("Đorđe Þór", "dorde thor"),
        ("ﬁnal", "final"),  # ligature
        ("Ａｃｍｅ ２０２６", "acme 2026"),  # full width
        ("C’est l‘été ʼ `x´", "c'est l'ete ' 'x'"),
        ("«“Bonjour”»", '""bonjour""'),
        ("a–b—c‐d−e", "a-b-c-d-e"),
        ("gra\u200btuit ar\u00adnaque", "gratuit arnaque"),  # invisible characters hide nothing
        ("e\u0301te\u0301", "ete"),  # decomposed accents
        ("İstanbul", "istanbul"),
        ("한국어", "한국어"),  # syllables stay syllables
    ],
)
def test_normalise(text, expected):
    assert normalise(text) == expected


@given(st.text())
@settings(max_examples=500)
def test_normalise_is_idempotent(text):
    once = normalise(text)
    assert normalise(once) == once


@given(st.text())
@settings(max_examples=300)
def test_offsets_point_back_to_the_input(text):
    folded, offsets = normalise_with_offsets(text)
    assert folded == normalise(text)
    assert len(offsets) == len(folded)
    assert offsets == sorted(offsets)
    assert all(0 <= at < len(text) for at in offsets)


def test_words_and_term_patterns():
    assert " ".join(words("L’entreprise d'Acme, c'est-à-dire: NUL!")) == "l entreprise d acme c est a dire nul"
    assert term_patterns("C’est GRATUIT") == ("c", "est", "gratuit")
    assert term_patterns("Organi**ATION cœur*") == ("organi*ation", "coeur*")
    assert term_patterns("!!!") == ()
