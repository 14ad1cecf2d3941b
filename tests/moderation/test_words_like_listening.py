"""A word, phrase or wildcard watched by a moderation rule matches exactly when the same term, as a listening
query, matches: both go through federe.core.text.normalise and federe.core.wordmatch."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import textwrap

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from federe.listening.matching.doc import MatchDoc
from federe.listening.matching.matcher import compile
from federe.listening.query.errors import QuerySyntaxError
from federe.listening.query.nodes import Phrase, Term
from federe.listening.query.parser import parse
from federe.moderation.conditions import Facts, evaluate

# Letters with their variants (case, accents, ligatures, ß, Ł, typographic apostrophes and dashes), separators.
PIECES = ["a", "A", "à", "e", "É", "é", "œ", "oe", "Œ", "ß", "ss", "ł", "L", "ø", "o", "ﬁ", "fi", "ｆ", "1"]
SEPARATORS = [" ", "  ", "'", "’", "-", "–", "_", ",", "\u200b", "\u00ad"]
term_text = st.lists(st.sampled_from([*PIECES, *PIECES, " ", "'", "’", "-", "*"]), min_size=1, max_size=8).map("".join)
message_text = st.lists(st.sampled_from([*PIECES, *PIECES, *SEPARATORS]), max_size=30).map("".join)


def facts(text: str) -> Facts:
    return Facts(text=text, html="", language="fr", connection_id=1, author_is_new=False)


def rule_matches(term: str, text: str) -> bool:
    return evaluate({"type": "words", "words": [term]}, facts(text)) is not None


def listening_queries(term: str) -> list:
    """The term as a listening query: a quoted phrase always, and also a bare word when it reads as one."""
    queries = []
    try:
        queries.append(Phrase(term))
    except ValueError:
        return []
    with contextlib.suppress(ValueError):
        queries.append(Term(term))
    return queries


@given(term_text, message_text)
@settings(max_examples=1500, suppress_health_check=[HealthCheck.too_slow])
def test_a_rule_and_a_listening_query_agree_on_every_input(term, text):
    queries = listening_queries(term)
    assume(queries)
    doc = MatchDoc.from_message(text)
    expected = rule_matches(term, text)
    for query in queries:
        assert compile(query).matches(doc) is expected, (term, text, str(query))


@pytest.mark.parametrize(
    ("term", "text"),
    [
        ("c'est gratuit", "C’est gratuit"),
        ("coeur", "Cœur"),
        ("Straße", "STRASSE"),
        ("lodz", "Łódź"),
        ("free followers", "free   followers"),
        ("gagn*z", "gagnez_vite"),
        ("ﬁ*al", "FINAL"),
    ],
)
def test_known_disagreements_are_gone(term, text):
    assert rule_matches(term, text)
    assert all(compile(q).matches(MatchDoc.from_message(text)) for q in listening_queries(term))


def test_parsed_bare_word_is_the_same_term():
    assert parse("c'est") == Term("c'est")
    with pytest.raises(QuerySyntaxError):
        parse("a*")


ADVERSARIAL = textwrap.dedent(
    """
    from federe.listening.matching.doc import MatchDoc
    from federe.listening.matching.matcher import compile
    from federe.listening.query.parser import parse
    from federe.moderation.conditions import Facts, evaluate

    word = "a" * 5000  # no "z": every way of placing the stars fails
    assert not compile(parse("a*a*a*a*a*z")).matches(MatchDoc.from_message(word))
    facts = Facts(text=word, html="", language="fr", connection_id=1, author_is_new=False)
    assert evaluate({"type": "words", "words": ["a*a*a*a*a*z"]}, facts) is None
    assert evaluate({"type": "words", "words": ["a*a*a*a*a*"]}, facts) is not None
    print("done")
    """
)


def run_isolated(code: str) -> None:
    """Run ``code`` in a fresh interpreter; the generous timeout only keeps a regression from hanging the suite."""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "done"


def test_many_stars_against_a_long_word_do_not_backtrack():
    """The old regular expressions took 4.4 s (listening) and 11 s (a rule) on a 200-character word, and grow
    with its fifth power: this 5,000-character word would take years. Linear matching takes milliseconds."""
    run_isolated(ADVERSARIAL)


def test_the_contact_condition_reads_a_long_word_in_one_pass():
    """The e-mail pattern used to try every start of a long word to its end: 14 s for 32,768 characters,
    growing with the square of the length (about 9 minutes here). Bounded parts make it linear."""
    run_isolated(
        textwrap.dedent(
            """
            from federe.moderation.conditions import Facts, evaluate

            def facts(text):
                return Facts(text=text, html="", language="fr", connection_id=1, author_is_new=False)

            assert evaluate({"type": "contact"}, facts("a" * 200_000)) is None
            assert evaluate({"type": "contact"}, facts("a" * 100 + "@" + "b" * 200_000)) is None
            assert evaluate({"type": "contact"}, facts("x" * 100_000 + " jo@example.org"))["code"] == "email"
            print("done")
            """
        )
    )
