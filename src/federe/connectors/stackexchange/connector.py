"""Stack Exchange: an import-only network. Its channels come from a data dump, never from a sync.

``federe import stackexchange DIR --workspace SLUG`` creates the channel (with ``next_sync_at`` empty, so the
dispatcher never picks it) and stores the dump. The connector reads the dump (``history.py``: the
``Capability.IMPORT`` side) and says what the channel can do; Fédère stores what it reads. ``fetch`` returns an
empty page, so a "Sync now" or ``federe sync`` does no harm, and ``check`` refuses to create such a channel from
the channels page, in plain words.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from federe.connectors.base import Connector, SetupStep
from federe.connectors.capabilities import Capability
from federe.connectors.errors import Permanent
from federe.connectors.registry import register
from federe.connectors.stackexchange.history import open_dump, read_dump
from federe.connectors.types import Batch, Cursor, HistoryExport, HistoryRecord, ItemKind, ProgressFactory


@register
class StackExchangeConnector(Connector):
    key = "stackexchange"
    label = _("Stack Exchange (data dump import)")
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.READ, Capability.IMPORT})
    verified_against_real_server = True  # read from a real dump (french.meta.stackexchange.com)
    polls = False
    setup_help = (
        SetupStep(
            _(
                "This channel is filled from a data dump, never synced. To bring a newer dump, unzip it on the"
                " server and run:"
            ),
            "federe import stackexchange DIR --workspace {workspace}",
        ),
    )

    # Capability.IMPORT (federe.connectors.types.HistoryImporter)
    network_name: ClassVar[Any] = "Stack Exchange"
    history_help: ClassVar[Any] = (
        "A Stack Exchange data dump: the folder that holds Users.xml, Posts.xml, Comments.xml, Votes.xml and "
        "Badges.xml."
    )
    history_source_help: ClassVar[Any] = "The folder of the dump (one site, unzipped)."
    history_kinds: ClassVar[dict[ItemKind, Any]] = {
        ItemKind.POST: _("questions"),
        ItemKind.REPLY: _("answers"),
        ItemKind.COMMENT: _("comments"),
    }

    def check(self) -> None:
        raise Permanent(
            gettext(
                "A Stack Exchange channel is created by importing a data dump: "
                "federe import stackexchange DIR --workspace SLUG."
            )
        )

    def fetch(self, cursor: Cursor | None) -> Batch:
        """Nothing to fetch: everything comes from the dump. An empty last page keeps the cursor."""
        return Batch(items=[], cursor=dict(cursor or {}), has_more=False)

    def open_history(self, location: str, progress: ProgressFactory) -> HistoryExport:
        """The dump in the folder ``location``, read whole once; raises DumpError (a Permanent) in plain words."""
        return open_dump(location, progress)

    def read_history(self, export: HistoryExport, progress: ProgressFactory) -> Iterator[HistoryRecord]:
        """Members, questions and answers, comments, then the members' facts; links on the channel's site."""
        return read_dump(export, str(self.config.get("site_url", "")), progress)
