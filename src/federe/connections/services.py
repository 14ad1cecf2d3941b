"""Creating channels, syncing them, and deciding when to sync them next."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from federe.accounts.models import Workspace
from federe.accounts.permissions import Perm, require
from federe.connections.models import Connection, SyncRun, SyncState
from federe.connections.runtime import connected
from federe.connections.schedule import next_attempt
from federe.connectors import registry
from federe.connectors.errors import ConnectorError
from federe.connectors.types import Batch, MalformedItem
from federe.core import audit, db
from federe.inbox.ingest import IngestStats, ingest_page
from federe.inbox.prepare import Pending, preparer
from federe.inbox.store import storable

logger = logging.getLogger(__name__)


def create_connection(
    *, workspace: Workspace, network: str, name: str, config: dict[str, Any], credentials: dict[str, Any], by: Any
) -> Connection:
    """Check the channel with its network, then store it.

    The check talks to a remote server that may take seconds to answer, so it runs before the transaction: on
    SQLite an open write transaction would lock the whole database meanwhile.
    """
    require(by, workspace, Perm.MANAGE_CONNECTIONS)
    try:
        connector_cls = registry.connector_class(network)
    except LookupError as exc:
        raise ValidationError({"network": _("Unknown network.")}) from exc
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the channel a name.")})
    _refuse_taken_name(workspace, name)
    try:
        connector_cls(config=config, credentials=credentials).check()
    except ConnectorError as exc:
        raise ValidationError({"credentials": exc.message}) from exc
    with transaction.atomic():
        _refuse_taken_name(workspace, name)  # again: someone may have taken it while we were checking
        return _store_connection(workspace, network, name, config, credentials, connector_cls, by)


def _refuse_taken_name(workspace: Workspace, name: str) -> None:
    if Connection.objects.filter(workspace=workspace, name=name).exists():
        raise ValidationError({"name": _("A channel with this name already exists in this workspace.")})


def _store_connection(
    workspace: Workspace,
    network: str,
    name: str,
    config: dict[str, Any],
    credentials: dict[str, Any],
    connector_cls: type[Any],
    by: Any,
) -> Connection:
    connection = Connection(
        workspace=workspace,
        network=network,
        name=name,
        config=config,
        next_sync_at=timezone.now(),
        sync_interval_seconds=connector_cls.default_sync_interval_seconds or settings.FEDERE_SYNC_INTERVAL_SECONDS,
    )
    connection.set_credentials(credentials)
    connection.save()
    # The credentials themselves never reach the log: only which keys were set.
    audit.record(
        "connection.created",
        workspace=workspace,
        actor=by,
        target=connection,
        details={"network": network, "credential_fields": sorted(credentials)},
    )
    return connection


def request_sync(connection: Connection, *, by: Any) -> None:
    """Ask for a sync as soon as a worker is free."""
    require(by, connection.workspace, Perm.SYNC)
    Connection.objects.filter(pk=connection.pk).update(next_sync_at=timezone.now())
    audit.record("connection.sync_requested", workspace=connection.workspace, actor=by, target=connection)


def dispatch_due_syncs(now: datetime | None = None, limit: int = 100) -> list[int]:
    """Mark due connections as queued and enqueue one sync task each, exactly once.

    SKIP LOCKED lets several dispatchers run against PostgreSQL without picking
    the same row; on SQLite the write transaction itself is exclusive.
    """
    from federe.connections.tasks import sync_connection_task

    now = now or timezone.now()
    lease = _lease_from(now)
    interrupt_abandoned_runs(now)
    with transaction.atomic():
        due = (
            Connection.objects.select_for_update(skip_locked=True)
            .filter(enabled=True, next_sync_at__lte=now)
            .filter(Q(sync_state=SyncState.IDLE) | Q(lease_expires_at__lt=now))
            .order_by("next_sync_at")
            .values_list("pk", flat=True)[:limit]
        )
        ids = list(due)
        if ids:
            Connection.objects.filter(pk__in=ids).update(sync_state=SyncState.QUEUED, lease_expires_at=lease)
            for pk in ids:
                transaction.on_commit(partial(sync_connection_task.enqueue, pk))
    return ids


def interrupt_abandoned_runs(now: datetime) -> int:
    """Mark as interrupted the syncs whose worker died (killed, out of memory, restarted), and their task rows.

    Nothing else would end them: they would stay "running" for ever. A run is abandoned once its channel's lease
    has expired (an import holds no lease, so it is never taken for one).
    """
    from federe.connections.tasks import sync_connection_task

    # Read before writing: this runs at every dispatcher round and is almost always a no-op, while an UPDATE
    # takes the write lock even when it changes nothing (on SQLite, the whole database's).
    runs = SyncRun.objects.filter(outcome=SyncRun.Outcome.RUNNING, connection__lease_expires_at__lt=now)
    count = runs.update(outcome=SyncRun.Outcome.INTERRUPTED, finished_at=now) if runs.exists() else 0
    started_before = now - timedelta(seconds=settings.FEDERE_SYNC_LEASE_SECONDS)
    tasks = DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, task_path=sync_connection_task.module_path, started_at__lt=started_before
    )
    if not tasks.exists():
        return count
    tasks.update(
        status=TaskResultStatus.FAILED,
        finished_at=now,
        exception_class_path="federe.connections.services.SyncInterrupted",
        traceback="The worker stopped before the sync finished; the channel's lease expired.",
    )
    return count


def _lease_from(now: datetime) -> datetime:
    return now + timedelta(seconds=settings.FEDERE_SYNC_LEASE_SECONDS)


def _claim(connection_id: int, now: datetime) -> bool:
    lease = _lease_from(now)
    claimed = (
        Connection.objects.filter(pk=connection_id, enabled=True)
        .filter(~Q(sync_state=SyncState.RUNNING) | Q(lease_expires_at__lt=now))
        .update(sync_state=SyncState.RUNNING, lease_expires_at=lease)
    )
    return claimed == 1


@dataclass
class SyncOutcome:
    run: SyncRun
    stats: IngestStats


def _store_page(connection: Connection, batch: Batch, run: SyncRun, pending: Pending | None = None) -> IngestStats:
    """The page goes through the ingest pipeline (inbox.ingest) in one transaction with the cursor after it; a
    transaction that lost a deadlock to another worker's is run again (``core.db.retried``)."""

    def store() -> IngestStats:
        stats = ingest_page(connection, batch.items, pending)
        # The lease is renewed with each stored page: a long sync that makes progress is not taken for a dead one.
        Connection.objects.filter(pk=connection.pk).update(
            cursor=batch.cursor, lease_expires_at=_lease_from(timezone.now())
        )
        return stats

    stats = db.retried(store)
    connection.cursor = batch.cursor
    run.pages += 1
    run.fetched += len(batch.items) + len(batch.malformed)
    run.stored += stats.stored
    run.updated += stats.updated
    run.malformed += len(batch.malformed) + len(stats.skipped)
    return stats


class _Ahead:
    """The pages of a sync, each fetched while the one before it is stored: a page's pure work (``inbox.prepare``)
    starts in the worker process as soon as it is fetched, and runs while this process stores the page before.
    A page is still stored before any later one, each in its own transaction with its cursor; whatever fails while
    fetching the next page (a network's error or a bug) is raised after the page before it is stored. A connector
    that waits for news on its last page (``long_poll_seconds``: IMAP IDLE, Matrix) is not read ahead: the page
    before would wait uncommitted for as long."""

    def __init__(self, connector: Any, cursor: Any, pages: int) -> None:
        self.connector = connector
        self.cursor = cursor
        self.pages = pages
        self.ahead = not getattr(connector, "long_poll_seconds", 0)

    def _fetched(self, cursor: Any) -> tuple[Batch, Pending]:
        batch = self.connector.fetch(cursor or None)
        return batch, preparer.submit(batch.items)

    def __iter__(self) -> Iterator[tuple[Batch, Pending]]:
        batch, pending = self._fetched(self.cursor)
        for number in range(1, max(1, self.pages) + 1):
            more = batch.has_more and number < self.pages
            after: tuple[Batch, Pending] | None = None
            error: Exception | None = None
            if more and self.ahead:
                try:
                    after = self._fetched(batch.cursor)
                except Exception as exc:  # raised below, once this page is stored
                    error = exc
            yield batch, pending
            if error is not None:
                raise error
            if more and not self.ahead:
                after = self._fetched(batch.cursor)
            if after is None:
                return
            batch, pending = after


def _malformed_warning(malformed: list[MalformedItem]) -> str:
    reasons = "; ".join(m.reason for m in malformed[:3])
    more = len(malformed) - 3
    if more <= 0:
        return reasons
    return reasons + " " + ngettext("(and %(count)s more)", "(and %(count)s more)", more) % {"count": more}


def sync_connection(connection_id: int, *, worker_id: str = "") -> SyncOutcome | None:
    """Fetch and store every new page; returns None when another worker holds the connection."""
    now = timezone.now()
    if not _claim(connection_id, now):
        return None
    connection = Connection.objects.select_related("workspace").get(pk=connection_id)
    # We hold the channel now: a run still marked running is one whose worker died.
    SyncRun.objects.filter(connection=connection, outcome=SyncRun.Outcome.RUNNING).update(
        outcome=SyncRun.Outcome.INTERRUPTED, finished_at=now
    )
    run = SyncRun.objects.create(workspace=connection.workspace, connection=connection, worker_id=worker_id[:80])
    total = IngestStats()
    warnings: list[str] = []
    error: ConnectorError | None = None
    try:
        with connected(connection) as connector:
            ahead = _Ahead(connector, connection.cursor or None, settings.FEDERE_SYNC_MAX_PAGES)
            for batch, pending in ahead:
                stats = _store_page(connection, batch, run, pending)
                total.add(stats)
                if batch.malformed or stats.skipped:
                    warnings.append(_malformed_warning([*batch.malformed, *stats.skipped]))
    except ConnectorError as exc:
        error = exc
    except Exception:  # a bug must not stop the worker: record it, keep the cursor
        logger.exception("sync of connection %s failed unexpectedly", connection_id)
        error = ConnectorError(
            _("Unexpected error in Fédère; the next sync will retry. The server's log has the details.")
        )
    _finish(connection, run, error, warnings, started=now)
    return SyncOutcome(run=run, stats=total)


def _finish(
    connection: Connection,
    run: SyncRun,
    error: ConnectorError | None,
    warnings: list[str],
    started: datetime | None = None,
) -> None:
    now = timezone.now()
    fields: dict[str, Any] = {"sync_state": SyncState.IDLE, "lease_expires_at": None}
    if error is None:
        fields.update(last_success_at=now, last_error="", consecutive_failures=0)
    else:
        # A network's words may quote what it sent, unstorable characters included: they must not fail the save.
        error.message = storable(error.message)
        fields.update(
            last_error=error.message, last_error_at=now, consecutive_failures=connection.consecutive_failures + 1
        )
    if warnings:
        fields.update(last_warning=storable(" | ".join(warnings))[:2000], last_warning_at=now)
    following, paced = next_attempt(connection, error, now, new_items=run.stored)
    fields.update(paced)
    fields["next_sync_at"] = following
    if error is None and started is not None:
        # A hook or "Sync now" that came while this sync ran moved next_sync_at past its start: what it asked for
        # may have arrived after the page was read, so it is kept (queue_if_due then queues it at once). After an
        # error the backoff wins.
        fields["next_sync_at"] = Case(
            When(next_sync_at__gt=started, next_sync_at__lt=following, then=F("next_sync_at")),
            default=Value(following),
        )
    Connection.objects.filter(pk=connection.pk).update(**fields)
    run.finished_at = now
    run.outcome = SyncRun.Outcome.FAILED if error else SyncRun.Outcome.OK
    run.error = error.message if error else ""
    run.save()
    if error or run.stored or run.malformed:
        audit.record(
            "connection.sync_failed" if error else "connection.synced",
            workspace=connection.workspace,
            actor_label=f"worker:{run.worker_id or 'cli'}",
            target=connection,
            details={"stored": run.stored, "updated": run.updated, "malformed": run.malformed, "error": run.error},
        )


def queue_if_due(connection_id: int) -> bool:
    """Enqueue the channel's sync now if it is idle and due, without waiting for the dispatcher's next round: a
    long-polling channel after each sync, a channel a hook asked for (``nudge_sync``), or one asked for while its
    sync ran.

    Only a channel that is idle and due is taken, with the same conditional UPDATE as the dispatcher's, so the two
    never enqueue it twice.
    """
    from federe.connections.tasks import sync_connection_task

    now = timezone.now()
    due = Connection.objects.filter(pk=connection_id, enabled=True, sync_state=SyncState.IDLE, next_sync_at__lte=now)
    # Read before writing: after most syncs nothing is due, and an UPDATE takes the write lock even when it changes
    # nothing (on SQLite, the whole database's).
    if not due.exists():
        return False
    with transaction.atomic():
        taken = due.update(sync_state=SyncState.QUEUED, lease_expires_at=_lease_from(now))
        if taken:
            transaction.on_commit(partial(sync_connection_task.enqueue, connection_id))
    return taken == 1


def sync_hook_token(connection_id: int) -> str:
    """The secret part of a channel's "sync now" address, derived from SECRET_KEY (nothing stored)."""
    return salted_hmac("federe.sync-hook", str(connection_id)).hexdigest()[:32]


def nudge_sync(connection_id: int, token: str, about: str = "") -> bool:
    """A network told us something changed: sync now. False if the token is wrong.

    An idle channel's sync is queued at once, for the next worker that looks at the task queue (``federe worker
    --interval``), not at the dispatcher's next round. A channel whose sync is running or queued keeps the request in
    ``next_sync_at``: the running sync's end keeps it (``_finish``) and queues the next one. ``about``: the item the
    network named (digits only, checked by the view), for the log line.
    """
    if not constant_time_compare(token, sync_hook_token(connection_id)):
        return False
    if Connection.objects.filter(pk=connection_id, enabled=True).update(next_sync_at=timezone.now()) != 1:
        return False
    queued = queue_if_due(connection_id)
    # One line per call, no secret in it: bench/reaction.py reads it to tell where the time goes.
    logger.info(
        "sync hook for channel %s (item %s): %s",
        connection_id,
        about or "-",
        "queued" if queued else "after the current sync",
    )
    return True
