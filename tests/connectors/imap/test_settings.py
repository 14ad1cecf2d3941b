"""The channels page connects a mailbox: its fields in both languages, refusals in words, the password never
sent back. (Connecting to the real Dovecot: test_integration.py.)"""

from __future__ import annotations

import pytest
from django.utils import translation

from federe.connections.models import Connection
from federe.connectors import registry
from federe.connectors.errors import Permanent

pytestmark = pytest.mark.django_db


def test_the_form_shows_the_mailbox_fields_with_their_help_in_french(client, owner, workspace):
    owner.language = "fr"
    owner.save(update_fields=["language"])
    client.force_login(owner)
    page = client.get(f"/w/{workspace.slug}/channels/").content.decode()
    assert 'data-network="imap"' in page and 'name="imap__password"' in page and 'name="imap__imap_host"' in page
    assert "Boîte e-mail (IMAP et SMTP)" in page and "STARTTLS quand le serveur le propose" in page


def test_a_server_that_does_not_answer_is_said_and_the_password_not_sent_back(client, owner, workspace):
    client.force_login(owner)
    page = client.post(
        f"/w/{workspace.slug}/channels/",
        {
            "name": "Support",
            "network": "imap",
            "imap__imap_host": "127.0.0.1",
            "imap__imap_port": "9",
            "imap__user": "support@example.org",
            "imap__password": "s3cret-mailbox-pass",
        },
    ).content.decode()
    assert "The mail server 127.0.0.1:9 did not answer" in page
    assert "s3cret-mailbox-pass" not in page
    assert not Connection.objects.filter(workspace=workspace).exists()


def test_a_private_address_is_refused_before_any_connection():
    connector = registry.build("imap", config={"imap_host": "10.1.2.3", "user": "u@example.org"}, credentials={})
    with translation.override("fr"), pytest.raises(Permanent, match="Fédère refuse"):
        connector.fetch(None)


def test_settings_out_of_range_are_refused_in_words():
    with pytest.raises(Permanent, match="security must be one of auto, starttls, tls, none"):
        registry.build("imap", config={"imap_host": "h", "user": "u", "security": "ssl3"}, credentials={}).check()
    with pytest.raises(Permanent, match="between 1 and 65535"):
        registry.build("imap", config={"imap_host": "h", "user": "u", "imap_port": "x"}, credentials={}).check()
