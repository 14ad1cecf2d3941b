"""Short-link redirects per second on loopback: /l/<code> answered by a real Fédère web process, every click
counted (one UPDATE of the link's (link, day) row, or its INSERT the first time that day).

    .venv/bin/python bench/links.py                  # 20 s, 4 client threads, 100 links
    .venv/bin/python bench/links.py --seconds 5 --threads 2

The web process is Django's threaded server (`federe runserver --noreload`, what `federe serve` runs), on a fresh
SQLite file (WAL) in a temporary folder; a production WSGI server (docs/operations.md) with several processes does
more. Each client thread keeps one HTTP/1.1 connection (http.client) and asks for random codes with a browser's
User-Agent, so each request is a counted click. At the end the stored counts must equal the 302s received: the
script fails when they differ (a lost or double count), not on its speed.
"""

from __future__ import annotations

import argparse
import http.client
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from publish_setup import FEDERE, configure, out

AGENT = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def make_links(count: int) -> list[str]:
    from django.utils import timezone

    from federe.accounts.models import Workspace
    from federe.connections.models import Connection
    from federe.links import services
    from federe.links.utm import DEFAULTS, Context
    from federe.publishing.models import Post

    workspace = Workspace.objects.create(slug="bench", name="Bench")
    channel = Connection.objects.create(workspace=workspace, network="dummy", name="Channel", config={"total": 0})
    post = Post.objects.create(workspace=workspace, body="Bench", scheduled_at=timezone.now())
    context = Context("Channel", "dummy", str(post.pk), "2026-01-01")
    return [
        services.link_for(post, channel, f"https://example.org/page/{n}?ref=bench", DEFAULTS, context).code
        for n in range(count)
    ]


def client(port: int, codes: list[str], stop: float, results: list[int], errors: list[str]) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    sent = 0
    while time.monotonic() < stop:
        connection.request("GET", f"/l/{random.choice(codes)}", headers={"User-Agent": AGENT})
        answer = connection.getresponse()
        answer.read()
        if answer.status != 302:
            errors.append(f"HTTP {answer.status}")
            break
        sent += 1
    connection.close()
    results.append(sent)


def wait_listening(port: int, deadline: float) -> bool:
    while time.monotonic() < deadline:
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("HEAD", "/l/nothing")
            return True
        except OSError:
            time.sleep(0.2)
    return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--links", type=int, default=100)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()

    env = configure(FEDERE_BASE_URL=f"http://127.0.0.1:{args.port}")
    codes = make_links(args.links)
    out(f"database: {env['DATABASE_URL']}; {len(codes)} short links")
    server = subprocess.Popen(
        [FEDERE, "runserver", f"127.0.0.1:{args.port}", "--noreload"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        if not wait_listening(args.port, time.monotonic() + 30):
            out("the web server did not start")
            return 1
        results: list[int] = []
        errors: list[str] = []
        stop = time.monotonic() + args.seconds
        started = time.monotonic()
        threads = [
            threading.Thread(target=client, args=(args.port, codes, stop, results, errors)) for _ in range(args.threads)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
    finally:
        server.terminate()
        server.wait(timeout=10)
    from django.db.models import Sum

    from federe.links.models import ClickCount

    redirects = sum(results)
    counted = ClickCount.objects.aggregate(total=Sum("count"))["total"] or 0
    out(f"{redirects:,} redirects in {elapsed:.1f} s with {args.threads} client threads: {redirects / elapsed:,.0f}/s")
    out(f"clicks stored: {counted:,} (must equal the redirects)")
    if errors:
        out(f"errors: {errors[:5]}")
    return 0 if counted == redirects and not errors else 1


if __name__ == "__main__":
    raise SystemExit(main())
