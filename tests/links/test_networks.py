"""A short link as the networks see it: the composer's placeholder counts like a real code on every network that
publishes, and Bluesky makes the short link a link facet over exactly its bytes."""

from __future__ import annotations

import pytest

from federe.connectors import registry
from federe.connectors.bluesky.text import facets
from federe.connectors.capabilities import Capability
from federe.links import addresses, services

TEXT = "Café ☕ nouvelle carte : https://example.org/menus/automne-2026?ref=post#plats. À bientôt !"


@pytest.fixture(autouse=True)
def _base(settings):
    settings.FEDERE_BASE_URL = "https://federe.example"


@pytest.mark.parametrize("key", sorted(c.key for c in registry.available() if Capability.PUBLISH in c.capabilities))
def test_the_preview_counts_like_the_text_sent(key):
    rules = registry.connector_class(key).post_rules
    sent = addresses.swap_text(TEXT, lambda link: addresses.short_url(services.new_code()))
    assert rules.count(addresses.as_previewed(TEXT)) == rules.count(sent)


def test_bluesky_makes_the_short_link_a_link_facet():
    short = addresses.short_url("aB3dE5f")
    sent = addresses.swap_text(TEXT, lambda link: short)
    (facet,) = [f for f in facets(sent, lambda handle: None) if f["features"][0]["$type"].endswith("#link")]
    start, end = facet["index"]["byteStart"], facet["index"]["byteEnd"]
    assert sent.encode()[start:end].decode() == short
    assert facet["features"][0]["uri"] == short
