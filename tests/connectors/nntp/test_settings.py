"""Settings for a news server that cannot work are refused in words, before any connection. (The connection form:
the contract suite, test_contract.py; the real server: test_integration.py.)"""

from __future__ import annotations

import pytest
from django.utils import translation

from federe.connectors import registry
from federe.connectors.errors import Permanent

pytestmark = pytest.mark.django_db


def test_a_private_address_is_refused_before_any_connection():
    connector = registry.build("nntp", config={"host": "10.1.2.3", "targets": ["a.b"]}, credentials={})
    with translation.override("fr"), pytest.raises(Permanent, match="Fédère refuse"):
        connector.fetch(None)


def test_settings_that_cannot_work_are_refused_in_words():
    def check(config):
        registry.build("nntp", config={"host": "news.example.org", **config}, credentials={}).check()

    with pytest.raises(Permanent, match="between 1 and 65535"):
        check({"port": "x"})
    with pytest.raises(Permanent, match='"yes" or "no"'):
        check({"tls": "maybe"})
    with pytest.raises(Permanent, match="news server's name"):
        check({"host": "http://news.example.org/"})
    with pytest.raises(Permanent, match="Choose the newsgroups"):
        registry.build("nntp", config={"host": "news.example.org"}, credentials={}).fetch(None)
