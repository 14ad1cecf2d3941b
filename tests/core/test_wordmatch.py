from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from federe.core.wordmatch import Glob, Sequence, Words


@pytest.mark.parametrize(
    ("pattern", "word", "hit"),
    [
        ("communaut*", "communaute", True),
        ("communaut*", "communaut", True),
        ("communaut*", "commune", False),
        ("organi*ation", "organisation", True),
        ("organi*ation", "organisations", False),
        ("*tion", "attention", True),
        ("c*m*t*", "communaute", True),
        ("ab*ba", "aba", False),  # head and tail may not overlap
        ("a*aa*a", "aaaa", True),
        ("a*aa*a", "aaa", False),
        ("a*b*c", "acb", False),
    ],
)
def test_glob(pattern, word, hit):
    assert Glob(pattern).match(word) is hit


@given(
    st.text(alphabet="ab*", min_size=1, max_size=8).filter(lambda p: "*" in p),
    st.text(alphabet="ab", max_size=12),
)
@settings(max_examples=500)
def test_glob_agrees_with_a_regular_expression(pattern, word):
    regex = "".join(".*" if ch == "*" else re.escape(ch) for ch in pattern)
    assert Glob(pattern).match(word) is bool(re.fullmatch(regex, word))


class CountingWord(str):
    """A word that records the part of itself each ``find`` reads."""

    def __new__(cls, value: str):
        word = super().__new__(cls, value)
        word.reads = []
        return word

    def find(self, sub, start=None, end=None):
        found = str.find(self, sub, start, end)
        self.reads.append((start, end if found < 0 else found + len(sub)))
        return found


@pytest.mark.parametrize(
    ("pattern", "word"),
    [
        ("a*a*a*a*a*z", "a" * 200_000 + "z"),  # took hours as a regular expression
        ("a*a*a*a*a*z", "a" * 199_999 + "za"),
        ("a*b*b*b*b*c", "a" + "b" * 100_000 + "c"),
        ("x*ab*ab*ab*y", "x" + "a" * 100_000 + "by"),
    ],
)
def test_glob_reads_a_word_at_most_once(pattern, word):
    """The steps, not the time: one search per part between stars, each starting where the previous one ended,
    so the regions read do not overlap and their total is at most the word's length."""
    counted = CountingWord(word)
    Glob(pattern).match(counted)
    glob = Glob(pattern)
    assert len(counted.reads) <= len(glob.middle)
    for (_, previous_end), (start, _) in zip(counted.reads, counted.reads[1:], strict=False):
        assert start >= previous_end
    assert sum(end - start for start, end in counted.reads) <= len(word)


def test_sequence_finds_phrases_with_wildcards():
    doc = Words.of("Le service clientèle, c’est gratuit ! Service client nul.")
    assert Sequence(("service", "client*")).spans(doc) == [(1, 3), (6, 8)]
    assert Sequence(("c", "est", "gratuit")).present(doc)
    assert not Sequence(("client", "service")).present(doc)
    assert doc.folded_text((3, 6)) == "c'est gratuit"
