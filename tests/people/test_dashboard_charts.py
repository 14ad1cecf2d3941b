from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.urls import reverse

from federe.connectors.types import Author, Item
from federe.inbox.ingest import ingest_items


def test_people_page_draws_levels_and_the_retention_curve(client, connection, owner):
    start = datetime(2026, 1, 5, 9, tzinfo=UTC)
    items = []
    for member in range(4):
        days = [0, 3, 40] if member < 2 else [0]  # two come back in week 1, none of the others
        for n, day in enumerate(days):
            items.append(
                Item(
                    f"p{member}-{n}",
                    f"t{member}",
                    Author(f"m{member}", f"m{member}"),
                    "<p>bonjour</p>",
                    start + timedelta(days=day),
                )
            )
    items.append(Item("late", "t9", Author("late"), "<p>plus tard</p>", start + timedelta(days=200)))
    ingest_items(connection, items)
    client.force_login(owner)
    page = client.get(reverse("people:list", args=["acme"])).content.decode()
    assert "Persons by level" in page
    assert "Members who posted again, by week after their first post (%)" in page
    # Week 1 (days 1–7): 2 of the 4 members who could be followed came back: 50 %.
    assert "<title>7: 50</title>" in page
