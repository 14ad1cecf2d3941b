"""A variant measured against its network's rules, in the network's own unit, with refusals in words."""

from __future__ import annotations

from django.utils import translation

from federe.connectors.types import PostRules
from federe.publishing.limits import Draft, MediaFacts, check

TINY = PostRules(max_length=10, media_max=1, alt_text_required=True, visibilities=("public", "unlisted"))


def words(text: str) -> int:
    """A network that counts words, not characters: the limit follows the rules' own count."""
    return len(text.split())


def test_length_is_counted_the_networks_way():
    rules = PostRules(max_length=3, count=words)
    measure = check(rules, Draft(text="un deux trois"))
    assert (measure.count, measure.remaining, measure.ok) == (3, 0, True)
    over = check(rules, Draft(text="un deux trois quatre cinq"))
    assert over.over and over.remaining == -2
    assert over.errors == ["2 characters over this network's limit of 3."]


def test_one_over_is_singular_and_french_has_its_words():
    one = check(TINY, Draft(text="x" * 11))
    assert one.errors == ["1 character over this network's limit of 10."]
    with translation.override("fr"):
        two = check(TINY, Draft(text="x" * 12))
    assert two.errors == ["2 caractères de plus que la limite de 10 de ce réseau."]


def test_no_limit_never_over():
    measure = check(PostRules(), Draft(text="x" * 100_000))
    assert measure.remaining is None and measure.ok


def test_empty_post_refused():
    assert check(TINY, Draft(text="   ")).errors == ["Write something to post."]
    assert check(TINY, Draft(media=(MediaFacts("image/png", 10, "a cat"),))).ok


def test_media_count_type_size_and_alt_text():
    rules = PostRules(media_max=1, media_max_bytes=1000, alt_text_required=True)
    two = (MediaFacts("image/png", 10, "a"), MediaFacts("image/png", 10, "b"))
    assert "This network takes at most 1 image." in check(rules, Draft(text="hi", media=two)).errors
    bad = check(rules, Draft(text="hi", media=(MediaFacts("image/tiff", 5000, ""),)))
    assert bad.errors == [
        "Image 1: this network takes no files of type image/tiff.",
        "Image 1 is larger than this network's limit of 1000\xa0bytes.",
        "Image 1: this network needs a description (alt text).",
    ]
    none = check(PostRules(), Draft(text="hi", media=(MediaFacts("image/png", 5, "x"),)))
    assert none.errors == ["This network takes no images."]


def test_alt_text_optional_where_the_network_does_not_ask():
    rules = PostRules(media_max=4)
    assert check(rules, Draft(text="hi", media=(MediaFacts("image/jpeg", 5),))).ok


def test_options_the_network_lacks_are_notes_or_errors():
    measure = check(TINY, Draft(text="hi", title="T", content_warning="cw", language="fr", visibility="direct"))
    assert measure.errors == ["This network has no visibility “direct”."]
    assert measure.notes == [
        "This network takes no title: it is left out.",
        "This network has no content warning: it is left out.",
        "This network does not take a language: it is left out.",
    ]
    assert check(TINY, Draft(text="hi", visibility="unlisted")).ok
