"""A message's text is stored up to FEDERE_MAX_MESSAGE_TEXT_KB (64 K characters by default), with a note."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.urls import reverse
from django.utils import translation

from federe.connectors.types import Author, Item
from federe.inbox.ingest import ingest_items
from federe.inbox.models import Message
from federe.listening import services as listening

pytestmark = pytest.mark.django_db


def item(external_id: str, html: str) -> Item:
    return Item(
        external_id=external_id,
        thread_id="t1",
        author=Author(external_id="a1", handle="a1", display_name="Ana"),
        body_html=html,
        created_at=datetime(2026, 11, 1, tzinfo=UTC),
    )


def test_a_long_message_keeps_its_first_characters_and_says_so(connection, settings):
    settings.FEDERE_MAX_MESSAGE_TEXT_KB = 1
    words = " ".join(f"mot{n}" for n in range(1000))  # about 6,000 characters
    html = f"<p>{words}</p>"
    ingest_items(connection, [item("long", html), item("short", "<p>court</p>")])
    long = Message.objects.get(connection=connection, external_id="long")
    assert long.body_text == words[:1024]
    assert long.body_truncated_from == len(html)
    assert "mot0 mot1" in long.body_html and "mot999" not in long.body_html
    short = Message.objects.get(connection=connection, external_id="short")
    assert short.body_text == "court" and short.body_truncated_from is None


def test_a_ten_megabyte_one_word_message_is_cut_at_the_default_limit(connection, workspace, owner):
    word = "a" * 10_000_000
    ingest_items(connection, [item("huge", f"<p>{word}</p>")])
    huge = Message.objects.get(connection=connection, external_id="huge")
    assert huge.body_text == "a" * 64 * 1024
    assert len(huge.body_html) < 70 * 1024
    assert huge.body_truncated_from == len(word) + len("<p></p>")
    # The listening preview reads it in one pass (it used to hang for minutes on the wildcards).
    assert [m.pk for m in listening.preview(workspace, "a*a*a*a*a*z")] == []
    assert [m.pk for m in listening.preview(workspace, "aa*a*a")] == [huge.pk]


def test_an_edit_that_is_still_too_long_stores_nothing_new(connection, settings):
    settings.FEDERE_MAX_MESSAGE_TEXT_KB = 1
    html = "<p>" + "x" * 5000 + "</p>"
    ingest_items(connection, [item("m", html)])
    stats = ingest_items(connection, [item("m", html)])
    assert stats.updated == 0 and stats.stored == 0


def test_the_thread_shows_the_note(client, owner, connection, settings):
    settings.FEDERE_MAX_MESSAGE_TEXT_KB = 1
    ingest_items(connection, [item("long", "<p>" + "y " * 3000 + "</p>")])
    message = Message.objects.get(connection=connection, external_id="long")
    client.force_login(owner)
    url = reverse("inbox:thread", kwargs={"slug": connection.workspace.slug, "pk": message.conversation_id})
    with translation.override("en"):  # the middleware activates the request's language: leave none behind
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        french = client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Only the beginning of this message is stored" in page
    assert "Seul le début de ce message est conservé" in french
