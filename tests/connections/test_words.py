"""What a channel's health says is in the reader's language, even for failures Fédère did not foresee."""

from __future__ import annotations

import pytest
from django.utils import translation

from federe.connections import services
from federe.connectors import registry
from federe.connectors.errors import Permanent
from federe.connectors.types import ModerationAction, OutgoingPost, OutgoingReply

pytestmark = pytest.mark.django_db


def test_an_unexpected_failure_is_said_in_french(connection, monkeypatch):
    def broken(conn, items, pending=None):
        raise RuntimeError("a bug")

    monkeypatch.setattr(services, "ingest_page", broken)
    with translation.override("fr"):
        run = services.sync_connection(connection.pk).run
    connection.refresh_from_db()
    assert connection.last_error == run.error
    assert run.error.startswith("Erreur inattendue dans Fédère ; la prochaine synchronisation réessaiera.")
    assert "RuntimeError" not in run.error  # no code name for the reader; the log has the details


def test_what_a_network_cannot_do_is_said_in_french():
    rss = registry.build("rss", config={"feed_url": "https://feeds.example/feed"}, credentials={})
    with translation.override("fr"):
        for attempt in (
            lambda: rss.reply(OutgoingReply(thread_id="1", parent_id="", body_html="x", idempotency_key="k")),
            lambda: rss.act(ModerationAction(kind="approve", external_id="1")),
            lambda: rss.publish(OutgoingPost(body_html="x", idempotency_key="k")),
        ):
            with pytest.raises(Permanent, match=r"^Flux RSS / Atom ne permet pas"):
                attempt()
