"""`federe worker` stopped as contrib/systemd/federe-worker@.service stops it: its ExecStart, its KillSignal, and no
more time than its TimeoutStopSec. Idle, the worker exits at once; in the middle of a sync, it finishes the sync
first. Both exit with status 0 (systemd's "clean")."""

from __future__ import annotations

import os
import shlex
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection as db

from federe.connections.models import SyncRun
from federe.inbox.models import Message
from tests.connections.test_two_workers import database_url, exceptions
from tests.factories import ConnectionFactory, WorkspaceFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

UNIT = Path(__file__).resolve().parents[2] / "contrib" / "systemd" / "federe-worker@.service"


def unit_settings() -> dict[str, str]:
    """The [Service] section's settings (one line each in this file)."""
    found: dict[str, str] = {}
    section = ""
    for line in UNIT.read_text().splitlines():
        line = line.strip()
        if line.startswith("["):
            section = line
        elif section == "[Service]" and "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            found[key] = value
    return found


def worker_command(instance: str) -> list[str]:
    """The unit's ExecStart for this instance, the installed `federe` script replaced by this checkout's."""
    argv = shlex.split(unit_settings()["ExecStart"].replace("%H", socket.gethostname()).replace("%i", instance))
    assert Path(argv[0]).name == "federe", argv
    return [sys.executable, "-m", "federe.config.cli", *argv[1:]]


def start(instance: str, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "FEDERE_ENV": "test", "DATABASE_URL": database_url()}
    with open(log, "wb") as output:
        return subprocess.Popen(worker_command(instance), env=env, stdout=output, stderr=subprocess.STDOUT)


def wait_for(condition, seconds: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.05)


def stop(worker: subprocess.Popen[bytes]) -> tuple[int, float]:
    """The unit's KillSignal, then as long as systemd would wait: (exit status, seconds it took)."""
    kill_signal = signal.Signals[unit_settings()["KillSignal"]]
    timeout = float(unit_settings()["TimeoutStopSec"])
    sent = time.monotonic()
    worker.send_signal(kill_signal)
    try:
        code = worker.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()
        pytest.fail(f"the worker was still running {timeout:.0f} s after {kill_signal.name}: systemd would SIGKILL it")
    return code, time.monotonic() - sent


def test_the_unit_stops_an_idle_worker_at_once_and_cleanly(tmp_path):
    if db.vendor != "postgresql":
        pytest.skip("the worker runs in its own process: it needs a database both can reach")
    log = tmp_path / "worker.log"
    worker = start("1", log)
    # "Starting worker" is logged once the worker's signal handlers are in place.
    wait_for(lambda: "Starting worker" in log.read_text(errors="replace"), 60, "the worker to start")
    code, took = stop(worker)
    logged = log.read_text(errors="replace")
    assert "Traceback" not in logged, "\n---\n".join(exceptions(logged))
    assert code == 0, logged
    assert took < 10, took
    assert f"worker_id={socket.gethostname()}-1 " in logged, logged


def test_the_unit_lets_a_running_sync_finish_before_the_worker_exits(tmp_path):
    if db.vendor != "postgresql":
        pytest.skip("the worker runs in its own process: it needs a database both can reach")
    total = 1000
    channel = ConnectionFactory(
        workspace=WorkspaceFactory(),
        config={
            "seed": 3,
            "start": "2026-01-05T09:00:00+00:00",
            "interval_seconds": 60,
            "total": total,
            "page_size": 20,
        },
    )
    log = tmp_path / "worker.log"
    worker = start("2", log)

    def stored() -> int:
        return Message.objects.filter(connection=channel).count()

    wait_for(lambda: stored() > 0, 90, "the sync's first page")
    at_signal = stored()
    code, _took = stop(worker)
    logged = log.read_text(errors="replace")
    assert at_signal < total, "the sync ended before the signal: nothing was shown"
    assert "Traceback" not in logged, "\n---\n".join(exceptions(logged))
    assert code == 0, logged
    # The sync went on to its end (50 pages of 20) and was recorded as such, its channel released.
    assert stored() == total
    run = SyncRun.objects.get(connection=channel)
    assert run.outcome == SyncRun.Outcome.OK, run.error
    channel.refresh_from_db()
    assert channel.lease_expires_at is None
