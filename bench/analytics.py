"""Dashboards at scale on PostgreSQL: the summary tables rebuilt from every message, then the p95 of each figure
family's query (this period and the previous one, as the page asks) and of the whole page.

    FEDERE_ENV=test .venv/bin/python bench/analytics.py                 # 100,000 persons, 10,000,000 messages
    FEDERE_ENV=test .venv/bin/python bench/analytics.py --messages 1000000   # what this machine allows

1. A fresh database (``federe_bench_analytics`` by default: dropped and recreated; the name must contain "bench"),
   filled by ``bench/people.py``'s generator (COPY: 5 channels, persons with a strong skew of authorship, threads,
   replies, human decisions on 1 % of the messages, over two years), and an SLA clock for every thread.
2. ``analytics.rebuild.rebuild``: the summary tables counted from every message (set-based SQL) and decision
   (timed: that is the backfill's cost).
3. Each family of ``analytics.tables`` (what the page, the CSV and the CLI call) for the last 7, 30 and 90 days, for
   the whole workspace and for one channel, ``--repeat`` times each: p50 and p95 in ms; first, once, the response
   figures of 90 days from nothing stored (their days are counted at the first read: ``sla/daily.py``). Then the
   whole page (Django's test client: templates and middleware count) for 7, 30 and 90 days.
4. Drops the database (unless --keep).

A benchmark, not a test: it prints figures and fails only when something broke.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import throwaway_pg
from people import generate, out

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/federe_bench_analytics"


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


CLOCKS = """
INSERT INTO sla_threadclock (conversation_id, workspace_id, policy_id, channel, waits, warned, updated_at,
    started_at, first_response_due, first_response_at, resolution_due, resolution_at, closed_at)
SELECT conversation_id, %(workspace)s, %(policy)s, channel, '[]', '[]', now(), first,
    first + interval '1 hour',
    CASE WHEN random() < 0.9 THEN first + random() * interval '3 hours' END,
    first + interval '18 hours',
    CASE WHEN random() < 0.7 THEN first + random() * interval '36 hours' END,
    NULL
FROM (SELECT conversation_id, min(connection_id) AS channel, min(posted_at) AS first FROM inbox_message
      WHERE workspace_id = %(workspace)s GROUP BY conversation_id) threads
"""


def sla_clocks(workspace: object) -> int:
    """Every thread under a service-level policy (first response in an hour, resolution in 18), answered or not at
    random, as a busy inbox has them: the response-time figures read these clocks."""
    from django.db import connection

    from federe.sla.models import Policy

    policy = Policy.objects.create(
        workspace=workspace, name="Bench", first_response_minutes=60, resolution_minutes=18 * 60
    )
    with connection.cursor() as cursor:
        cursor.execute(CLOCKS, {"workspace": policy.workspace_id, "policy": policy.pk})
        cursor.execute("ANALYZE sla_threadclock")
        return cursor.rowcount


def rebuild(workspace_id: int) -> float:
    from federe.analytics import rebuild as rebuilding

    last = [0.0]

    def progress(what: str, done: int, total: int) -> None:
        if time.perf_counter() - last[0] > 30 or done >= total:
            last[0] = time.perf_counter()
            out(f"  rebuild: {what} {done:,}/{total:,}")

    started = time.perf_counter()
    rebuilding.rebuild(workspace_id, progress)
    return time.perf_counter() - started


def measure(info: dict, repeat: int) -> list[tuple[str, float, float]]:
    from django.db import connection
    from django.test import Client

    from federe.analytics import period, tables
    from federe.connections.models import Connection

    with connection.cursor() as cursor:
        # what autovacuum does on a live database: statistics, and the visibility map the index-only scans read
        cursor.execute("VACUUM ANALYZE analytics_dailycount, analytics_dailydecision, analytics_memberspan, "
                       "analytics_threadcount, sla_threadclock")  # fmt: skip
    workspace = info["workspace"]
    channel = Connection.objects.filter(workspace=workspace).order_by("pk").first()
    rows = []
    # The response figures' days are counted at their first read and stored (sla/daily.py): that first read of a
    # 90-day period and the one before it, once, from nothing stored.
    started = time.perf_counter()
    tables.responses(tables.Scope(workspace.pk, period.last_days(90)))
    first = (time.perf_counter() - started) * 1000
    rows.append(("responses, 90 days, workspace, first read (180 days counted)", first, first))
    for days in period.PRESETS:
        for where, channel_id in (("workspace", None), ("channel", channel.pk)):
            chosen = period.last_days(days)
            for family, make in tables.FAMILIES.items():
                if family == "voice" and channel_id is not None:
                    continue
                make(tables.Scope(workspace.pk, chosen, channel_id))  # warm
                times = []
                for _ in range(repeat):
                    started = time.perf_counter()
                    make(tables.Scope(workspace.pk, chosen, channel_id))  # a new scope: nothing read is reused
                    times.append((time.perf_counter() - started) * 1000)
                rows.append((f"{family}, {days} days, {where}", statistics.median(times), p95(times)))
    client = Client()
    client.force_login(info["user"])
    path = f"/w/{workspace.slug}/analytics/"
    assert client.get(path).status_code == 200
    for days in period.PRESETS:
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            assert client.get(path, {"days": str(days)}).status_code == 200
            times.append((time.perf_counter() - started) * 1000)
        rows.append((f"whole page, {days} days, workspace", statistics.median(times), p95(times)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--postgres-url", default=os.environ.get("BENCH_ANALYTICS_POSTGRES_URL", DEFAULT_URL))
    parser.add_argument("--keep", action="store_true", help="Keep the database afterwards.")
    args = parser.parse_args()

    throwaway_pg.create(args.postgres_url)
    throwaway_pg.start_django(args.postgres_url)
    try:
        started = time.perf_counter()
        info = generate(args.persons, args.messages)
        generation = time.perf_counter() - started
        out(f"Generated {info['messages']:,} messages, {info['conversations']:,} threads in {generation:.0f} s")
        started = time.perf_counter()
        sla_clocks(info["workspace"])
        out(f"SLA clocks for every thread in {time.perf_counter() - started:.0f} s")
        rebuilt = rebuild(info["workspace"].pk)
        out(f"Rebuilt the summary tables in {rebuilt:.0f} s ({info['messages'] / rebuilt:,.0f} messages/s)")
        from federe.analytics.models import DailyCount, DailyDecision, MemberSpan, ThreadCount

        sizes = ", ".join(
            f"{m.__name__} {m.objects.count():,}" for m in (DailyCount, DailyDecision, MemberSpan, ThreadCount)
        )
        rows = measure(info, args.repeat)
    finally:
        if not args.keep:
            throwaway_pg.remove(args.postgres_url)
    out()
    out(f"Machine: {os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f}")
    out(f"Data: {args.persons:,} persons, {info['messages']:,} messages; summary rows: {sizes}")
    width = max(len(r[0]) for r in rows)
    out(f"{'query'.ljust(width)}  {'p50 ms':>8}  {'p95 ms':>8}")
    for name, p50, p95_ in rows:
        out(f"{name.ljust(width)}  {p50:8.1f}  {p95_:8.1f}")
    out()
    out("Command: FEDERE_ENV=test .venv/bin/python bench/analytics.py " + " ".join(sys.argv[1:]))


if __name__ == "__main__":
    main()
