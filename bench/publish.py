"""Publishing benchmark: 10,000 deliveries due in the same minute across channels of the dummy network, published
by 2 real `federe worker` processes; prints p50/p99 lateness and throughput (goal: p99 under 5 s).

    .venv/bin/python bench/publish.py                     # 10,000 deliveries over 60 s, 10 channels, 2 workers
    .venv/bin/python bench/publish.py -n 2000 --spread 0  # a burst: everything due at the same second

Lateness is ``sent_at - due_at`` of each delivery, read from the ledger once every delivery is sent. Throughput is
the deliveries sent divided by the time from the first due time to the last send. The workers' CPU time (from
/proc) is printed per delivery, and the load average. The database is a fresh SQLite file (WAL) in a temporary
folder, or a throw-away PostgreSQL database with ``--postgres-url``; the deliveries are written in bulk before the
workers start (not measured), due from a few seconds after the workers have started. A benchmark, not a test: it
fails only when a delivery was not sent.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import throwaway_pg
from publish_setup import (
    configure,
    cpu_seconds,
    ledger,
    make_deliveries,
    out,
    percentile,
    start_worker,
    wait_started,
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", "--count", type=int, default=10_000)
    parser.add_argument("--channels", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--spread", type=float, default=60.0, help="Seconds over which the deliveries fall due.")
    parser.add_argument("--timeout", type=float, default=900.0)
    parser.add_argument(
        "--postgres-url",
        help="Run on this PostgreSQL database instead of SQLite: dropped and created again, dropped at the end"
        " (its name must contain 'bench'), e.g. postgres://postgres@127.0.0.1:5432/federe_publish_bench.",
    )
    args = parser.parse_args()

    if args.postgres_url:
        throwaway_pg.create(args.postgres_url)
        try:
            return run(args, configure(DATABASE_URL=args.postgres_url))
        finally:
            from django.db import connections

            connections.close_all()
            throwaway_pg.drop(args.postgres_url)
    return run(args, configure())


def run(args: argparse.Namespace, env: dict[str, str]) -> int:

    from federe.publishing.models import Delivery, DeliveryState

    folder = Path(env["FEDERE_DATA_DIR"])
    out(f"database: {env['DATABASE_URL']}")
    workers = []
    for n in range(args.workers):
        log = folder / f"worker-{n}.log"
        worker = start_worker(env, f"bench-{n}", log)
        if not wait_started(worker, log):
            out(f"worker {n} did not start: see {log}")
            return 1
        workers.append(worker)
    idle = [cpu_seconds(worker.pid) for worker in workers]
    made = time.monotonic()
    first_due = make_deliveries(args.count, args.channels, 5, args.spread, {})
    out(
        f"{args.count:,} deliveries on {args.channels} channels written in {time.monotonic() - made:.1f} s, due from"
        f" {first_due:%H:%M:%S} over {args.spread:g} s; {args.workers} workers running"
    )
    deadline = time.monotonic() + args.timeout
    try:
        while Delivery.objects.exclude(state=DeliveryState.SENT).exists() and time.monotonic() < deadline:
            time.sleep(1)
    finally:
        spent = [cpu_seconds(worker.pid) for worker in workers]
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(30)
    rows = ledger()
    sent = [row for row in rows if row["state"] == DeliveryState.SENT]
    late = [(row["sent_at"] - row["due_at"]).total_seconds() for row in sent]
    busy = (max(row["sent_at"] for row in sent) - min(row["due_at"] for row in rows)).total_seconds() if sent else 0
    out(f"sent: {len(sent):,} of {len(rows):,}")
    out(
        f"lateness: p50 {percentile(late, 0.5):.2f} s, p99 {percentile(late, 0.99):.2f} s, max {max(late):.2f} s"
        if late
        else "lateness: nothing sent"
    )
    out(
        f"throughput: {len(sent) / busy:,.0f} deliveries/s (first due time to last send: {busy:.1f} s)"
        if busy > 0
        else "throughput: -"
    )
    if None not in spent and None not in idle:
        cpu = sum(after - before for after, before in zip(spent, idle, strict=True))  # type: ignore[operator]
        out(f"workers' CPU: {cpu:.1f} s ({1000 * cpu / max(len(sent), 1):.2f} ms per delivery sent)")
    out(f"load average: {' '.join(f'{value:.2f}' for value in os.getloadavg())}")
    out(f"p99 under 5 s: {'yes' if late and percentile(late, 0.99) < 5 else 'no'}")
    return 0 if len(sent) == len(rows) else 1


if __name__ == "__main__":
    sys.exit(main())
