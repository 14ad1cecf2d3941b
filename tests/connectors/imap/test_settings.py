"""Settings for a mailbox that cannot work are refused in words, before any connection. (The connection form:
the contract suite, test_contract.py; the real server: test_integration.py.)"""

from __future__ import annotations

import pytest
from django.utils import translation

from federe.connectors import registry
from federe.connectors.errors import Permanent

pytestmark = pytest.mark.django_db


def test_a_private_address_is_refused_before_any_connection():
    connector = registry.build("imap", config={"imap_host": "10.1.2.3", "user": "u@example.org"}, credentials={})
    with translation.override("fr"), pytest.raises(Permanent, match="Fédère refuse"):
        connector.fetch(None)


def test_settings_out_of_range_are_refused_in_words():
    with pytest.raises(Permanent, match="security must be one of auto, starttls, tls, none"):
        registry.build("imap", config={"imap_host": "h", "user": "u", "security": "ssl3"}, credentials={}).check()
    with pytest.raises(Permanent, match="between 1 and 65535"):
        registry.build("imap", config={"imap_host": "h", "user": "u", "imap_port": "x"}, credentials={}).check()
