"""SLA clocks: what they cost at ingest and on a policy edit, on SQLite (a throw-away file under var/bench).

    FEDERE_ENV=test .venv/bin/python bench/sla.py                   # 2,000 threads, pages of 1,000 messages
    FEDERE_ENV=test .venv/bin/python bench/sla.py --threads 10000

One workspace (Europe/Paris), one channel, a business-hours policy (09:00-12:00 and 13:00-18:00 on weekdays, a
holiday) with the three targets. Printed, each the median of three runs:

1. ``hours.add`` and ``hours.between`` per call (a resolution target of 3 business days);
2. the ingest step (``tracking.customer_messages``) on a page of ``--page`` customer messages spread over
   ``--threads`` threads, with the number of SQL queries it ran (it must not grow with the page);
3. a policy edit (``services.change``: every open thread's clocks computed again), with ``--threads`` open threads.

This is a benchmark, not a test: it asserts only that every thread got a clock.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent


def setup() -> None:
    os.environ["FEDERE_ENV"] = "test"
    os.environ["DEBUG"] = "false"
    os.environ["DJANGO_SETTINGS_MODULE"] = "federe.config.settings"
    directory = REPO / "var" / "bench"
    directory.mkdir(parents=True, exist_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{directory / f'sla-{os.getpid()}.sqlite3'}"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def timed(run: Any, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2000)
    parser.add_argument("--page", type=int, default=1000)
    args = parser.parse_args()
    setup()
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from federe.accounts.models import Membership, Role, User, Workspace
    from federe.connections.models import Connection
    from federe.inbox.models import Conversation, Message
    from federe.sla import hours, services, tracking
    from federe.sla.models import ThreadClock

    office = ((540, 720), (780, 1080))
    cal = hours.Calendar("Europe/Paris", (office,) * 5 + ((), ()), frozenset({date(2026, 5, 1)}))
    start = datetime(2026, 4, 29, 16, 30, tzinfo=UTC)
    per_call = timed(lambda: [hours.add_minutes(cal, start, 3 * 480) for _ in range(200)]) / 200
    end = hours.add_minutes(cal, start, 3 * 480)
    assert end is not None
    per_measure = timed(lambda: [hours.between(cal, start, end) for _ in range(200)]) / 200
    print(f"hours.add (3 business days): {per_call * 1e6:.0f} µs; hours.between: {per_measure * 1e6:.0f} µs")

    ws = Workspace.objects.create(slug="bench", name="Bench", timezone="Europe/Paris")
    owner = User.objects.create(username="owner")
    Membership.objects.create(workspace=ws, user=owner, role=Role.OWNER)
    channel = Connection.objects.create(workspace=ws, name="Bench", network="dummy", config={})
    at = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    threads = Conversation.objects.bulk_create(
        Conversation(workspace=ws, connection=channel, external_id=f"t{i}", last_message_at=at)
        for i in range(args.threads)
    )
    fields = services.Fields(
        name="Office",
        first_response_minutes=120,
        next_response_minutes=240,
        resolution_minutes=3 * 540,
        hours="business",
        business_hours=[(day, a, b) for day in range(5) for a, b in office],
        holidays=[date(2026, 5, 1)],
    )
    policy = services.add(workspace=ws, fields=fields, by=owner)
    pages = []
    for run in range(3):
        page = [
            Message(
                workspace=ws,
                connection=channel,
                conversation=threads[i % len(threads)],
                external_id=f"m{run}-{i}",
                body_html="<p>?</p>",
                body_text="?",
                posted_at=at + timedelta(minutes=run * 600 + i % 300),
            )
            for i in range(args.page)
        ]
        pages.append(Message.objects.bulk_create(page))
    runs, queries = [], []
    for page in pages:
        with transaction.atomic(), CaptureQueriesContext(connection) as seen:
            began = time.perf_counter()
            tracking.customer_messages(ws.pk, page)
            runs.append(time.perf_counter() - began)
        queries.append(len(seen.captured_queries))
    print(
        f"ingest step on a page of {args.page} messages over {min(args.page, args.threads)} threads: "
        f"{statistics.median(runs) * 1000:.0f} ms (median of 3), {max(queries)} SQL queries"
    )

    def edit() -> None:
        fields.first_response_minutes = (fields.first_response_minutes or 0) + 1
        services.change(policy, fields=fields, by=owner)

    print(f"policy edit, {args.threads} open threads recomputed: {timed(edit) * 1000:.0f} ms (median of 3)")
    assert ThreadClock.objects.filter(workspace=ws).count() == args.threads


if __name__ == "__main__":
    main()
