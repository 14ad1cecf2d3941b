"""The channel a history import fills (``people.importers.history`` runs the import): found again on a second run,
created on the first, its run, what it remembers of the import, and its health after the run.

An imported channel is a ``Connection`` of the importing network that is never synced (``next_sync_at`` stays
empty, so the dispatcher never picks it). It remembers where its export was read (``config["directory"]``) and
the site's address (``config["site_url"]``, for links), and is found again by name, site address or folder.
"""

from __future__ import annotations

from collections import Counter
from typing import Any
from urllib.parse import urlparse

from django.utils import timezone
from django.utils.translation import gettext as _

from federe.accounts.models import Workspace
from federe.connections.models import Connection, SyncRun, SyncState
from federe.connectors import registry
from federe.connectors.base import Connector
from federe.connectors.capabilities import Capability
from federe.connectors.types import HistoryExport, MalformedItem
from federe.core import audit

ACTOR = "cli:import"


class ImportFailed(Exception):
    """The import cannot go on; the message is in plain words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def importers() -> list[type[Connector]]:
    """The connectors that can import a history (``Capability.IMPORT``), by key."""
    return [cls for cls in registry.available() if Capability.IMPORT in cls.capabilities]


def _find_channel(workspace: Workspace, network: str, location: str, name: str, site_url: str) -> Connection | None:
    """The channel an earlier run made: by name when given, else by site address, else by export folder."""
    channels = Connection.objects.filter(workspace=workspace)
    if name:
        return channels.filter(name=name).first()
    mine = list(channels.filter(network=network).order_by("-pk"))
    for channel in mine:
        if site_url and channel.config.get("site_url") == site_url:
            return channel
    for channel in mine:
        if channel.config.get("directory") == location and (not site_url or not channel.config.get("site_url")):
            return channel
    return None


def find_or_create_channel(
    workspace: Workspace, network: str, network_name: str, export: HistoryExport, name: str, site_url: str
) -> tuple[Connection, bool]:
    """The channel to import ``export`` into, and whether it was created; raises ImportFailed in plain words.

    ``network_name`` is the network as people call it ("Stack Exchange"), for the error messages.
    """
    if site_url and urlparse(site_url).scheme not in ("http", "https"):
        raise ImportFailed(
            _("The site address must start with https:// (for example https://cooking.stackexchange.com).")
        )
    connection = _find_channel(workspace, network, export.location, name, site_url)
    name = name or (urlparse(site_url).netloc if site_url else export.default_name)
    if connection is None and Connection.objects.filter(workspace=workspace, name=name).exists():
        connection = Connection.objects.get(workspace=workspace, name=name)
    config: dict[str, Any] = {"directory": export.location}
    if site_url:
        config["site_url"] = site_url
    if connection is not None:
        if connection.network != network:
            raise ImportFailed(
                _("The channel %(name)s already exists and is not a %(network)s channel: choose another --name.")
                % {"name": name, "network": network_name}
            )
        connection.config = {**connection.config, **config}
        Connection.objects.filter(pk=connection.pk).update(config=connection.config, next_sync_at=None)
        return connection, False
    connection = Connection.objects.create(
        workspace=workspace,
        network=network,
        name=name[:120],
        config=config,
        next_sync_at=None,  # import only: the dispatcher never schedules it
    )
    audit.record(
        "connection.created",
        workspace=workspace,
        actor_label=ACTOR,
        target=connection,
        details={"network": network, "source": "data dump"},
    )
    return connection, True


def start_run(connection: Connection) -> SyncRun:
    """The run an import is recorded as, beside the channel's syncs."""
    return SyncRun.objects.create(workspace=connection.workspace, connection=connection, worker_id="import")


def remember(connection: Connection, entries: dict[str, Any]) -> None:
    """Keep these entries in the channel's config (the members' facts, the import's summary)."""
    connection.config = {**connection.config, **entries}
    Connection.objects.filter(pk=connection.pk).update(config=connection.config)


def _malformed_summary(malformed: list[MalformedItem]) -> str:
    reasons = Counter(m.reason for m in malformed)
    return "; ".join(f"{reason} ({count})" for reason, count in reasons.most_common(5))


def finish(
    connection: Connection, run: SyncRun, malformed: list[MalformedItem], stats: dict[str, int], *, error: str
) -> None:
    """Record the run's outcome on the channel's health, the run and the activity log."""
    now = timezone.now()
    fields: dict[str, Any] = {"sync_state": SyncState.IDLE, "lease_expires_at": None, "next_sync_at": None}
    if error:
        fields.update(
            last_error=error[:2000], last_error_at=now, consecutive_failures=connection.consecutive_failures + 1
        )
    else:
        fields.update(last_success_at=now, last_error="", consecutive_failures=0)
    if malformed:
        fields.update(last_warning=_malformed_summary(malformed)[:2000], last_warning_at=now)
    Connection.objects.filter(pk=connection.pk).update(**fields)
    run.finished_at = now
    run.malformed = len(malformed)
    run.outcome = SyncRun.Outcome.FAILED if error else SyncRun.Outcome.OK
    run.error = error
    run.save()
    audit.record(
        "connection.sync_failed" if error else "connection.synced",
        workspace=connection.workspace,
        actor_label=ACTOR,
        target=connection,
        details={"source": f"{connection.network} data dump", **stats, "malformed": len(malformed), "error": error},
    )
