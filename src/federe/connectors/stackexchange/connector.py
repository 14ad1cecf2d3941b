"""Stack Exchange: an import-only network. Its channels come from a data dump, never from a sync.

``federe import stackexchange DIR --workspace SLUG`` creates the channel (with ``next_sync_at`` empty, so the
dispatcher never picks it) and stores the dump. The connector itself only says what the channel can do:
read, nothing else. ``fetch`` returns an empty page, so a "Sync now" or ``federe sync`` does no harm, and
``check`` refuses to create such a channel from the channels page, in plain words.
"""

from __future__ import annotations

from typing import ClassVar

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from federe.connectors.base import Connector
from federe.connectors.capabilities import Capability
from federe.connectors.errors import Permanent
from federe.connectors.registry import register
from federe.connectors.types import Batch, Cursor


@register
class StackExchangeConnector(Connector):
    key = "stackexchange"
    label = _("Stack Exchange (data dump import)")
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.READ})
    verified_against_real_server = True  # read from a real dump (french.meta.stackexchange.com)
    # Not part of the Connector contract: a marker for readers and for the import command.
    import_only: ClassVar[bool] = True

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
