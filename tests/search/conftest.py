"""Messages with known words, stored through the real ingest pipeline (so the search step runs as in a sync)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from federe.connectors.types import Author, Item
from federe.inbox.ingest import ingest_items
from federe.inbox.models import Message

DAY = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)

TEXTS = [
    # (id, language, author handle, text)
    ("fr-horses", "fr", "jeanne", "Les chevaux sont arrivés à l'écurie ce matin."),
    ("fr-delivery", "fr", "jeanne", "Ma commande n'est toujours pas livrée, c'est inadmissible !"),
    ("en-running", "en", "bob", "I was running late for the launch event."),
    ("en-runs", "en", "alice", "The app runs well since the update, thanks!"),
    ("fr-cafe", "fr", "Élodie", "Le CAFÉ de la rue Lumière est très bon."),
    ("en-phrase", "en", "alice", "Customer service was slow but the coffee was great."),
    ("en-reversed", "en", "bob", "Great coffee, slow service for customers."),
    ("html", "en", "mallory", "<script>alert(1)</script> coffee & <b>tea</b>"),
]


def item(key: str, language: str, handle: str, text: str, *, day: int = 0, thread: str = "") -> Item:
    return Item(
        external_id=key,
        thread_id=thread or key,
        author=Author(external_id=handle, handle=handle, display_name=handle.title()),
        body_html=text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"),
        created_at=DAY + timedelta(days=day),
        language=language,
    )


@pytest.fixture
def corpus(connection):
    """The messages of TEXTS, one a day from 2 March 2026, each in its own thread; by external id."""
    ingest_items(connection, [item(*row, day=index) for index, row in enumerate(TEXTS)])
    return {m.external_id: m for m in Message.objects.filter(connection=connection)}
