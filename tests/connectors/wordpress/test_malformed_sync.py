"""One malformed comment must not block a channel forever: it is skipped with its reason, the rest is stored.

A lone surrogate (``"\\ud800"``: valid JSON, not storable text) breaks the page on both databases; a NUL breaks it
on PostgreSQL. Before, the page's transaction failed, the cursor never moved and every retry failed the same way.
"""

from __future__ import annotations

import json

import httpx
import pytest
import respx
from django.db import connection as db

from federe.connections.models import Connection
from federe.connections.services import sync_connection
from federe.inbox.models import Message
from tests.connectors.wordpress.conftest import load
from tests.factories import ConnectionFactory

SITE = "https://blog.example.org"
pytestmark = pytest.mark.django_db


def _spoil(comment: dict, where: str, bad: str) -> None:
    if where == "content":
        comment["content"]["rendered"] = f"<p>Bonjour {bad}</p>"
    elif where == "author name":
        comment["author_name"] = f"Eve{bad}"
    elif where == "author e-mail":
        comment["author_email"] = f"eve{bad}@example.org"
    elif where == "post title":
        comment["_embedded"]["up"][0]["title"]["rendered"] = f"Titre {bad}"


def _sync_one_page(workspace, comments):
    connection = ConnectionFactory(
        workspace=workspace, network="wordpress", config={"site_url": SITE, "recheck_last": 0, "recheck_days": 0}
    )
    connection.set_credentials({"username": "brand", "app_password": "abcd efgh"})
    connection.save()
    body = json.dumps(comments).encode()  # ensure_ascii: a lone surrogate travels as the JSON escape \ud800
    with respx.mock(base_url=f"{SITE}/wp-json") as wp:
        wp.get("/wp/v2/comments").mock(
            return_value=httpx.Response(200, content=body, headers={"X-WP-Total": str(len(comments))})
        )
        outcome = sync_connection(connection.pk, worker_id="test")
    assert outcome is not None
    return Connection.objects.get(pk=connection.pk), outcome.run


CASES = [
    ("content", "\ud800"),
    ("author name", "\udfff"),
    ("author e-mail", "\ud83d"),
    ("post title", "\ud800"),
    ("author name", "\x00"),
    ("post title", "\x00"),
    ("content", "\x00"),
]


@pytest.mark.parametrize(("where", "bad"), CASES, ids=[f"{w}-{b.encode('unicode_escape').decode()}" for w, b in CASES])
def test_a_malformed_comment_is_skipped_and_the_rest_stored(workspace, dns, where, bad):
    comments = load("comments_page.json")
    spoiled = comments[2]
    _spoil(spoiled, where, bad)
    connection, run = _sync_one_page(workspace, comments)
    assert run.error == "" and run.outcome == "ok"
    assert run.malformed == 1 and run.stored == len(comments) - 1
    stored = set(Message.objects.filter(connection=connection).values_list("external_id", flat=True))
    assert stored == {str(c["id"]) for c in comments} - {str(spoiled["id"])}
    assert connection.cursor["last_id"] == max(c["id"] for c in comments)  # the cursor moved past it
    assert f"{spoiled['id']}" in connection.last_warning and "skipped" in connection.last_warning
    assert connection.last_error == ""


@pytest.mark.postgres
@pytest.mark.parametrize("where", ["author name", "post title", "content"])
def test_a_nul_does_not_block_a_channel_on_postgresql(workspace, dns, where):
    assert db.vendor == "postgresql"
    comments = load("comments_page.json")
    _spoil(comments[0], where, "\x00")
    _spoil(comments[1], "author name", "\ud800")
    connection, run = _sync_one_page(workspace, comments)
    assert run.error == "" and run.malformed == 2 and run.stored == len(comments) - 2
    assert connection.cursor["last_id"] == max(c["id"] for c in comments)
