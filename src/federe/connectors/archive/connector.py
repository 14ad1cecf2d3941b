"""Archives: the history of a network that offered an export (or of any tool that writes CSV or JSON), imported.

An import-only network like Stack Exchange: ``federe import archive FILE --workspace SLUG --name NAME`` creates
the channel (never synced) and stores the file's members and messages through Fédère's import path
(``people.importers.history``). The column mapping is in ``columns.py`` and docs/connectors.md; reading, streamed,
is in ``reader.py``. ``fetch`` returns an empty page and ``check`` refuses to create such a channel from the
channels page, in plain words.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from federe.connectors.archive.reader import open_archive, read_archive
from federe.connectors.base import Connector, SetupStep
from federe.connectors.capabilities import Capability
from federe.connectors.errors import Permanent
from federe.connectors.registry import register
from federe.connectors.types import Batch, Cursor, HistoryExport, HistoryRecord, ItemKind, ProgressFactory


@register
class ArchiveConnector(Connector):
    key = "archive"
    label = _("Archive (CSV or JSON import)")
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.READ, Capability.IMPORT})
    verified_against_real_server = True  # a file read on this machine: there is no server to reach
    polls = False
    setup_help = (
        SetupStep(
            _(
                "This channel is filled from an archive file (CSV, JSON Lines or JSON), never synced. Its columns"
                " are author, date and text, and optionally id, title, thread, parent and link (docs/connectors.md"
                " lists the names accepted). To import a file on the server, run:"
            ),
            "federe import archive FILE --workspace {workspace} --name NAME",
        ),
    )

    # Capability.IMPORT (federe.connectors.types.HistoryImporter)
    network_name: ClassVar[Any] = "archive"
    history_help: ClassVar[Any] = (
        "An archive file: CSV with a header row, JSON Lines or a JSON list, one message a row (columns: author, "
        "date, text; optionally id, title, thread, parent, link)."
    )
    history_source_help: ClassVar[Any] = "The archive file (.csv, .jsonl or .json)."
    history_kinds: ClassVar[dict[ItemKind, Any]] = {
        ItemKind.POST: _("threads"),
        ItemKind.REPLY: _("replies"),
        ItemKind.COMMENT: _("comments"),
    }

    def check(self) -> None:
        raise Permanent(
            gettext(
                "An archive channel is created by importing a file: federe import archive FILE --workspace SLUG"
                " --name NAME."
            )
        )

    def fetch(self, cursor: Cursor | None) -> Batch:
        """Nothing to fetch: everything comes from the file. An empty last page keeps the cursor."""
        return Batch(items=[], cursor=dict(cursor or {}), has_more=False)

    def open_history(self, location: str, progress: ProgressFactory) -> HistoryExport:
        return open_archive(location, progress)

    def read_history(self, export: HistoryExport, progress: ProgressFactory) -> Iterator[HistoryRecord]:
        return read_archive(export, progress)
