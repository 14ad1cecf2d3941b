from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from federe.listening.matching.doc import MatchDoc
from federe.listening.matching.matcher import compile
from federe.listening.matching.multi import MultiMatcher, meta_keys, required_keys
from federe.listening.query.errors import QuerySyntaxError
from federe.listening.query.parser import parse


def doc(text: str = "", **meta) -> MatchDoc:
    return MatchDoc.from_message(text, **meta)


def matches(query: str, message: MatchDoc | str) -> bool:
    if isinstance(message, str):
        message = doc(message)
    return compile(parse(query)).matches(message)


# --- prepared documents ------------------------------------------------------------------------------------------


def test_match_doc_prepares_words_positions_and_metadata():
    message = doc(
        "L’équipe d'Acme répond: voir https://Support.Acme.fr/faq et www.example.com",
        language="fr-FR",
        channel_id=7,
        channel_name="Forum   Acme",
        url="https://forum.acme.fr/t/12",
        author_handle="@Jeanne",
    )
    assert message.tokens[:5] == ("l", "equipe", "d", "acme", "repond")
    assert message.positions["acme"] == [3, 8]  # the word, then the link's host
    assert message.lang == "fr-fr"
    assert (message.channel_id, message.channel_name) == ("7", "forum acme")
    assert message.url_host == "forum.acme.fr"
    assert message.link_hosts == {"support.acme.fr", "www.example.com"}
    assert message.author_handle == "jeanne"
    assert message.has_link is True
    assert doc("pas de lien ici, juste acme.fr").has_link is False


# --- words, accents and case -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "text", "hit"),
    [
        ("communauté", "La COMMUNAUTE est là", True),
        ("COMMUNAUTE", "une communauté", True),
        ("Œuvre", "un chef-d'oeuvre", True),
        ("coeur", "de tout CŒUR", True),
        ("ex aequo", "Ex-æquo", True),
        ("entreprise", "l'entreprise", True),
        ("entreprise", "l’entreprise", True),
        ("l'entreprise", "chez L’ENTREPRISE", True),
        ("l'entreprise", "l'autre entreprise", False),  # a term cut in two is a phrase
        ("acme", "acmecorp", False),  # whole words only
        ("acme", "#acme @acme_fr", True),
        ("communaut*", "les communautés", True),
        ("communaut*", "commune", False),
        ("organi*ation", "organisation ou organization", True),
        ("organi*ation", "organisations", False),
        ("*tion", "une belle attention", True),
        ("c*m*t*", "COMMUNAUTÉ", True),
        ("2024", "en 2024 !", True),
    ],
)
def test_terms(query, text, hit):
    assert matches(query, text) is hit


@pytest.mark.parametrize(
    ("query", "text", "hit"),
    [
        ('"service client"', "Le SERVICE-CLIENT est lent", True),
        ('"service client"', "le client du service", False),
        ('"service client"', "service après-vente, client", False),
        ('"service client*"', "service clientèle", True),
        ('"le service"', "Le service", True),
        ('"a b a"', "x a b a y", True),
        ('"a b a"', "a b b a", False),
    ],
)
def test_phrases(query, text, hit):
    assert matches(query, text) is hit


@pytest.mark.parametrize(
    ("query", "text", "hit"),
    [
        ("acme NEAR/2 lent", "acme est très lent", True),  # two words between
        ("acme NEAR/1 lent", "acme est très lent", False),
        ("lent NEAR/2 acme", "acme est très lent", True),  # either order
        ("acme NEAR/2 lent", "lent est très acme", True),
        ("acme NEAR/0 lent", "acme lent", True),
        ("acme NEAR/0 lent", "lent acme", True),
        ("acme NEAR/0 lent", "acme x lent", False),
        ('"service client" NEAR/3 nul', "nul, vraiment, leur service client", True),
        ('"service client" NEAR/1 nul', "nul vraiment leur service client", False),
        ("acme NEAR/5 acme", "acme", False),  # two distinct occurrences are needed
        ("acme NEAR/5 acme", "acme et acme", True),
        ("acm* NEAR/1 lent*", "lentement, acmé", True),
        ('(acme OR "acme cloud") NEAR/1 (lent OR slow)', "Acme Cloud, toujours lent", True),
        ('(acme OR "acme cloud") NEAR/1 (lent OR slow)', "acme est vraiment très slow", False),
        ("(acme OR fédère) NEAR/2 (lent OR slow)", "slow, comme Fédère", True),
    ],
)
def test_near(query, text, hit):
    assert matches(query, text) is hit


def test_near_at_the_boundary_of_the_distance():
    for gap in range(0, 8):
        text = " ".join(["acme", *(["mot"] * gap), "cher"])
        assert matches(f"acme NEAR/{gap} cher", text)
        assert matches(f"cher NEAR/{gap} acme", text)
        if gap:
            assert not matches(f"acme NEAR/{gap - 1} cher", text)


@pytest.mark.parametrize(
    ("query", "text", "hit"),
    [
        ("acme -emploi", "acme recrute: offre d'emploi", False),
        ("acme -emploi", "acme est génial", True),
        ("acme NOT emploi*", "acme emplois", False),
        ("acme SAUF emploi", "Acme, enfin", True),
        ("-acme", "rien à voir", True),
        ("-acme", "acme", False),
        ("acme OR fédère -spam", "fédère spam", False),  # -spam goes with fédère (AND before OR)
        ("acme OR fédère -spam", "acme spam", True),
        ("(acme OR fédère) -spam", "acme spam", False),
        ("NOT NOT acme", "acme", True),
        ("-(acme NEAR/1 nul)", "acme est nul", False),
        ("-(acme NEAR/1 nul)", "acme, le service est nul", True),
    ],
)
def test_boolean(query, text, hit):
    assert matches(query, text) is hit


def test_fields():
    message = doc(
        "Bravo à l'équipe",
        language="fr-CA",
        channel_id=12,
        channel_name="Forum Acme",
        url="https://Blog.Acme.fr/post/1",
        author_handle="@Jeanne_D",
    )
    assert matches("lang:fr", message)
    assert matches("lang:fr-ca", message)
    assert not matches("lang:en", message)
    assert not matches("lang:fr-fr", message)
    assert matches("channel:12", message)
    assert matches('channel:"forum acme"', message)
    assert matches('channel:"FORUM   ACMÉ"', message)
    assert not matches("channel:13", message)
    assert not matches("channel:forum", message)  # the whole name, not a word of it
    assert matches("author:jeanne_d", message)
    assert matches("author:@JEANNE_D", message)
    assert not matches("author:jeanne", message)
    assert not matches("has:link", message)  # the message's own address is not a link in it
    assert matches("-has:link", message)
    assert matches("bravo lang:fr -lang:en channel:12", message)
    assert matches("(lang:en OR lang:fr) équipe", message)
    assert not matches("bravo -lang:fr", message)


@pytest.mark.parametrize(
    ("query", "url", "text", "hit"),
    [
        ("site:acme.fr", "https://acme.fr/x", "", True),
        ("site:acme.fr", "https://blog.acme.fr/x", "", True),  # subdomain
        ("site:acme.fr", "https://www.blog.acme.fr:8443/x", "", True),
        ("site:acme.fr", "https://notacme.fr/x", "", False),  # not a subdomain, just the same ending
        ("site:acme.fr", "https://acme.fr.evil.com/x", "", False),
        ("site:blog.acme.fr", "https://acme.fr/", "", False),
        ("site:acme.fr", "", "voir https://shop.acme.fr/p?id=1 !", True),  # a link in the text
        ("site:acme.fr", "", "voir www.acme.fr", True),
        ("site:acme.fr", "", "voir acme.fr", False),  # a bare domain is not a link
        ("site:acme.fr has:link", "", "https://acme.fr", True),
        ("site:café.fr", "https://www.xn--caf-dma.fr/", "", True),
        ("site:xn--caf-dma.fr", "https://blog.café.fr/", "", True),
    ],
)
def test_site(query, url, text, hit):
    assert matches(query, doc(text, url=url)) is hit


def test_has_link_counts_links_given_outside_the_text():
    assert matches("has:link", doc("voir le lien", links=["https://acme.fr/promo"]))
    assert matches("site:acme.fr", doc("voir le lien", links=["https://acme.fr/promo"]))


def test_explain_gives_what_to_highlight_in_the_original_text():
    text = "Le SERVICE client d’Acme est nul, mais la Communauté est géniale."
    matcher = compile(parse('("service client" OR acme OR absent) communaut* -emploi* lang:fr'))
    hits = matcher.explain(doc(text, language="fr"))
    assert [(hit.text, hit.source) for hit in hits] == [
        ("SERVICE client", '"service client"'),
        ("Acme", "acme"),
        ("Communauté", "communaut*"),
    ]
    assert all(text[hit.start : hit.end] == hit.text for hit in hits)
    # no hits when the query does not match: another language, or a negated word present
    assert matcher.explain(doc(text, language="en")) == []
    assert matcher.explain(doc(text + " Offre d'emploi.", language="fr")) == []


def test_explain_near_highlights_both_sides_and_folds_ligatures():
    text = "Cœur de l’œuvre ; l'ŒUVRE a du cœur"  # coeur0 de l oeuvre3 l oeuvre5 a du coeur8
    hits = compile(parse("oeuvre NEAR/2 coeur")).explain(doc(text))
    assert [h.text for h in hits] == ["Cœur", "œuvre", "ŒUVRE", "cœur"]


# --- many queries at once ----------------------------------------------------------------------------------------


def test_required_keys():
    key = required_keys
    assert key(parse("acme")) == {("w", "acme")}
    assert key(parse("acme lang:fr -emploi")) == {("w", "acme")}
    assert key(parse("acme OR federe")) == {("w", "acme"), ("w", "federe")}
    assert key(parse("(acme OR federe) servicing")) == {("w", "servicing")}  # one long word beats two
    assert key(parse('"le service client"')) == {("w", "service")}
    assert key(parse("communaut*")) == {("p", "communaut")}
    assert key(parse("*tion")) is None
    assert key(parse("acme OR lang:fr")) == {("w", "acme"), ("lang", "fr")}
    assert key(parse("lang:fr has:link")) == {("has", "link")}  # the rarer of the two
    assert key(parse("lang:fr site:acme.fr")) == {("site", "acme.fr")}
    assert key(parse("channel:12")) == {("channel_id", "12"), ("channel", "12")}
    assert key(parse("-acme")) is None
    assert key(parse("acme OR -lang:fr")) is None


def test_meta_keys_of_a_message():
    message = doc(
        "voir https://shop.acme.fr/x",
        language="fr-CA",
        channel_id=3,
        channel_name="Forum",
        url="https://forum.ex.com/t",
        author_handle="@Jo",
    )
    assert set(meta_keys(message)) == {
        ("lang", "fr"), ("lang", "fr-ca"),
        ("site", "shop.acme.fr"), ("site", "acme.fr"), ("site", "fr"),
        ("site", "forum.ex.com"), ("site", "ex.com"), ("site", "com"),
        ("channel_id", "3"), ("channel", "forum"), ("author", "jo"), ("has", "link"),
    }  # fmt: skip


def test_multimatcher_only_evaluates_queries_whose_words_are_present():
    queries = {i: parse(f"brand{i} OR product{i}") for i in range(500)}
    queries["fields"] = parse("lang:fr -has:link")
    queries["prefix"] = parse("communaut* lang:fr")
    queries["site"] = parse("site:acme.fr OR brand7")
    queries["negative"] = parse("-lang:de")
    multi = MultiMatcher(queries)
    assert multi.always == ["negative"]
    message = doc("Merci à product42 et à la communauté", language="fr")
    assert multi.candidates(message) == {42, "fields", "prefix", "negative"}
    assert multi.match(message) == {42, "fields", "prefix", "negative"}
    assert multi.candidates(doc("rien", language="de", url="https://blog.acme.fr/")) == {"site", "negative"}
    assert multi.match(doc("rien", language="de", url="https://blog.acme.fr/")) == {"site"}


VOCAB = [
    "acme", "acmé", "Fédère", "federe", "service", "client", "clientèle", "communauté", "communautés", "nul",
    "génial", "lent", "emploi", "emplois", "l'entreprise", "prix", "price", "delivery", "livraison", "bug",
    "le", "la", "the", "and", "et", "Œuvre", "organisation", "organization", "brandly", "sonora",
]  # fmt: skip
QUERY_ATOMS = [
    "acme", "federe", "service", "client*", "communaut*", "nul", "lent", "emploi*", "l'entreprise", "prix OR price",
    '"service client"', '"le prix"', "organi*ation", "*tion", "brandly", "sonora", "the", "lang:fr", "lang:en",
    "site:acme.fr", "has:link", "channel:2", "author:jo", "acme NEAR/2 lent", '"service client" NEAR/3 nul',
]  # fmt: skip


def _random_query(rng: random.Random, depth: int = 0) -> str:
    roll = rng.random()
    if depth > 2 or roll < 0.4:
        return rng.choice(QUERY_ATOMS)
    if roll < 0.55:
        return "-" + "(" + _random_query(rng, depth + 1) + ")"
    operator = rng.choice([" ", " AND ", " OR ", " OU ", " ET "])
    parts = [_random_query(rng, depth + 1) for _ in range(rng.randint(2, 4))]
    return "(" + operator.join(parts) + ")"


def _random_message(rng: random.Random) -> MatchDoc:
    words = [rng.choice(VOCAB) for _ in range(rng.randint(0, 14))]
    if rng.random() < 0.2:
        words.insert(rng.randint(0, len(words)), rng.choice(["https://shop.acme.fr/x", "www.other.com"]))
    return doc(
        " ".join(words),
        language=rng.choice(["fr", "en", "fr-CA", ""]),
        channel_id=rng.randint(1, 3),
        channel_name=rng.choice(["Forum", "Blog"]),
        url=rng.choice(["", "https://forum.acme.fr/t/1", "https://example.com/a"]),
        author_handle=rng.choice(["jo", "@Jo", "max"]),
    )


def test_multimatcher_agrees_with_each_query_alone():
    rng = random.Random(20260105)
    queries = {}
    while len(queries) < 400:
        try:
            queries[len(queries)] = parse(_random_query(rng))
        except QuerySyntaxError:  # e.g. two NEARs glued together by a random AND are refused, as they should be
            continue
    messages = [_random_message(rng) for _ in range(400)]
    multi = MultiMatcher(queries)
    singles = {qid: compile(q) for qid, q in queries.items()}
    total = 0
    for message in messages:
        expected = {qid for qid, m in singles.items() if m.matches(message)}
        assert multi.match(message) == expected
        total += len(expected)
    # the comparison means something only if queries both match and fail
    assert 0 < total < len(messages) * len(queries)
    assert len(multi.always) < len(queries)
    assert sum(len(multi.candidates(m)) for m in messages) < len(messages) * len(queries)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.sampled_from(QUERY_ATOMS), min_size=1, max_size=3),
    st.lists(st.sampled_from([" ", " OR ", " -"]), min_size=2, max_size=2),
    st.lists(st.sampled_from(VOCAB), max_size=12),
)
def test_multimatcher_agrees_on_generated_cases(atoms, operators, message_words):
    text = atoms[0]
    for operator, atom in zip(operators, atoms[1:], strict=False):
        text += operator + "(" + atom + ")"
    query = parse(text)
    message = doc(" ".join(message_words), language="fr", url="https://acme.fr")
    multi = MultiMatcher({"q": query})
    assert multi.match(message) == ({"q"} if compile(query).matches(message) else set())
