"""One text sent to many people by the worker, with progress: an event's follow-up, a contest's announcement.

The request only claims the people (``start``) and enqueues a task after the commit; the task (``execute``) sends
to them one at a time, outside any transaction, and records each outcome on the person's own row. What keeps it
exact, whatever is submitted twice or killed:

- **A person is claimed once.** ``start`` moves rows from nothing-yet or failed to ``queued`` with one conditional
  UPDATE whose condition is on the row itself (PostgreSQL checks it again after a concurrent writer; SQLite's
  ``BEGIN IMMEDIATE`` makes writers take turns): a second request, or a second tab, claims nobody already sent,
  queued or being sent.
- **A run has one worker.** ``claim`` takes the run with a token and a lease, renewed after each person; a task
  enqueued twice finds it held and does nothing. A lapsed lease is a dead worker's: the dispatcher enqueues the
  run again (``dispatch_abandoned``) and it goes on with the people still ``queued``, never the ones ``sent``.
- **A person is sent once.** Each one is moved from ``queued`` to ``sending`` (committed) before the call. A row
  found ``sending`` by the next holder of the run is one a worker died on: its outcome is unknown, so it is
  marked failed with that reason, not sent again; sending again to the failed ones is the manager's choice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import Any, Generic, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.crypto import get_random_string
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from federe.core.models import SendRun

log = logging.getLogger(__name__)
Run = TypeVar("Run", bound=SendRun)

QUEUED, SENDING, SENT, FAILED = "queued", "sending", "sent", "failed"
RUNNING, DONE = "running", "done"
LEASE = timedelta(minutes=10)
FAILURES_SHOWN = 100


@dataclass(frozen=True)
class Rows:
    """Where one kind of run keeps each person's outcome: the model and the names of its fields."""

    model: type[models.Model]
    run: str  # the foreign key to the run
    state: str  # "", queued, sending, sent, failed
    error: str
    name: str


@dataclass
class Progress:
    total: int = 0
    sent: int = 0
    failed: int = 0
    remaining: int = 0
    skipped: int = 0
    finished: bool = False
    failures: list[tuple[str, str]] = field(default_factory=list)

    @property
    def done(self) -> int:
        return self.sent + self.failed


def start(
    run_model: type[Run], rows: Rows, ids: list[int], *, skipped: int, enqueue: Callable[[int], Any], **fields: Any
) -> Run | None:
    """Claim the rows ``ids`` not yet sent nor being sent for a new run, then enqueue it after the commit; None
    when nobody is left to claim (nothing is created then)."""
    with transaction.atomic():
        run = run_model._default_manager.create(lease_until=timezone.now() + LEASE, skipped=skipped, **fields)
        claimable = Q(pk__in=ids) & Q(**{f"{rows.state}__in": ["", FAILED]})
        total = rows.model._default_manager.filter(claimable).update(
            **{rows.state: QUEUED, rows.run: run, rows.error: ""}
        )
        if not total:
            transaction.set_rollback(True)
            return None
        run.total, run.skipped = total, skipped + len(ids) - total
        run.save(update_fields=["total", "skipped"])
        transaction.on_commit(partial(enqueue, run.pk))
    return run


def claim(run_model: type[SendRun], run_id: int) -> str | None:
    """The run taken for this worker (a token), or None when another worker holds it or it is done."""
    now, token = timezone.now(), get_random_string(24)
    held = Q(state=QUEUED) | Q(state=RUNNING, lease_until__lt=now)
    taken = run_model._default_manager.filter(Q(pk=run_id) & held).update(
        state=RUNNING, token=token, lease_until=now + LEASE
    )
    return token if taken else None


def _renew(run_model: type[SendRun], run_id: int, token: str) -> bool:
    """The lease held a little longer; False once the run was queued again or taken by another worker."""
    held = run_model._default_manager.filter(pk=run_id, token=token, state=RUNNING)
    return bool(held.update(lease_until=timezone.now() + LEASE))


def _next(rows: Rows, run_id: int) -> int | None:
    """The next queued person of the run, moved to ``sending`` (committed before any call); None when none is left."""
    manager = rows.model._default_manager
    while True:
        pk = manager.filter(**{rows.run: run_id, rows.state: QUEUED}).order_by("pk").values_list("pk", flat=True)
        first = pk.first()
        if first is None:
            return None
        if manager.filter(pk=first, **{rows.run: run_id, rows.state: QUEUED}).update(**{rows.state: SENDING}):
            return first


def _record(rows: Rows, run_id: int, pk: int, state: str, error: str) -> None:
    """The person's outcome. A success is recorded even when another worker, taking the run over meanwhile, marked
    this person "may have arrived" (failed): it did arrive, and sending again must not reach them twice."""
    states = [SENDING, FAILED] if state == SENT else [SENDING]
    rows.model._default_manager.filter(**{"pk": pk, rows.run: run_id, f"{rows.state}__in": states}).update(
        **{rows.state: state, rows.error: error[:300]}
    )


def execute(
    run_model: type[Run], rows: Rows, run_id: int, send_one: Callable[[Run, int], tuple[str, str]]
) -> dict[str, int] | None:
    """Send the run's queued people one at a time: ``send_one(run, pk)`` sends to one and says (state, error)."""
    token = claim(run_model, run_id)
    if token is None:
        return None
    run = run_model._default_manager.select_related("by").get(pk=run_id)
    language = getattr(run.by, "language", "") or translation.get_language()
    counts = {SENT: 0, FAILED: 0}
    with translation.override(language):
        rows.model._default_manager.filter(**{rows.run: run_id, rows.state: SENDING}).update(
            **{
                rows.state: FAILED,
                rows.error: _("The worker stopped while sending this one: it may have arrived. Send again if needed."),
            }
        )
        while (pk := _next(rows, run_id)) is not None:
            try:
                state, error = send_one(run, pk)
            except PermissionDenied:  # whoever asked was removed, or their role lowered, before the worker ran
                state, error = (
                    FAILED,
                    _(
                        "Whoever asked for this sending is no longer allowed to reply in this workspace (removed, or "
                        "their role changed): someone who may reply can send again."
                    ),
                )
            except Exception:  # one person's unexpected failure is theirs; the others are still sent
                log.exception("sending to %s %s failed", rows.model.__name__, pk)
                state, error = FAILED, _("An unexpected error stopped this one.")
            _record(rows, run_id, pk, state, error)
            counts[state] = counts.get(state, 0) + 1
            if not _renew(run_model, run_id, token):
                return counts  # the lease lapsed and another worker took the run: it goes on
    run_model._default_manager.filter(pk=run_id, token=token).update(state=DONE, finished_at=timezone.now())
    return counts


def dispatch_abandoned(run_model: type[SendRun], enqueue: Callable[[int], Any]) -> list[int]:
    """Runs whose worker's lease lapsed (killed, or never started), queued and enqueued again: the next task to
    claim one goes on with its people still queued. A plain read when there is none."""
    now = timezone.now()
    lapsed = Q(state__in=[QUEUED, RUNNING], lease_until__lt=now)
    ids = list(run_model._default_manager.filter(lapsed).values_list("pk", flat=True)[:50])
    again = []
    for pk in ids:
        with transaction.atomic():
            if run_model._default_manager.filter(Q(pk=pk) & lapsed).update(state=QUEUED, lease_until=now + LEASE):
                again.append(pk)
                transaction.on_commit(partial(enqueue, pk))
    return again


def progress(rows: Rows, run: SendRun) -> Progress:
    """Sent, failed and remaining among the people this run claimed, with each failure's reason."""
    mine = rows.model._default_manager.filter(**{rows.run: run.pk})
    by_state = {row[rows.state]: row["n"] for row in mine.order_by().values(rows.state).annotate(n=Count("pk"))}
    failures = mine.filter(**{rows.state: FAILED}).order_by("pk").values_list(rows.name, rows.error)
    return Progress(
        total=run.total,
        sent=by_state.get(SENT, 0),
        failed=by_state.get(FAILED, 0),
        remaining=by_state.get(QUEUED, 0) + by_state.get(SENDING, 0),
        skipped=run.skipped,
        finished=run.state == DONE,
        failures=[(name, error) for name, error in failures[:FAILURES_SHOWN]],
    )


@dataclass(frozen=True)
class Kind(Generic[Run]):
    """One kind of run, for its app: the run's model, where each person's outcome is kept, the task that runs it
    (its dotted path, imported when first enqueued: the task's module imports the app's) and how one is sent."""

    run_model: type[Run]
    rows: Rows
    task: str
    send_one: Callable[[Run, int], tuple[str, str]]

    def enqueue(self, run_id: int) -> None:
        import_string(self.task).enqueue(run_id)

    def start(self, ids: list[int], *, skipped: int, **fields: Any) -> Run:
        """``start``, refused in words when nobody is left to claim."""
        run = start(self.run_model, self.rows, ids, skipped=skipped, enqueue=self.enqueue, **fields)
        if run is None:
            raise ValidationError(_("Nobody is left to send it to: each one was sent it, or is being sent it now."))
        return run

    def execute(self, run_id: int) -> dict[str, int] | None:
        return execute(self.run_model, self.rows, run_id, self.send_one)

    def dispatch_abandoned(self) -> list[int]:
        return dispatch_abandoned(self.run_model, self.enqueue)

    def latest(self, **owner: Any) -> tuple[Run | None, Progress | None]:
        """The latest run of ``owner`` (``event=…``, ``contest=…``) and its progress; (None, None) before the first."""
        run = self.run_model._default_manager.filter(**owner).order_by("-created_at", "-pk").first()
        return run, (progress(self.rows, run) if run else None)
