"""The channels page connects a news server: its fields in both languages, refusals in words, the password never
sent back. (Connecting to the real INN: test_integration.py.)"""

from __future__ import annotations

import pytest
from django.utils import translation

from federe.connections.models import Connection
from federe.connectors import registry
from federe.connectors.errors import Permanent

pytestmark = pytest.mark.django_db


def test_the_form_shows_the_news_server_fields_with_their_help_in_french(client, owner, workspace):
    owner.language = "fr"
    owner.save(update_fields=["language"])
    client.force_login(owner)
    page = client.get(f"/w/{workspace.slug}/channels/").content.decode()
    assert 'data-network="nntp"' in page and 'name="nntp__password"' in page and 'name="nntp__host"' in page
    assert "Groupes de discussion Usenet (NNTP)" in page and "119, ou 563 pour NNTP sur TLS" in page


def test_a_server_that_does_not_answer_is_said_and_the_password_not_sent_back(client, owner, workspace):
    client.force_login(owner)
    page = client.post(
        f"/w/{workspace.slug}/channels/",
        {
            "name": "Usenet",
            "network": "nntp",
            "nntp__host": "127.0.0.1",
            "nntp__port": "9",
            "nntp__user": "community",
            "nntp__password": "s3cret-news-pass",
        },
    ).content.decode()
    assert "The news server 127.0.0.1:9 did not answer" in page
    assert "s3cret-news-pass" not in page
    assert not Connection.objects.filter(workspace=workspace).exists()


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
