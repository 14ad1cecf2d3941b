"""Sync throughput with 1, 2 and 4 `federe worker` processes on one PostgreSQL (issue 17, "Scale out").

    FEDERE_ENV=test .venv/bin/python bench/workers.py                       # 20 channels x 1,000 messages; 1, 2, 4
    FEDERE_ENV=test .venv/bin/python bench/workers.py --workers 2 --items 500

For each number of workers, from scratch:

1. a fresh database (``--postgres-url``, dropped and created again: its name must contain "bench"), one workspace
   with ``--channels`` channels of the dummy network, each holding ``--items`` messages (pages of 100) with the
   demo's share of French, all due for a sync;
2. that many real `federe worker` processes, each its own Python, its own database connection, its own
   environment and worker id, as workers on several machines would be (nothing is shared but PostgreSQL);
3. the clock runs from the workers' start until every message is stored, then the workers are stopped (SIGINT).

Printed per run: messages per second (and the time), the workers' CPU seconds (/proc) against the wall time times
the two cores (how busy the machine's cores were with the workers' work; PostgreSQL's own CPU is not counted), and
the checks that fail the run: every message stored once (channels x items rows, no (channel, external id) twice),
one successful sync run per channel and none failed, and no traceback in any worker's log (a deadlock would show
there). The deep tier is off (``FEDERE_NLP_DEEP=false``): its encoder would be measured instead of the sync;
``--deep`` keeps it on. The load average is printed: this machine is shared.

A benchmark, not a test: it prints figures and fails only when a check fails.
"""

from __future__ import annotations

import argparse
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


def make_channels(channels: int, items: int) -> list[int]:
    from datetime import timedelta

    from django.utils import timezone

    from federe.accounts.models import Workspace
    from federe.connections.models import Connection

    workspace = Workspace.objects.create(slug="bench", name="Bench")
    start = timezone.now() - timedelta(days=30)
    rows = Connection.objects.bulk_create(
        [
            Connection(
                workspace=workspace,
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


def start_worker(env: dict[str, str], name: str, log: Path) -> subprocess.Popen[bytes]:
    with open(log, "ab") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "federe.config.cli", "worker", "--worker-id", name, "--interval", "0.1"],
            env={**env, "PYTHONPATH": str(REPO / "src")},
            stdout=output,
            stderr=subprocess.STDOUT,
            cwd=str(REPO),
        )


def stored() -> int:
    from federe.inbox.models import Message

    return Message.objects.count()


def run(workers: int, channels: int, items: int, env: dict[str, str], folder: Path) -> dict[str, object]:
    from django.db.models import Count

    from federe.connections.models import SyncRun
    from federe.inbox.models import Message

    ids = make_channels(channels, items)
    want = channels * items
    logs = [folder / f"w{workers}-{n}.log" for n in range(workers)]
    started = time.perf_counter()
    procs = [start_worker(env, f"w{n}", log) for n, log in enumerate(logs)]
    cpu: dict[int, float] = {}
    deadline = started + 1800
    try:
        while stored() < want and time.perf_counter() < deadline:
            for proc in procs:
                seconds = cpu_seconds(proc.pid)
                if seconds is not None:
                    cpu[proc.pid] = seconds
            time.sleep(0.2)
        elapsed = time.perf_counter() - started
        time.sleep(1.0)  # a duplicate, if any, would show itself now
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGINT)
        for proc in procs:
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
    got = Message.objects.count()
    twice = Message.objects.values("connection_id", "external_id").annotate(n=Count("pk")).filter(n__gt=1).count()
    runs = SyncRun.objects.filter(connection_id__in=ids)
    ok = runs.filter(outcome=SyncRun.Outcome.OK).values("connection_id").distinct().count()
    failed = runs.exclude(outcome__in=[SyncRun.Outcome.OK, SyncRun.Outcome.RUNNING]).count()
    tracebacks = sum(log.read_text(errors="replace").count("Traceback") for log in logs if log.exists())
    per_worker = {
        name: runs.filter(worker_id__endswith=f"[{name}]").count() for name in (f"w{n}" for n in range(workers))
    }
    return {
        "workers": workers,
        "elapsed": elapsed,
        "stored": got,
        "wanted": want,
        "twice": twice,
        "channels_ok": ok,
        "failed_runs": failed,
        "tracebacks": tracebacks,
        "cpu": sum(cpu.values()),
        "per_worker": per_worker,
        "load": os.getloadavg()[0],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--channels", type=int, default=20)
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
            env = {**os.environ, "FEDERE_NLP_DEEP": "true" if args.deep else "false"}
            out(f"{workers} worker(s): {args.channels} channels x {args.items:,} messages ...")
            result = run(workers, args.channels, args.items, env, folder)
            results.append(result)
        finally:
            from django.db import connections

            connections.close_all()
            throwaway_pg.drop(args.postgres_url)
    out()
    out(f"cores: {os.cpu_count()}, deep tier {'on' if args.deep else 'off'}, logs in {folder}")
    out("| workers | messages | seconds | msg/s | workers' CPU s | cores busy | syncs per worker | load |")
    out("|---:|---:|---:|---:|---:|---:|---|---:|")
    failed = False
    for r in results:
        rate = r["stored"] / r["elapsed"]  # type: ignore[operator]
        busy = r["cpu"] / (r["elapsed"] * (os.cpu_count() or 1))  # type: ignore[operator]
        out(
            f"| {r['workers']} | {r['stored']:,} | {r['elapsed']:.1f} | {rate:,.0f} | {r['cpu']:.1f} | {busy:.0%} |"
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
        for problem in problems:
            out(f"  FAILED ({r['workers']} workers): {problem}")
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
