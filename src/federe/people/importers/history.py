"""Importing a community's history from an export, for every connector that declares ``Capability.IMPORT``.

The connector reads the export and yields records (``federe.connectors.types.HistoryRecord``); this module
stores them, the same way for every network:

- The channel is a ``Connection`` of the network, never synced (``connections/imports.py``); a second run updates it.
- Each ``Author`` becomes an ``Identity`` with its ``Person`` (``members.py``).
- Each ``Item`` becomes a message through ``inbox.ingest.ingest_items``: the same sanitising, threading,
  idempotence and revisions as a sync. Moderation rules are not run on imported history.
- ``MemberFacts`` (what Fédère has no column for: reputation, badges…) are kept per member id in the channel's
  ``config["members"]``; ``people.analytics`` reads them. ``Skipped`` and malformed records are counted.

The connector reads the whole export once before anything is written, so a broken export changes nothing.
Then each batch is stored in its own transaction (a ``Checkpoint`` ends a batch early): an import stopped
halfway (Ctrl-C, a crash) leaves a consistent database, and running it again completes it without duplicates
(the database enforces uniqueness on (connection, external_id)).
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from federe.accounts.models import Workspace
from federe.connections import imports
from federe.connections.imports import ImportFailed, find_or_create_channel, finish, importers
from federe.connections.models import Connection, SyncRun
from federe.connectors import registry
from federe.connectors.capabilities import Capability
from federe.connectors.errors import ConnectorError
from federe.connectors.types import (
    Author,
    Checkpoint,
    HistoryExport,
    HistoryImporter,
    HistoryRecord,
    Item,
    ItemKind,
    MalformedItem,
    MemberFacts,
    ProgressBar,
    ProgressFactory,
    Skipped,
)
from federe.inbox.ingest import ingest_items
from federe.people.importers.members import update_person_clocks, upsert_identities
from federe.people.importers.progress import Progress

BATCH = 1000

__all__ = ["BATCH", "ImportFailed", "ImportReport", "import_history", "importers"]


@dataclass
class ImportReport:
    connection: Connection
    export: HistoryExport
    kind_words: dict[ItemKind, Any]  # how the network calls each kind of message ("questions"…)
    created_channel: bool = False
    members_created: int = 0
    members_updated: int = 0
    kinds: Counter[str] = field(default_factory=Counter)  # messages read, per ItemKind
    stored: int = 0  # new messages
    updated: int = 0  # messages whose text or status changed since the last run
    skipped: Counter[str] = field(default_factory=Counter)  # expected: tag wikis, comments on them…
    malformed: list[MalformedItem] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rows(self) -> dict[str, int]:
        """Rows per file of the export."""
        return self.export.rows

    # In the words of Stack Exchange, the first network to import: first messages, replies, comments.
    @property
    def questions(self) -> int:
        return self.kinds[ItemKind.POST]

    @property
    def answers(self) -> int:
        return self.kinds[ItemKind.REPLY]

    @property
    def comments(self) -> int:
        return self.kinds[ItemKind.COMMENT]


def _no_progress(label: str, total: int | None, **kwargs: Any) -> Progress:
    return Progress(label, total, enabled=False, **kwargs)


def importer(network: str, config: dict[str, Any] | None = None) -> HistoryImporter:
    """The connector of ``network`` ready to read an export; ImportFailed when it cannot import."""
    try:
        cls = registry.connector_class(network)
    except LookupError:
        cls = None
    connector = cls(config=config or {}, credentials={}) if cls is not None else None
    if cls is None or Capability.IMPORT not in cls.capabilities or not isinstance(connector, HistoryImporter):
        names = ", ".join(c.key for c in importers())
        raise ImportFailed(
            _("%(network)s cannot import a history; these can: %(names)s.") % {"network": network, "names": names}
        )
    return connector


def import_history(
    workspace: Workspace,
    source: str | Path,
    *,
    network: str,
    name: str = "",
    site_url: str = "",
    batch_size: int = BATCH,
    progress: ProgressFactory = _no_progress,
) -> ImportReport:
    """Import (or import again) the export at ``source`` into a ``network`` channel of ``workspace``.

    ``site_url`` (e.g. https://french.meta.stackexchange.com) gives profile and message links; it is
    remembered by the channel. Raises a ConnectorError or ImportFailed, in plain words.
    """
    started = time.monotonic()
    reader = importer(network)
    export = reader.open_history(str(source), progress)
    connection, created = find_or_create_channel(
        workspace, network, str(reader.network_name), export, name.strip(), site_url.strip().rstrip("/")
    )
    report = ImportReport(connection, export, dict(reader.history_kinds), created_channel=created)
    run = imports.start_run(connection)
    bars = _Bars(progress)
    store = _Store(connection, run, report, batch_size, bars)
    try:
        for record in importer(network, connection.config).read_history(export, bars):
            store.add(record)
        store.flush()
        update_person_clocks(connection)
    except BaseException as exc:  # Ctrl-C too: the run is recorded as stopped, the batches stored stay
        finish(connection, run, report.malformed, _stats(report), error=_failure(exc))
        raise
    report.seconds = time.monotonic() - started
    summary = {
        "finished_at": timezone.now().isoformat(),
        "rows": export.rows,
        "skipped": dict(report.skipped),
        "malformed": len(report.malformed),
    }
    imports.remember(connection, {"members": store.facts, "import": summary})
    finish(connection, run, report.malformed, _stats(report), error="")
    return report


def _stats(report: ImportReport) -> dict[str, int]:
    return {"stored": report.stored, "updated": report.updated}


def _failure(exc: BaseException) -> str:
    """Why the import stopped, in plain words."""
    if isinstance(exc, ConnectorError | ImportFailed):
        return exc.message
    if isinstance(exc, KeyboardInterrupt):
        return _("The import was interrupted; run it again to complete it.")
    return _("The import stopped on an unexpected error (%(error)s); run it again to complete it.") % {
        "error": type(exc).__name__
    }


class _Bars:
    """The progress factory handed to the connector, remembering the bar it opened last (to note on it)."""

    def __init__(self, factory: ProgressFactory) -> None:
        self.factory = factory
        self.current: ProgressBar | None = None

    def __call__(self, label: str, total: int | None, **kwargs: Any) -> ProgressBar:
        self.current = self.factory(label, total, **kwargs)
        return self.current


class _Store:
    """Records waiting to be stored, each kind in its own batches of ``batch_size``, one transaction each."""

    def __init__(self, connection: Connection, run: SyncRun, report: ImportReport, size: int, bars: _Bars) -> None:
        self.connection = connection
        self.run = run
        self.report = report
        self.size = size
        self.bars = bars
        self.authors: dict[str, Author] = {}
        self.items: list[Item] = []
        self.facts: dict[str, dict[str, Any]] = {}

    def add(self, record: HistoryRecord) -> None:
        report = self.report
        if isinstance(record, Author):
            self.authors[record.external_id] = record
            if len(self.authors) >= self.size:
                self._store_authors()
        elif isinstance(record, Item):
            report.kinds[record.kind] += 1
            self.items.append(record)
            if len(self.items) >= self.size:
                self._store_items()
        elif isinstance(record, MemberFacts):
            self.facts[record.external_id] = record.facts
        elif isinstance(record, Skipped):
            report.skipped[record.reason] += 1
        elif isinstance(record, MalformedItem):
            report.malformed.append(record)
        elif isinstance(record, Checkpoint):
            self.flush()

    def flush(self) -> None:
        if self.authors:
            self._store_authors()
        if self.items:
            self._store_items()

    def _store_authors(self) -> None:
        with transaction.atomic():
            created, updated = upsert_identities(self.connection, list(self.authors.values()))
        self.authors.clear()
        self.report.members_created += created
        self.report.members_updated += updated
        if self.bars.current is not None:
            self.bars.current.advance(
                0,
                note=_("%(new)s new, %(changed)s updated")
                % {"new": f"{self.report.members_created:,}", "changed": f"{self.report.members_updated:,}"},
            )

    def _store_items(self) -> None:
        with transaction.atomic():
            stats = ingest_items(self.connection, self.items)
        self.report.stored += stats.stored
        self.report.updated += stats.updated
        self.run.pages += 1
        self.run.fetched += len(self.items)
        self.run.stored += stats.stored
        self.run.updated += stats.updated
        self.items = []
