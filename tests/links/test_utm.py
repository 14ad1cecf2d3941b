"""UTM templates and their merging into an address: existing parameters and fragments kept."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from federe.links import addresses, services, utm

CONTEXT = utm.Context(channel="Café blog", network="dummy", post_id="12", date="2026-03-29")


def test_the_defaults_name_the_network_the_post_and_the_channel():
    assert utm.resolve(utm.DEFAULTS, CONTEXT) == {
        "utm_source": "dummy",
        "utm_medium": "social",
        "utm_campaign": "post-12",
        "utm_term": "",
        "utm_content": "Café blog",
    }


def test_existing_parameters_and_the_fragment_are_kept_as_written():
    merged = utm.merged("https://a.example/p?ref=home&q=caf%C3%A9+noir&flag#part", {"utm_source": "x y"})
    assert merged == "https://a.example/p?ref=home&q=caf%C3%A9+noir&flag&utm_source=x+y#part"


def test_a_utm_parameter_already_there_is_replaced_and_empty_ones_are_left_out():
    merged = utm.merged("https://a.example/?utm_source=old&b=2", {"utm_source": "new", "utm_term": ""})
    assert merged == "https://a.example/?b=2&utm_source=new"


def test_an_unknown_variable_is_refused_in_words():
    with pytest.raises(ValidationError) as refused:
        services.check_templates({"utm_source": "{netwrok}"})
    assert "{netwrok}" in refused.value.message_dict["utm_source"][0]


def test_a_template_longer_than_200_characters_is_refused():
    with pytest.raises(ValidationError) as refused:
        services.check_templates({"utm_campaign": "x" * 201})
    assert "utm_campaign" in refused.value.message_dict


@pytest.mark.parametrize(
    "address",
    [
        "javascript:alert(1)",
        "data:text/html,hi",
        "ftp://example.org/file",
        "https://example.org/" + "a" * 10_000,  # 10 KB
        "https:///no-host",
    ],
)
def test_only_http_and_https_addresses_of_a_sane_length_are_shortened(address):
    assert addresses.valid_target(address) == ""
    assert addresses.links_in(f"see {address} now") == []


def test_links_end_before_the_punctuation_that_ends_a_sentence():
    text = "Voir https://a.example/x?y=1. Et (https://b.example/p), https://a.example/x?y=1!"
    assert addresses.links_in(text) == ["https://a.example/x?y=1", "https://b.example/p"]


def test_short_links_are_not_shortened_again(settings):
    settings.FEDERE_BASE_URL = "https://federe.example"
    assert addresses.links_in("https://federe.example/l/abcDEF1 https://x.example") == ["https://x.example"]


def test_the_preview_keeps_the_length_of_a_short_link(settings):
    settings.FEDERE_BASE_URL = "https://federe.example/"
    shown = addresses.as_previewed("Go https://example.org/a/very/long/path/indeed. Bye")
    assert shown == "Go https://federe.example/l/•••••••. Bye"
    assert len(addresses.short_url("abcdefg")) == len("https://federe.example/l/•••••••")
