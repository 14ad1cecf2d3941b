"""The history import is a connector capability: a throw-away network that declares IMPORT is imported as is."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, ClassVar

import pytest
from django.core.management import CommandError, call_command

from federe.connections.imports import ImportFailed
from federe.connections.models import Connection
from federe.connectors import registry
from federe.connectors.base import Connector
from federe.connectors.capabilities import Capability
from federe.connectors.errors import Permanent
from federe.connectors.types import (
    Author,
    Batch,
    Checkpoint,
    Cursor,
    HistoryExport,
    HistoryRecord,
    Item,
    ItemKind,
    MalformedItem,
    MemberFacts,
    ProgressFactory,
    Skipped,
)
from federe.inbox.models import Message
from federe.people import analytics
from federe.people.importers.history import import_history
from federe.people.models import Identity

ALICE = Author("a", handle="alice", display_name="Alice")
BOB = Author("b", display_name="Bob")


class ArchiveConnector(Connector):
    """An archive of two members and two messages, from no real network."""

    key = "archive-test"
    label = "Archive"
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.IMPORT})
    network_name: ClassVar[Any] = "Archive"
    history_help: ClassVar[Any] = "A test archive."
    history_source_help: ClassVar[Any] = "Its name."
    history_kinds: ClassVar[dict[ItemKind, Any]] = {ItemKind.POST: "threads", ItemKind.COMMENT: "notes"}

    def fetch(self, cursor: Cursor | None) -> Batch:
        return Batch(items=[], cursor={})

    def open_history(self, location: str, progress: ProgressFactory) -> HistoryExport:
        if location == "broken":
            raise Permanent("The archive is broken.")
        return HistoryExport(location=location, default_name=f"Archive {location}", members=2, rows={"all": 7})

    def read_history(self, export: HistoryExport, progress: ProgressFactory) -> Iterator[HistoryRecord]:
        bar = progress("archive", 7)
        yield from (ALICE, BOB, Checkpoint())
        yield Item("m1", "m1", ALICE, "<p>Hello</p>", datetime(2024, 1, 1, tzinfo=UTC), kind=ItemKind.POST)
        yield Item("m2", "m1", BOB, "<p>Hi</p>", datetime(2024, 1, 2, tzinfo=UTC), parent_id="m1")
        yield Skipped("pages that are not messages")
        yield MalformedItem("a message without a date", "m3")
        yield from (MemberFacts("a", {"reputation": 10}), MemberFacts("b", {"reputation": 3}))
        bar.close()


@pytest.fixture
def archive(monkeypatch):
    registry.connector_class("dummy")  # the built-in connectors first
    monkeypatch.setitem(registry._REGISTRY, ArchiveConnector.key, ArchiveConnector)
    return ArchiveConnector


def run_import(*args: str) -> str:
    out = io.StringIO()
    call_command("import", *args, "--no-scores", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_a_network_that_declares_import_is_offered_and_stored_without_naming_it_anywhere(workspace, archive):
    out = run_import("archive-test", "2024", "--workspace", workspace.slug)

    assert "Messages: threads 1, notes 1; new 2, updated 0." in out
    assert "Members: 2 in the dump, 2 new, 0 updated." in out
    assert "Skipped: 1 pages that are not messages." in out and "m3 (a message without a date)" in out
    channel = Connection.objects.get(workspace=workspace, network="archive-test")
    assert channel.name == "Archive 2024" and channel.next_sync_at is None
    assert channel.config["members"] == {"a": {"reputation": 10}, "b": {"reputation": 3}}
    assert Message.objects.get(external_id="m2").parent_external_id == "m1"
    alice, bob = (Identity.objects.get(connection=channel, external_id=key).person_id for key in ("a", "b"))
    # Its members' facts count in the analytics as Stack Exchange's do.
    assert analytics.imported_channels(workspace, None) == [channel]
    assert analytics.network_reputation(workspace) == {alice: 10, bob: 3}

    again = run_import("archive-test", "2024", "--workspace", workspace.slug)
    assert "new 0, updated 0" in again and "0 new, 0 updated" in again
    assert Connection.objects.filter(network="archive-test").count() == 1


def test_a_broken_export_changes_nothing_and_other_networks_cannot_import(workspace, archive):
    with pytest.raises(CommandError, match=r"The archive is broken\."):
        run_import("archive-test", "broken", "--workspace", workspace.slug)
    assert not Connection.objects.filter(network="archive-test").exists()
    with pytest.raises(
        ImportFailed, match="dummy cannot import a history; these can: archive, archive-test, stackexchange"
    ):
        import_history(workspace, "anything", network="dummy")
    with pytest.raises(CommandError, match="invalid choice: 'dummy'"):
        run_import("dummy", "x", "--workspace", workspace.slug)
