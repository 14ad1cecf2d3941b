"""Creating a channel: the network is asked first, outside any database transaction."""

from __future__ import annotations

import httpx
import pytest
import respx
from django.core.exceptions import ValidationError
from django.db import connection as db
from django.utils import translation

from federe.connections.models import Connection
from federe.connections.services import create_connection
from federe.core.netsafe import fetch as fetching

FEED = "https://93.184.216.34/feed.xml"  # a public address literal: no DNS needed, respx answers
RSS = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>https://93.184.216.34/</link>'
    b"<item><title>Hello</title><link>https://93.184.216.34/1</link></item></channel></rss>"
)


def _open_transactions() -> int:
    """Atomic blocks open now, not counting the ones the test case wraps each test in."""
    return sum(not getattr(block, "_from_testcase", False) for block in db.atomic_blocks)


@pytest.fixture
def network_calls(monkeypatch):
    """Each network request made, with the number of database transactions open at that moment."""
    seen: list[int] = []
    real = fetching.request  # where every connector request goes, conditional GETs included

    def spy(*args, **kwargs):
        seen.append(_open_transactions())
        return real(*args, **kwargs)

    monkeypatch.setattr(fetching, "request", spy)
    return seen


def test_the_network_check_runs_outside_any_transaction(owner, workspace, network_calls):
    with respx.mock() as mock:
        mock.get(FEED).mock(return_value=httpx.Response(200, content=RSS))
        connection = create_connection(
            workspace=workspace, network="rss", name="Feed", config={"feed_url": FEED}, credentials={}, by=owner
        )
    assert network_calls == [0]
    assert Connection.objects.get(pk=connection.pk).config == {"feed_url": FEED}


def test_a_refused_check_stores_nothing(owner, workspace, network_calls):
    with respx.mock() as mock, translation.override("en"):
        mock.get(FEED).mock(return_value=httpx.Response(404))
        with pytest.raises(ValidationError) as caught:
            create_connection(
                workspace=workspace, network="rss", name="Feed", config={"feed_url": FEED}, credentials={}, by=owner
            )
    assert "no feed at this address" in caught.value.message_dict["credentials"][0]
    assert network_calls == [0] and not Connection.objects.filter(workspace=workspace).exists()
