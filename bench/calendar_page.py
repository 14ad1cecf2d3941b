"""The calendar page with a busy month: how long the month and week views take to build and render, and how many
SQL queries they make (the number must not grow with the posts shown).

    .venv/bin/python bench/calendar_page.py                        # 600 posts in the month, 20 of them daily, 20 rounds
    .venv/bin/python bench/calendar_page.py --posts 2000 --daily 50 --rounds 10

A throw-away SQLite database (bench/publish_setup.py); posts written in bulk (the setup is not measured); the views
are asked through Django's test client, logged in as the owner, so the figures are the server's time without the
network or the browser.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from publish_setup import configure, out


def setup(posts: int, daily: int) -> tuple[object, str, str]:
    from django.utils import timezone

    from federe.accounts.models import Membership, Role, User, Workspace
    from federe.connections.models import Connection
    from federe.publishing.models import Post, PostStatus, Recurrence, Variant

    workspace = Workspace.objects.create(slug="bench", name="Bench")
    owner = User.objects.create_user("bench-owner", password="x")
    Membership.objects.create(user=owner, workspace=workspace, role=Role.OWNER)
    channels = [Connection.objects.create(workspace=workspace, network="dummy", name=f"Channel {n}") for n in range(3)]
    start = (timezone.now() + timedelta(days=35)).replace(day=1, hour=6, minute=0, second=0, microsecond=0)
    rows = [
        Post(
            workspace=workspace,
            author=owner,
            body=f"Post {n}: une publication de la semaine, avec quelques mots de plus",
            scheduled_at=start + timedelta(minutes=67 * n % (28 * 24 * 60)),
            status=PostStatus.SCHEDULED,
            recurrence=Recurrence.DAILY if n < daily else "",
        )
        for n in range(posts)
    ]
    Post.objects.bulk_create(rows)
    Variant.objects.bulk_create(
        Variant(workspace=workspace, post=post, connection=channels[i % 3], body_text=post.body)
        for i, post in enumerate(Post.objects.filter(workspace=workspace))
    )
    return owner, start.date().isoformat(), workspace.slug


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=600)
    parser.add_argument("--daily", type=int, default=20, help="how many of them repeat every day")
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    configure()
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's "testserver" host, and the rendered context to count the chips

    owner, day, slug = setup(args.posts, args.daily)
    client = Client()
    client.force_login(owner)
    out(f"{args.posts} posts in one month, {args.daily} of them daily, {args.rounds} rounds per view")
    out("| view | chips | p50 | p95 | SQL queries |")
    out("|---|---:|---:|---:|---:|")
    for view in ("month", "week"):
        address = f"/w/{slug}/posts/calendar/?view={view}&date={day}"
        queries: list[str] = []

        def count(execute, sql, params, many, context, seen=queries):  # every statement, whatever resets the log
            seen.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            response = client.get(address)
        assert response.status_code == 200, response.status_code
        chips = sum(len(d.entries) for d in response.context["grid"].days)
        times = []
        for _round in range(args.rounds):
            began = time.perf_counter()
            client.get(address)
            times.append(time.perf_counter() - began)
        p95 = statistics.quantiles(times, n=20)[-1] if len(times) >= 2 else times[0]
        out(f"| {view} | {chips} | {statistics.median(times) * 1000:.0f} ms | {p95 * 1000:.0f} ms | {len(queries)} |")


if __name__ == "__main__":
    main()
