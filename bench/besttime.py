"""Best time to post at 100,000 messages: how long the grid takes, on SQLite or PostgreSQL.

    FEDERE_ENV=test .venv/bin/python bench/besttime.py                        # SQLite, 100,000 messages
    FEDERE_ENV=test .venv/bin/python bench/besttime.py --backend postgres      # needs a PostgreSQL (see --postgres-url)
    FEDERE_ENV=test .venv/bin/python bench/besttime.py -n 20000 --posts 300

A fresh database (a throw-away SQLite file under var/bench, or a PostgreSQL database whose name must contain
"bench", dropped and created again) gets one workspace (Europe/Paris), two channels, ``--posts`` sent deliveries
of the brand over the last 12 weeks and ``-n`` community messages over the same weeks, a third of them answers
to those posts (their parent is the post), the rest spread over the day with an evening peak. Rows are written
with bulk_create (untimed). Then ``publishing.besttime.best_time`` is timed, three runs each, for the community's
activity (counted by the database per UTC quarter of an hour, then bucketed with zoneinfo), for the posts (each post
and each of its answers read), on 4 and 12 weeks, and on one channel. Printed: the median and the slowest run of
each, and the rows read. This is a benchmark, not a test: it asserts only that every message of the window was
counted.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import throwaway_pg

REPO = Path(__file__).resolve().parent.parent
DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/federe_bench_besttime"


def setup(args: argparse.Namespace) -> str:
    if args.backend == "postgres":
        url = args.postgres_url
        throwaway_pg.create(url)
    else:
        url = throwaway_pg.sqlite_url("besttime")
    throwaway_pg.start_django(url)
    return url


def populate(count: int, posts: int, now: datetime) -> Any:
    from federe.accounts.models import Workspace
    from federe.connections.models import Connection
    from federe.inbox.models import Conversation, Message
    from federe.publishing.models import Delivery, DeliveryState, Post, PostStatus, Variant

    rng = random.Random(42)
    ws = Workspace.objects.create(slug="bench", name="Bench", timezone="Europe/Paris")
    channels = [Connection.objects.create(workspace=ws, network="dummy", name=f"Channel {n}") for n in (1, 2)]
    start = now - timedelta(weeks=12)
    sent: list[tuple[Connection, str, datetime]] = []
    for n in range(posts):
        at = start + timedelta(seconds=rng.uniform(0, 12 * 7 * 86400 - 3 * 86400))
        sent.append((channels[n % 2], f"post-{n}", at))
    made = Post.objects.bulk_create(
        [Post(workspace=ws, body="b", scheduled_at=at, status=PostStatus.PUBLISHED) for _c, _e, at in sent]
    )
    variants = Variant.objects.bulk_create(
        [Variant(workspace=ws, post=p, connection=c) for p, (c, _e, _a) in zip(made, sent, strict=True)]
    )
    deliveries = [
        Delivery(workspace=ws, post=p, variant=v, connection=c, state=DeliveryState.SENT, due_at=at, sent_at=at,
                 external_id=e)
        for p, v, (c, e, at) in zip(made, variants, sent, strict=True)
    ]  # fmt: skip
    Delivery.objects.bulk_create(deliveries, batch_size=1000)
    threads = {c.pk: Conversation.objects.create(workspace=ws, connection=c, external_id="general") for c in channels}
    for c, e, _at in sent:
        threads[(c.pk, e)] = Conversation.objects.create(workspace=ws, connection=c, external_id=e)  # type: ignore[index]
    rows = []
    for n in range(count):
        if n % 3 == 0 and sent:
            channel, external_id, at = sent[rng.randrange(len(sent))]
            posted = at + timedelta(minutes=rng.expovariate(1 / 300))
            conversation, parent = threads[(channel.pk, external_id)], external_id  # type: ignore[index]
        else:
            channel = channels[n % 2]
            day = start + timedelta(days=rng.randrange(12 * 7))
            posted = day + timedelta(hours=min(23.99, max(0.0, rng.gauss(19, 4))))
            conversation, parent = threads[channel.pk], ""
        rows.append(
            Message(workspace=ws, connection=channel, conversation=conversation, external_id=f"m{n}",
                    parent_external_id=parent, body_html="<p>x</p>", body_text="x", posted_at=min(posted, now))
        )  # fmt: skip
    Message.objects.bulk_create(rows, batch_size=2000)
    return ws, channels


def timed(label: str, runs: int, call: Any) -> Any:
    seconds, result = [], None
    for _ in range(runs):
        began = time.perf_counter()
        result = call()
        seconds.append(time.perf_counter() - began)
    print(f"  {label:<44} median {statistics.median(seconds):6.3f} s   slowest {max(seconds):6.3f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--count", type=int, default=100_000, help="community messages (100,000)")
    parser.add_argument("--posts", type=int, default=600, help="the brand's sent posts (600)")
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--postgres-url", default=os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    database = setup(args)
    from federe.publishing import besttime

    now = datetime.now(UTC)
    began = time.perf_counter()
    ws, channels = populate(args.count, args.posts, now)
    print(f"Best time, {args.count:,} messages and {args.posts:,} posts over 12 weeks ({args.backend}: {database})")
    print(f"  written in {time.perf_counter() - began:.1f} s (untimed); Python {platform.python_version()}, "
          f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}")  # fmt: skip
    activity = timed(
        "activity, 12 weeks, every channel",
        args.runs,
        lambda: besttime.best_time(ws, weeks=12, measure="activity", now=now),
    )
    assert activity.grid.observations == args.count, activity.grid.observations
    timed("activity, 4 weeks, every channel", args.runs, lambda: besttime.best_time(ws, weeks=4, measure="activity"))
    timed(
        "activity, 12 weeks, one channel",
        args.runs,
        lambda: besttime.best_time(ws, channel=channels[0], weeks=12, measure="activity", now=now),
    )
    posts = timed(
        "posts and their answers, 12 weeks", args.runs, lambda: besttime.best_time(ws, weeks=12, measure="posts")
    )
    answers = sum(cell.total for cell in posts.grid.cells)
    print(f"  rows read: {activity.grid.observations:,} messages; {posts.posts:,} posts with {answers:,.0f} answers")
    if args.backend == "sqlite":
        throwaway_pg.remove(database)


if __name__ == "__main__":
    sys.path.insert(0, str(REPO / "src"))
    main()
