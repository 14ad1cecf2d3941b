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
    url = reverse("listening:query", args=["acme", q.pk])
    first = client.get(url, {"leaders": "reach"}).content.decode()
    older = re.search(r'<a href="([^"]*)">Older', first)
    assert older is not None
    href = older.group(1).replace("&amp;", "&")
    assert "#" not in href and "C" not in href.split("page=")[0]
    second = client.get(url + href).content.decode()
    assert "Page 2 of 2" in second and 'aria-current="true">Reach' in second


def test_opinion_leaders_are_people_listed_once_with_their_identities(client, connection, owner):
    from federe.connections.models import Connection
    from federe.listening import voice
    from federe.people.identities.merging import merge
    from federe.people.models import Identity

    forum = Connection.objects.create(workspace=connection.workspace, name="Forum", network="dummy", config={})
    q = query(connection.workspace, owner, "Lumière", "lumière")
    ingest_items(connection, [item(1, "lumière un", author="ana", raw={"reach": 100, "engagement": 3})])
    ingest_items(connection, [item(2, "lumière deux", author="ana_pro", raw={"reach": 900, "engagement": 1})])
    ingest_items(forum, [item(3, "lumière trois", author="ana.f"), item(4, "lumière quatre", author="ana.f")])
    ingest_items(connection, [item(5, "lumière cinq", author="bob")])
    ana = Identity.objects.get(handle="ana").person
    for handle in ("ana_pro", "ana.f"):
        merge(keep=ana, absorb=Identity.objects.get(handle=handle).person, by=owner)
    leaders = voice.opinion_leaders(q)
    assert [(leader.person_id, leader.mentions, leader.reach, leader.engagement) for leader in leaders] == [
        (ana.pk, 4, 900, 4),
        (Identity.objects.get(handle="bob").person_id, 1, 0, 0),
    ]
    assert sorted(i.handle for i in leaders[0].identities) == ["ana", "ana.f", "ana_pro"]
    client.force_login(owner)
    page = client.get(reverse("listening:query", args=["acme", q.pk])).content.decode()
    leaders_html = page[page.index("Opinion leaders") :]
    assert leaders_html.count(f"/people/{ana.pk}/") == 1 and "ana.f" in leaders_html and "ana_pro" in leaders_html
