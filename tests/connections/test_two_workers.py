"""Two `federe worker` processes on one PostgreSQL never do the same work twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from django.db import connection as db
from django_tasks_db.models import DBTaskResult

from federe.connections.models import SyncRun
from federe.inbox.models import Message
from tests.factories import ConnectionFactory, WorkspaceFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CHANNELS = 12
ITEMS = 200


def database_url() -> str:
    s = db.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def start_worker(name: str) -> subprocess.Popen[str]:
    env = {**os.environ, "FEDERE_ENV": "test", "DATABASE_URL": database_url()}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "federe.config.cli",
            "worker",
            "--worker-id",
            name,
            "--interval",
            "0.05",
            "--dispatch-every",
            "0.1",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def exceptions(logged: str) -> list[str]:
    """Each traceback's last frame and its exception line (a long worker log, or pytest, would cut them off)."""
    lines, found = logged.splitlines(), []
    for start, line in enumerate(lines):
        if line.startswith("Traceback"):
            end = start + 1
            while end < len(lines) and lines[end].startswith(" "):
                end += 1
            found.append("\n".join(lines[max(start, end - 4) : end + 1]))
    return found


def test_two_workers_share_the_work_without_doing_any_twice():
    if db.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (SKIP LOCKED across processes)")
    workspace = WorkspaceFactory()
    channels = [
        ConnectionFactory(
            workspace=workspace,
            config={
                "seed": n,
                "start": "2026-01-05T09:00:00+00:00",
                "interval_seconds": 60,
                "total": ITEMS,
                "page_size": 20,
            },
        )
        for n in range(CHANNELS)
    ]
    workers = [start_worker("w1"), start_worker("w2")]
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if SyncRun.objects.filter(outcome=SyncRun.Outcome.OK).count() >= CHANNELS:
                break
            time.sleep(0.2)
        time.sleep(1.0)  # let any duplicate show itself
    finally:
        output = []
        for worker in workers:
            worker.send_signal(signal.SIGINT)
        for worker in workers:
            output.append(worker.communicate(timeout=30)[0])
    runs = SyncRun.objects.filter(connection__in=channels)
    # Neither worker met an error it had to log (a deadlock between a page and the deep tier was, once).
    logged = "".join(output)
    assert "Traceback" not in logged, "\n---\n".join(exceptions(logged))
    assert runs.count() == CHANNELS, [run.error for run in runs if run.error] + output
    for channel in channels:
        assert runs.filter(connection=channel).count() == 1
    assert Message.objects.filter(connection__in=channels).count() == CHANNELS * ITEMS
    # One sync task per channel (other tasks, e.g. the people suggestions refresh, may run besides).
    syncs = DBTaskResult.objects.filter(task_path__endswith="sync_connection_task")
    assert syncs.filter(status="SUCCESSFUL").count() == CHANNELS
    by_worker = {w: runs.filter(worker_id__endswith=f"[{w}]").count() for w in ("w1", "w2")}
    print("syncs per worker:", by_worker)
    assert sum(by_worker.values()) == CHANNELS
    assert all(count > 0 for count in by_worker.values()), by_worker


def test_the_failure_message_names_each_exception():
    log = 'w1 ok\nTraceback (most recent call last):\n  File "a.py", line 1, in f\n    g()\nValueError: boom\nw1 on\n'
    expected = 'Traceback (most recent call last):\n  File "a.py", line 1, in f\n    g()\nValueError: boom'
    assert exceptions(log) == [expected]
