"""A Bluesky post's length in graphemes and its facets in UTF-8 byte offsets."""

from __future__ import annotations

from federe.connectors.bluesky.text import count_graphemes, facets, graphemes

DIDS = {"alice.test": "did:plc:alice", "bob.bsky.social": "did:plc:bob"}


def resolve(handle: str) -> str | None:
    return DIDS.get(handle)


def spans(text: str) -> list[tuple[str, str, dict]]:
    """Each facet as the text it covers (cut by its byte offsets), its kind and its feature."""
    data = text.encode("utf-8")
    found = []
    for facet in facets(text, resolve):
        index, feature = facet["index"], facet["features"][0]
        covered = data[index["byteStart"] : index["byteEnd"]].decode("utf-8")
        found.append((covered, feature["$type"].split("#")[1], feature))
    return found


def test_plain_letters_count_one_each():
    assert count_graphemes("Bonjour") == 7
    assert count_graphemes("") == 0


def test_what_a_reader_sees_as_one_character_counts_one():
    assert count_graphemes("e\u0301te\u0301") == 3  # "été", each é written as e + combining accent
    assert count_graphemes("👩‍👩‍👧‍👦") == 1  # a family: four emoji joined by zero-width joiners
    assert count_graphemes("👍🏽") == 1  # with a skin tone
    assert count_graphemes("🇫🇷🇨🇦") == 2  # two flags, each two regional indicators
    assert count_graphemes("❤️") == 1  # with a variation selector
    assert count_graphemes("a\r\nb") == 3
    assert graphemes("🇫🇷x") == ["🇫🇷", "x"]


def test_three_hundred_emoji_families_are_three_hundred():
    assert count_graphemes("👨‍👩‍👧" * 300) == 300
    assert len("👨‍👩‍👧" * 300) == 1500


def test_links_mentions_and_tags_with_byte_offsets_after_accents_and_emoji():
    text = "Café ☕ ouvert ! Voir https://example.org/menu?x=1. Merci @alice.test #brunch #2026 #été"
    found = spans(text)
    assert found == [
        (
            "https://example.org/menu?x=1",
            "link",
            {"$type": "app.bsky.richtext.facet#link", "uri": "https://example.org/menu?x=1"},
        ),
        ("@alice.test", "mention", {"$type": "app.bsky.richtext.facet#mention", "did": "did:plc:alice"}),
        ("#brunch", "tag", {"$type": "app.bsky.richtext.facet#tag", "tag": "brunch"}),
        ("#été", "tag", {"$type": "app.bsky.richtext.facet#tag", "tag": "été"}),
    ]


def test_an_unknown_handle_stays_plain_text_and_an_address_is_no_mention():
    assert spans("Hello @nobody.test and mail me at team@example.org") == []


def test_a_hash_inside_a_link_is_not_a_tag():
    assert [kind for _text, kind, _f in spans("Lire https://example.org/page#section puis #suite")] == ["link", "tag"]


def test_a_link_in_brackets_leaves_the_bracket_out():
    assert spans("(voir https://example.org/a)")[0][0] == "https://example.org/a"
