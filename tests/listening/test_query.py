from __future__ import annotations

import pytest
from django.utils import translation
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from federe.core.text import normalise, words
from federe.listening.query.errors import QuerySyntaxError
from federe.listening.query.nodes import And, Field, Near, Not, Or, Phrase, Query, Term
from federe.listening.query.parser import parse
from federe.listening.query.values import MAX_DEPTH, MAX_NEAR_DISTANCE, MAX_QUERY_LENGTH, normalize_field_value

T, P = Term, Phrase


def F(name: str, value: str) -> Field:
    return Field(name, value)


def syntax_error(text: str) -> QuerySyntaxError:
    with pytest.raises(QuerySyntaxError) as info:
        parse(text)
    return info.value


# --- folding and words -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Communauté", "communaute"),
        ("COMMUNAUTÉ", "communaute"),
        ("Œuvre cœur", "oeuvre coeur"),
        ("Ex æquo", "ex aequo"),
        ("Straße", "strasse"),
        ("ﬁnal", "final"),  # ligature, NFKD
        ("Ça", "ca"),
    ],
)
def test_fold(text, folded):
    assert normalise(text) == folded


def test_words_cut_at_apostrophes_and_punctuation():
    assert words("L’entreprise d'Acme, c'est-à-dire: NUL!") == [
        "l",
        "entreprise",
        "d",
        "acme",
        "c",
        "est",
        "a",
        "dire",
        "nul",
    ]


# --- parsing -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        ("acme", T("acme")),
        ("acme fédère", And((T("acme"), T("fédère")))),  # implicit AND
        ("acme AND fédère", And((T("acme"), T("fédère")))),
        ("a b AND c", And((T("a"), T("b"), T("c")))),  # one AND, flat
        ("a OR b c", Or((T("a"), And((T("b"), T("c")))))),  # AND binds tighter than OR
        ("a b OR c", Or((And((T("a"), T("b"))), T("c")))),
        ("NOT a b", And((Not(T("a")), T("b")))),  # NOT binds tighter than AND
        ("a NOT b", And((T("a"), Not(T("b"))))),
        ("a -b", And((T("a"), Not(T("b"))))),
        ("-(a OR b)", Not(Or((T("a"), T("b"))))),
        ('-"a b"', Not(P("a b"))),
        ("NOT NOT a", Not(Not(T("a")))),
        ("(a OR b) c", And((Or((T("a"), T("b"))), T("c")))),
        ("a AND (b AND c)", And((T("a"), And((T("b"), T("c")))))),  # parentheses are kept as structure
        ("((a))", T("a")),
        ('"service client"', P("service client")),
        ('"il a dit \\"non\\""', P('il a dit "non"')),
        ("communaut*", T("communaut*")),
        ("organi*ation", T("organi*ation")),
        ("l'entreprise", T("l'entreprise")),
        ("a NEAR/3 b", Near(T("a"), T("b"), 3)),
        ('"service client" NEAR/5 lent', Near(P("service client"), T("lent"), 5)),
        ("x a NEAR/2 b y", And((T("x"), Near(T("a"), T("b"), 2), T("y")))),
        ("NOT a NEAR/2 b", Not(Near(T("a"), T("b"), 2))),  # NEAR binds tighter than NOT
        ("(a) NEAR/0 b", Near(T("a"), T("b"), 0)),
        ('(a OR "b c") NEAR/2 (d OU e)', Near(Or((T("a"), P("b c"))), Or((T("d"), T("e"))), 2)),
        # French operators
        ("acme ET fédère", And((T("acme"), T("fédère")))),
        ("acme OU fédère", Or((T("acme"), T("fédère")))),
        ("acme SAUF emploi", And((T("acme"), Not(T("emploi"))))),
        # lower-case operators are words
        ("rouge et noir", And((T("rouge"), T("et"), T("noir")))),
        ("cats or dogs", And((T("cats"), T("or"), T("dogs")))),
        # fields
        ("lang:fr", F("lang", "fr")),
        ("lang:FR", F("lang", "fr")),
        ("langue:en_GB", F("lang", "en-gb")),
        ("channel:12", F("channel", "12")),
        ('channel:"Forum  Acme"', F("channel", "Forum Acme")),
        ("site:https://WWW.Example.com/page?x=1", F("site", "www.example.com")),
        ("site:example.com:8080", F("site", "example.com")),
        ("site:café.fr", F("site", "xn--caf-dma.fr")),
        ("author:@Jeanne", F("author", "Jeanne")),
        ("auteur:jeanne", F("author", "jeanne")),
        ("has:link", F("has", "link")),
        ("has:lien", F("has", "link")),
        (
            "acme -lang:en (site:acme.fr OR has:link)",
            And((T("acme"), Not(F("lang", "en")), Or((F("site", "acme.fr"), F("has", "link"))))),
        ),
        ("10:30", T("10:30")),  # a colon after digits is not a filter
    ],
)
def test_parse(text, tree):
    assert parse(text) == tree


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("acme AND fédère", "acme fédère"),
        ("a OR b c", "a OR (b c)"),
        ("NOT a", "-a"),
        ("NOT (a b)", "-(a b)"),
        ("NOT a NEAR/2 b", "-(a NEAR/2 b)"),
        ("a ET b OU c SAUF d", "(a b) OR (c -d)"),
        ('a"b"', 'a "b"'),
        ('channel:"Forum Acme" channel:Forum', 'channel:"Forum Acme" channel:Forum'),
        ('"back\\\\slash \\"q\\""', '"back\\slash \\"q\\""'),
        ("((a OR b))", "a OR b"),
        ("(a OR b) NEAR/4 c", "(a OR b) NEAR/4 c"),
        ("x (a OR b) NEAR/4 c", "x (a OR b) NEAR/4 c"),
    ],
)
def test_canonical_printing(text, canonical):
    query = parse(text)
    assert str(query) == canonical
    assert parse(canonical) == query


def test_ast_nodes_refuse_what_cannot_be_printed_back():
    for bad in ("AND", "a b", "lang:fr", "-a", "NEAR/2", "!!!", "(a"):
        with pytest.raises(ValueError):
            Term(bad)
    with pytest.raises(ValueError):
        Field("lang", "FR")  # not canonical
    with pytest.raises(ValueError):
        Near(Not(T("a")), T("b"), 1)
    with pytest.raises(ValueError):
        And((T("a"),))


# --- errors ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "position", "expected", "words_in_message"),
    [
        ("", 0, "term", "empty"),
        ("   ", 3, "term", "empty"),
        ("acme AND", 8, "term", "ends too early"),
        ("acme OR OR b", 8, "term", '"OR" cannot come here'),
        ("AND acme", 0, "term", '"AND" cannot come here'),
        ("()", 1, "term", '")" cannot come here'),
        ("(acme OR b", 10, "closing_parenthesis", "opened at character 1"),
        ("x (a (b)", 8, "closing_parenthesis", "opened at character 3"),
        ("acme)", 4, "end_of_query", "no matching opening"),
        ('acme "service client', 20, "closing_quote", "character 6"),
        ('channel:"Forum', 14, "closing_quote", "character 9"),
        ("a NEAR b", 6, "near_distance", "NEAR/5"),
        ("a NEAR/ b", 7, "near_distance", "NEAR/5"),
        ("a NEAR/x b", 7, "near_distance", "NEAR/5"),
        (f"a NEAR/{MAX_NEAR_DISTANCE + 1} b", 7, "near_distance", "from 0 to 100"),
        ("a NEAR/3 lang:fr", 9, "near_operand", "two words or phrases"),
        ("(a b) NEAR/3 c", 0, "near_operand", "two words or phrases"),
        ("a NEAR/3 -b", 9, "near_operand", "two words or phrases"),
        ("a NEAR/3", 8, "near_operand", "two words or phrases"),
        ("a NEAR/3 (b c)", 9, "near_operand", "two words or phrases"),
        ("(a OR -b) NEAR/3 c", 0, "near_operand", "two words or phrases"),
        ("(a OR b) NEAR/3 (c OR lang:fr)", 16, "near_operand", "two words or phrases"),
        ("a NEAR/2 b NEAR/3 c", 11, "near_operand", "cannot follow another NEAR"),
        ("lang:", 5, "field_value", "needs a value"),
        ("acme lang: x", 10, "field_value", "needs a value"),
        ("lang:français", 5, "field_value", "not a language code"),
        ("site:exa$mple.com", 5, "field_value", "not a site address"),
        ("has:image", 4, "field_value", "only accepts has:link"),
        ('author:"@"', 7, "field_value", "needs a value"),
        ("lnag:fr", 0, "field_name", "not a known filter"),
        ("acme - emploi", 5, "term", "minus sign"),
        ("acme -", 5, "term", "minus sign"),
        ("a*", 0, "wildcard", "at least 2"),
        ("acme *", 5, "wildcard", "at least 2"),
        ("acme !!!", 5, "term", "no letters or digits"),
        ('acme "?!"', 5, "term", "no letters or digits"),
    ],
)
def test_syntax_errors(text, position, expected, words_in_message):
    error = syntax_error(text)
    assert (error.position, error.expected) == (position, expected)
    assert words_in_message in error.message
    assert str(error) == error.message


def test_limits():
    long = "acme " * (MAX_QUERY_LENGTH // 5 + 1)
    error = syntax_error(long)
    assert (error.position, error.expected) == (MAX_QUERY_LENGTH, "query_too_long")
    assert str(len(long)) in error.message

    deep = "(" * (MAX_DEPTH + 1) + "a" + ")" * (MAX_DEPTH + 1)
    error = syntax_error(deep)
    assert (error.position, error.expected) == (MAX_DEPTH, "too_deep")
    assert parse("(" * MAX_DEPTH + "a" + ")" * MAX_DEPTH) == T("a")

    nots = "NOT " * (MAX_DEPTH + 5) + "a"
    assert syntax_error(nots).expected == "too_deep"

    # the canonical form counts too: 'ET' is printed 'AND'... and a phrase glued to a word gets a space
    glued = 'a"b"' * (MAX_QUERY_LENGTH // 4)
    assert len(glued) <= MAX_QUERY_LENGTH
    assert syntax_error(glued).expected == "query_too_long"


def test_error_message_follows_the_active_language():
    """Position and code do not depend on the language; the message is always a sentence.

    The French text shows once the lead merges the translations into the catalogue: see the next test.
    """
    for language in ("en", "fr"):
        with translation.override(language):
            error = syntax_error("(acme OR b")
        assert (error.position, error.expected) == (10, "closing_parenthesis")
        assert isinstance(error.message, str) and error.message.strip()


def test_error_message_in_french_once_translated():
    msgid = 'A closing parenthesis ")" is missing for the one opened at character %(open)s.'
    with translation.override("fr"):
        translated = translation.gettext(msgid)
        if translated == msgid:
            pytest.skip("the French catalogue has no listening query messages yet (see /tmp/fr-listening-query.json)")
        error = syntax_error("(acme OR b")
    assert error.message == translated % {"open": 1}


# --- property-based ----------------------------------------------------------------------------------------------

FRAGMENTS = [
    "acme", "Communauté", "communaut*", "l'entreprise", "œuvre", "a", "b", "12", " ", " ", " ", "(", ")", '"', "\\",
    "-", "*", ":", "AND", "OR", "NOT", "ET", "OU", "SAUF", "and", "NEAR/3", "NEAR/", "NEAR", "lang:fr", "lang:",
    "site:acme.fr", "site:", "channel:", "channel:7", "author:@jo", "has:link", "has:", "foo:", "’", "é", "\t", "\n",
]  # fmt: skip
EXPECTED_CODES = {
    "term", "wildcard", "closing_parenthesis", "end_of_query", "closing_quote", "near_distance", "near_operand",
    "field_name", "field_value", "query_too_long", "too_deep",
}  # fmt: skip

query_like = st.lists(st.sampled_from(FRAGMENTS), max_size=40).map("".join)
any_text = st.one_of(st.text(max_size=200), query_like)


def _check_round_trip(text: str) -> None:
    try:
        query = parse(text)
    except QuerySyntaxError as error:
        assert 0 <= error.position <= len(text)
        assert error.expected in EXPECTED_CODES
        assert error.message
        return
    printed = str(query)
    assert parse(printed) == query
    assert str(parse(printed)) == printed


@settings(max_examples=1500, suppress_health_check=[HealthCheck.too_slow])
@given(any_text)
def test_random_text_parses_or_raises_a_syntax_error_and_round_trips(text):
    _check_round_trip(text)


def _valid(build, *args):
    try:
        return build(*args)
    except ValueError:
        return None


WORDS = ["acme", "Communauté", "communaut*", "org*ation", "*tion", "l'entreprise", "Œuvre", "C++", "café-crème",
         "2024", "et", "and", "near", "x_y", "#pub", "@jo", "10:30", "a.b", "ÉTÉ", "ß"]  # fmt: skip
terms = st.one_of(
    st.sampled_from(WORDS),
    st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=12),
).map(lambda text: _valid(Term, text))
terms = terms.filter(lambda node: node is not None)
phrases = st.text(max_size=30).map(lambda text: _valid(Phrase, text)).filter(lambda node: node is not None)


def _field(name: str, raw: str) -> Field | None:
    try:
        return Field(name, normalize_field_value(name, raw))
    except Exception:
        return None


fields = st.one_of(
    st.sampled_from(["fr", "en", "EN-gb", "de"]).map(lambda v: _field("lang", v)),
    st.sampled_from(["acme.fr", "https://blog.example.com/x", "café.fr"]).map(lambda v: _field("site", v)),
    st.tuples(st.sampled_from(["channel", "author"]), st.text(min_size=1, max_size=20)).map(lambda p: _field(*p)),
    st.just(Field("has", "link")),
).filter(lambda node: node is not None)


sequences = st.one_of(terms, phrases)
near_sides = st.one_of(sequences, st.lists(sequences, min_size=2, max_size=3).map(lambda ops: Or(tuple(ops))))


def _extend(children):
    return st.one_of(
        children.map(Not),
        st.lists(children, min_size=2, max_size=4).map(lambda ops: And(tuple(ops))),
        st.lists(children, min_size=2, max_size=4).map(lambda ops: Or(tuple(ops))),
        st.builds(Near, near_sides, near_sides, st.integers(0, MAX_NEAR_DISTANCE)),
    )


queries = st.recursive(st.one_of(terms, phrases, fields), _extend, max_leaves=16)


@settings(max_examples=800, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(queries)
def test_generated_queries_round_trip(query: Query):
    assume(query.depth <= MAX_DEPTH and len(str(query)) <= MAX_QUERY_LENGTH)
    assert parse(str(query)) == query
