"""The query page: its mentions pager and its opinion leaders."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from federe.inbox.ingest import ingest_items
from tests.listening_app.test_services import item, query

pytestmark = pytest.mark.django_db


def test_the_mentions_pager_reaches_page_two_when_the_name_has_a_hash(client, connection, owner):
    q = query(connection.workspace, owner, "C# & friends", "lumière")
    ingest_items(connection, [item(n, f"lumière {n}", author=f"u{n}", minutes_ago=n) for n in range(35)])
    client.force_login(owner)
    url = reverse("listening-query", args=["acme", q.pk])
    first = client.get(url, {"leaders": "reach"}).content.decode()
    older = re.search(r'<a href="([^"]*)">Older', first)
    assert older is not None
    href = older.group(1).replace("&amp;", "&")
    assert "#" not in href and "C" not in href.split("page=")[0]
    second = client.get(url + href).content.decode()
    assert "Page 2 of 2" in second and 'aria-current="true">Reach' in second
