"""The ingest pipeline: one ordered list of named steps, run inside the page's transaction."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from federe.connections.services import sync_connection
from federe.connectors.types import Author, Item
from federe.inbox import ingest
from federe.inbox.models import Message
from federe.moderation import services as moderation
from federe.moderation.models import Decision
from federe.people.models import Person

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
ORDER = [step.__name__ for step in ingest.SYNC_STEPS]


def item(n: int, text: str, author: str = "a1") -> Item:
    return Item(
        external_id=f"m{n}",
        thread_id="t1",
        author=Author(external_id=author, handle=author, display_name=author),
        body_html=f"<p>{text}</p>",
        created_at=T0 + timedelta(minutes=n),
    )


@pytest.fixture
def ran(monkeypatch):
    """The names of the steps run, in order, for every page."""
    names: list[str] = []

    def recorded(step):
        def run(page):
            names.append(step.__name__)
            step(page)

        return run

    monkeypatch.setattr(ingest, "SYNC_STEPS", tuple(recorded(step) for step in ingest.SYNC_STEPS))
    return names


def test_a_synced_page_runs_every_step_in_order(connection, ran):
    sync_connection(connection.pk)
    assert ran == ORDER * 3  # three pages of 20, 20 and 10
    # The rules see the wave's spam score and the classifier's; people are scored after the rules.
    assert ORDER.index("classify") < ORDER.index("join_waves") < ORDER.index("moderate") < ORDER.index("score_people")


def test_a_page_with_nothing_storable_stops_after_screening(connection, ran):
    stats = ingest.ingest_page(connection, [item(1, "NUL \x00 inside")])
    assert ran == ["screen"]
    assert stats.stored == 0 and len(stats.skipped) == 1 and not Message.objects.exists()


def _rule_on_everything(connection, owner) -> None:
    moderation.save_rule(
        workspace=connection.workspace,
        by=owner,
        name="Label all",
        match="any",
        conditions=[{"type": "words", "words": ["bonjour"]}],
        actions=[{"type": "label", "label": "hello"}],
    )


def test_a_synced_page_is_moderated_and_its_authors_scored(connection, owner):
    _rule_on_everything(connection, owner)
    stats = ingest.ingest_page(connection, [item(1, "bonjour tout le monde"), item(2, "bonjour encore")])
    assert stats.stored == 2
    assert Decision.objects.filter(action="label").count() == 2
    assert Person.objects.get().score > 0


def test_an_imported_history_is_stored_without_rules_or_scores(connection, owner):
    _rule_on_everything(connection, owner)
    stats = ingest.ingest_items(connection, [item(1, "bonjour tout le monde"), item(2, "bonjour encore")])
    assert stats.stored == 2 and Message.objects.count() == 2
    assert not Decision.objects.exists()
    assert Person.objects.get().score == 0
