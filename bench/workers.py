"""Sync throughput with 1, 2 and 4 `federe worker` processes on one PostgreSQL (issue 17, "Scale out").

    FEDERE_ENV=test .venv/bin/python bench/workers.py                       # 20 channels x 1,000 messages; 1, 2, 4
    FEDERE_ENV=test .venv/bin/python bench/workers.py --workers 2 --items 500
    FEDERE_ENV=test .venv/bin/python bench/workers.py --workspaces 20          # one channel per workspace

For each number of workers, from scratch:

1. a fresh database (``--postgres-url``, dropped and created again: its name must contain "bench"), one workspace
   (or ``--workspaces``, the channels dealt in turn) with ``--channels`` channels of the dummy network, each
   holding ``--items`` messages (pages of 100) with the demo's share of French, all due for a sync. A page's wave
   detection holds its workspace's lock until the page commits (``federe.core.db.lock_workspace``): pages of one
   workspace partly wait for each other, pages of different workspaces do not;
2. that many real `federe worker` processes split between two "machines", A and B (workers a1, b1, a2, b2, ...
   in turn), which are two process groups with separate environments: each machine has its own folder (working
   directory, ``HOME``, ``TMPDIR`` and ``FEDERE_DATA_DIR``), its environment is built from nothing but ``PATH``
   and the settings a deployment would give it (``FEDERE_ENV``, ``DATABASE_URL``, ``FEDERE_DATA_DIR``,
   ``FEDERE_NLP_DEEP``; the secrets key is the test default on both, as a real deployment gives every machine the
   same ``FEDERE_SECRETS_KEY``), and its workers are one process group, stopped together with ``killpg``. Each
   worker is its own Python with its own database connections and worker id; nothing is shared but PostgreSQL.
   What the two machines still share is this host: its cores, its host name (sync runs' worker labels say
   ``host:pid[a1]``) and the loopback to PostgreSQL, so the network's latency of real machines is not measured;
3. the clock runs from the workers' start until every message is stored, then each machine's workers are stopped
   (SIGINT to its process group).

Printed per run: messages per second (and the time); the CPU seconds (/proc) of the workers and of this database's
PostgreSQL backends, and their sum against the wall time times the cores (how much of the machine the sync used);
how busy the machine's cores were with anything at all (/proc/stat: other work on a shared machine shows here); the
share of PostgreSQL's sampled backends that were waiting for a lock held by another (workers serialised by a lock
would show here); and the checks that fail the run: every message stored once (channels x items rows, no
(channel, external id) twice), one successful sync run per channel and none failed, no traceback in any worker's
log (a deadlock would show there), PostgreSQL's own count of deadlocks in the database
(``pg_stat_database.deadlocks``) still 0, and every worker stopped cleanly (exit code 0) on SIGINT. The deep tier
is off (``FEDERE_NLP_DEEP=false``): its encoder would be measured instead of the sync; ``--deep`` keeps it on. The
load average is printed: this machine is shared.

A benchmark, not a test: it prints figures and fails only when a check fails.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import throwaway_pg
from publish_setup import cpu_seconds, out

REPO = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/federe_workers_bench"


def make_channels(channels: int, items: int, workspaces: int = 1) -> list[int]:
    from datetime import timedelta

    from django.utils import timezone

    from federe.accounts.models import Workspace
    from federe.connections.models import Connection

    spaces = [Workspace.objects.create(slug=f"bench-{n}", name=f"Bench {n}") for n in range(workspaces)]
    start = timezone.now() - timedelta(days=30)
    rows = Connection.objects.bulk_create(
        [
            Connection(
                workspace=spaces[n % workspaces],
                network="dummy",
                name=f"Channel {n}",
                sync_interval_seconds=3600,
                next_sync_at=timezone.now(),
                config={
                    "seed": n,
                    "start": start.isoformat(),
                    "interval_seconds": 60,
                    "total": items,
                    "page_size": 100,
                    "french_share": 0.5,
                },
            )
            for n in range(channels)
        ]
    )
    return [row.pk for row in rows]


MACHINES = ("a", "b")


def machine_env(machine: str, folder: Path, url: str, deep: bool) -> dict[str, str]:
    """One machine's environment, built from nothing but PATH (and the locale) and a deployment's settings: its own
    folder as working directory, HOME, TMPDIR and FEDERE_DATA_DIR."""
    home = folder / f"machine-{machine}"
    (home / "var").mkdir(parents=True, exist_ok=True)
    (home / "tmp").mkdir(exist_ok=True)
    env = {key: os.environ[key] for key in ("PATH", "LANG", "LC_ALL") if key in os.environ}
    env.update(
        HOME=str(home),
        TMPDIR=str(home / "tmp"),
        PYTHONPATH=str(REPO / "src"),
        FEDERE_ENV="test",
        DEBUG="false",
        DATABASE_URL=url,
        FEDERE_DATA_DIR=str(home / "var"),
        FEDERE_NLP_DEEP="true" if deep else "false",
    )
    return env


def placement(workers: int) -> list[tuple[str, str]]:
    """(machine, worker id) of each worker, the machines in turn: a1, b1, a2, b2, ..."""
    return [
        (MACHINES[n % len(MACHINES)], f"{MACHINES[n % len(MACHINES)]}{n // len(MACHINES) + 1}") for n in range(workers)
    ]


def start_worker(env: dict[str, str], name: str, log: Path, group: int) -> subprocess.Popen[bytes]:
    """A worker in its machine's process group (0: the first one, whose pid becomes the group's id)."""
    with open(log, "ab") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "federe.config.cli", "worker", "--worker-id", name, "--interval", "0.1"],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            cwd=env["HOME"],
            process_group=group,
        )


def start_machines(
    workers: int, envs: dict[str, dict[str, str]], logs: dict[str, Path]
) -> tuple[list[subprocess.Popen[bytes]], dict[str, int]]:
    procs: list[subprocess.Popen[bytes]] = []
    groups: dict[str, int] = {}
    for machine, name in placement(workers):
        proc = start_worker(envs[machine], name, logs[name], groups.get(machine, 0))
        groups.setdefault(machine, proc.pid)
        procs.append(proc)
    return procs, groups


def stop_machines(procs: list[subprocess.Popen[bytes]], groups: dict[str, int]) -> None:
    for group in groups.values():
        with contextlib.suppress(ProcessLookupError):  # a group whose workers all exited already
            os.killpg(group, signal.SIGINT)
    for proc in procs:
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def deadlocks() -> int:
    """PostgreSQL's count of deadlocks detected in this database since it was created."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def backends() -> list[tuple[int, str]]:
    """(pid, wait event type) of each other session on this database: the workers' connections."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT pid, coalesce(wait_event_type, '') FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return [(int(pid), str(kind)) for pid, kind in cursor.fetchall()]


def machine_ticks() -> tuple[int, int]:
    """(busy, total) clock ticks of every core since boot, from /proc/stat ((0, 0) where there is none)."""
    try:
        fields = [int(value) for value in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    except OSError:
        return 0, 0
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle and iowait
    return sum(fields) - idle, sum(fields)


def stored() -> int:
    from federe.inbox.models import Message

    return Message.objects.count()


def run(
    workers: int, channels: int, items: int, workspaces: int, envs: dict[str, dict[str, str]], folder: Path
) -> dict[str, object]:
    from django.db.models import Count

    from federe.connections.models import SyncRun
    from federe.inbox.models import Message

    ids = make_channels(channels, items, workspaces)
    want = channels * items
    logs = {name: folder / f"w{workers}-{name}.log" for _machine, name in placement(workers)}
    started = time.perf_counter()
    procs, groups = start_machines(workers, envs, logs)
    cpu: dict[int, float] = {}
    pg_cpu: dict[int, float] = {}
    sampled = waiting = 0
    ticks = machine_ticks()
    deadline = started + 1800
    try:
        while stored() < want and time.perf_counter() < deadline:
            for proc in procs:
                seconds = cpu_seconds(proc.pid)
                if seconds is not None:
                    cpu[proc.pid] = seconds
            for pid, kind in backends():
                sampled += 1
                waiting += kind == "Lock"
                seconds = cpu_seconds(pid)  # PostgreSQL on this machine (its backends are processes of their own)
                if seconds is not None:
                    pg_cpu[pid] = seconds
            time.sleep(0.2)
        elapsed = time.perf_counter() - started
        busy, total = (now - before for now, before in zip(machine_ticks(), ticks, strict=True))
        time.sleep(1.0)  # a duplicate, if any, would show itself now
    finally:
        stop_machines(procs, groups)
    exits = [proc.returncode for proc in procs]
    got = Message.objects.count()
    twice = Message.objects.values("connection_id", "external_id").annotate(n=Count("pk")).filter(n__gt=1).count()
    runs = SyncRun.objects.filter(connection_id__in=ids)
    ok = runs.filter(outcome=SyncRun.Outcome.OK).values("connection_id").distinct().count()
    failed = runs.exclude(outcome__in=[SyncRun.Outcome.OK, SyncRun.Outcome.RUNNING]).count()
    tracebacks = sum(log.read_text(errors="replace").count("Traceback") for log in logs.values() if log.exists())
    per_worker = {name: runs.filter(worker_id__endswith=f"[{name}]").count() for name in logs}
    return {
        "workers": workers,
        "elapsed": elapsed,
        "stored": got,
        "wanted": want,
        "twice": twice,
        "channels_ok": ok,
        "failed_runs": failed,
        "tracebacks": tracebacks,
        "deadlocks": deadlocks(),
        "exits": exits,
        "cpu": sum(cpu.values()),
        "pg_cpu": sum(pg_cpu.values()),
        "machine_busy": busy / total if total else 0.0,
        "lock_waits": waiting / sampled if sampled else 0.0,
        "per_worker": per_worker,
        "load": os.getloadavg()[0],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--channels", type=int, default=20)
    parser.add_argument(
        "--workspaces", type=int, default=1, help="Spread the channels over this many workspaces (in turn)."
    )
    parser.add_argument("--items", type=int, default=1000, help="Messages per channel.")
    parser.add_argument("--deep", action="store_true", help="Keep the deep tier on in the workers.")
    parser.add_argument("--postgres-url", default=DEFAULT_URL)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="federe-workers-bench-"))
    results = []
    for workers in args.workers:
        throwaway_pg.create(args.postgres_url)
        try:
            throwaway_pg.start_django(args.postgres_url)
            envs = {machine: machine_env(machine, folder, args.postgres_url, args.deep) for machine in MACHINES}
            out(
                f"{workers} worker(s): {args.channels} channels x {args.items:,} messages"
                f" in {args.workspaces} workspace(s) ..."
            )
            result = run(workers, args.channels, args.items, args.workspaces, envs, folder)
            results.append(result)
        finally:
            from django.db import connections

            connections.close_all()
            throwaway_pg.drop(args.postgres_url)
    out()
    out(f"cores: {os.cpu_count()}, deep tier {'on' if args.deep else 'off'}, logs in {folder}")
    out(
        "| workers | messages | seconds | msg/s | workers' CPU s | PostgreSQL CPU s | sync's share of the cores"
        " | cores busy (anything) | sessions waiting for a lock | syncs per worker | load |"
    )
    out("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|")
    failed = False
    for r in results:
        rate = r["stored"] / r["elapsed"]  # type: ignore[operator]
        share = (r["cpu"] + r["pg_cpu"]) / (r["elapsed"] * (os.cpu_count() or 1))  # type: ignore[operator]
        out(
            f"| {r['workers']} | {r['stored']:,} | {r['elapsed']:.1f} | {rate:,.0f} | {r['cpu']:.1f} |"
            f" {r['pg_cpu']:.1f} | {share:.0%} | {r['machine_busy']:.0%} | {r['lock_waits']:.0%} |"
            f" {r['per_worker']} | {r['load']:.1f} |"
        )
        problems = []
        if r["stored"] != r["wanted"] or r["twice"]:
            problems.append(f"stored {r['stored']} of {r['wanted']}, {r['twice']} stored twice")
        if r["channels_ok"] != args.channels:
            problems.append(f"{r['channels_ok']} of {args.channels} channels had a successful sync run")
        if r["failed_runs"]:
            problems.append(f"{r['failed_runs']} sync run(s) failed")
        if r["tracebacks"]:
            problems.append(f"{r['tracebacks']} traceback(s) in the workers' logs")
        if r["deadlocks"]:
            problems.append(f"PostgreSQL detected {r['deadlocks']} deadlock(s)")
        if any(code != 0 for code in r["exits"]):  # type: ignore[attr-defined]
            problems.append(f"a worker did not stop cleanly on SIGINT (exit codes {r['exits']})")
        for problem in problems:
            out(f"  FAILED ({r['workers']} workers): {problem}")
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
