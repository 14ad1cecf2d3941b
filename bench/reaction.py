"""Moderation reaction time on a real WordPress: from a comment being posted to the decision applied on the blog.

Posts N comments (default 200) at a steady rate on the WordPress peer (../shared/peers/wp), with a
`federe worker` running against a fresh SQLite database and one rule ("casino*" -> spam). For every
comment it records when the blog first reports it as spam, polling the blog's REST API every 0.25 s.
Prints p50, p95 and max, the sync interval and the machine.

    set -a; . /tmp/federe-peers/wp/env; set +a       # after ../shared/peers/wp/wp-ci.sh start
    .venv/bin/python bench/reaction.py [-n 200] [--rate 1.0] [--interval 15] [--notify]

With --notify, contrib/wordpress/federe-notify.php is installed on the blog (as a must-use plugin in the
peer's own docroot, removed afterwards) and a Fédère web server receives its calls: the blog asks for a
sync as soon as a comment arrives, instead of waiting for the next poll.
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def load_env() -> dict[str, str]:
    path = Path(os.environ.get("PEERS_STATE", "/tmp/federe-peers")) / "wp" / "env"
    env = dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line and not line.startswith("#"))
    return {k: v.strip().strip('"').strip("'") for k, v in env.items()}


def setup_database(env: dict[str, str], wp: dict[str, str], interval: int) -> int:
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    from federe.accounts.models import User
    from federe.accounts.services import create_workspace
    from federe.connections.models import Connection
    from federe.connections.services import create_connection, sync_connection
    from federe.moderation.services import save_rule

    call_command("migrate", verbosity=0)
    owner = User.objects.create_user("bench", password="bench-pass-1234")
    workspace = create_workspace(name="Bench", owner=owner)
    save_rule(
        workspace=workspace,
        by=owner,
        name="Casino spam",
        match="any",
        conditions=[{"type": "words", "words": ["casino*"]}],
        actions=[{"type": "spam"}],
    )
    connection = create_connection(
        workspace=workspace,
        network="wordpress",
        name="Blog",
        by=owner,
        config={"site_url": wp["WORDPRESS_URL"]},
        credentials={"username": wp["WORDPRESS_USER"], "app_password": wp["WORDPRESS_APP_PASSWORD"]},
    )
    Connection.objects.filter(pk=connection.pk).update(sync_interval_seconds=interval)
    sync_connection(connection.pk, worker_id="bench-setup")  # catch up with the blog's history first
    return connection.pk


def install_notify(connection_id: int, port: int) -> list[Path]:
    from federe.connections.services import sync_hook_token

    mu = Path(os.environ.get("PEERS_STATE", "/tmp/federe-peers")) / "wp" / "docroot" / "wp-content" / "mu-plugins"
    plugin, config = mu / "federe-notify.php", mu / "federe-notify-config.php"
    shutil.copy(ROOT / "contrib" / "wordpress" / "federe-notify.php", plugin)
    url = f"http://127.0.0.1:{port}/hooks/sync/{connection_id}/{sync_hook_token(connection_id)}/"
    config.write_text(f"<?php\ndefine( 'FEDERE_NOTIFY_URL', '{url}' );\n")
    return [plugin, config]


def watch_spam(client: httpx.Client, post_id: int, seen: dict[int, float], stop: threading.Event) -> None:
    while not stop.is_set():
        response = client.get(
            "/wp-json/wp/v2/comments",
            params={
                "post": post_id,
                "status": "spam",
                "per_page": 100,
                "orderby": "id",
                "order": "desc",
                "context": "edit",
            },
        )
        now = time.monotonic()
        for comment in response.json() if response.status_code == 200 else []:
            seen.setdefault(comment["id"], now)
        stop.wait(0.25)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--count", type=int, default=200)
    parser.add_argument("--rate", type=float, default=1.0, help="comments per second")
    parser.add_argument("--interval", type=int, default=15, help="sync interval in seconds")
    parser.add_argument("--notify", action="store_true", help="install the notify plugin on the blog")
    parser.add_argument("--port", type=int, default=8765, help="Fédère's web port for --notify")
    args = parser.parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    wp = load_env()
    data = tempfile.mkdtemp(prefix="federe-reaction-")
    env = {
        "FEDERE_ENV": "test",
        "FEDERE_DATA_DIR": data,
        "DJANGO_SETTINGS_MODULE": "federe.config.settings",
        # The peer blog is on 127.0.0.1; outgoing requests refuse loopback unless it is allowed (core/netsafe).
        "FEDERE_NET_ALLOW_HOSTS": "127.0.0.0/8",
    }
    connection_id = setup_database(env, wp, args.interval)
    processes: list[subprocess.Popen[bytes]] = []
    installed: list[Path] = []
    if args.notify:
        processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "federe.config.cli", "runserver", f"127.0.0.1:{args.port}", "--noreload"],
                env={**os.environ, **env},
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        installed = install_notify(connection_id, args.port)
        time.sleep(2)
    auth = (wp["WORDPRESS_USER"], wp["WORDPRESS_APP_PASSWORD"])
    client = httpx.Client(base_url=wp["WORDPRESS_URL"], auth=auth, timeout=30, trust_env=False)
    post = client.post(
        "/wp-json/wp/v2/posts",
        json={"title": f"Reaction bench {uuid.uuid4().hex[:8]}", "content": "bench", "status": "publish"},
    ).json()
    worker = subprocess.Popen(
        [sys.executable, "-m", "federe.config.cli", "worker", "--worker-id", "bench", "--interval", "0.2"],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    seen: dict[int, float] = {}
    posted: dict[int, float] = {}
    stop = threading.Event()
    watcher_client = httpx.Client(base_url=wp["WORDPRESS_URL"], auth=auth, timeout=30, trust_env=False)
    watcher = threading.Thread(target=watch_spam, args=(watcher_client, post["id"], seen, stop), daemon=True)
    watcher.start()
    try:
        start = time.monotonic()
        for i in range(args.count):
            time.sleep(max(0.0, start + i / args.rate - time.monotonic()))
            response = client.post(
                "/wp-json/wp/v2/comments",
                auth=None,
                json={
                    "post": post["id"],
                    "author_name": f"Visitor {i}",
                    "author_email": f"v{i}@example.org",
                    "content": f"Best casino bonus {uuid.uuid4().hex} today",
                },
            )
            posted[response.json()["id"]] = time.monotonic()
        deadline = time.monotonic() + args.interval * 4 + 60
        while len([c for c in posted if c in seen]) < len(posted) and time.monotonic() < deadline:
            time.sleep(0.5)
    finally:
        stop.set()
        for process in [worker, *processes]:
            process.terminate()
            process.wait(timeout=30)
        for path in installed:
            path.unlink(missing_ok=True)
        client.delete(f"/wp-json/wp/v2/posts/{post['id']}", params={"force": "true"})
    delays = sorted(seen[c] - posted[c] for c in posted if c in seen)
    missing = len(posted) - len(delays)
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    from django.conf import settings

    print(f"machine: {os.cpu_count()} cores, {cpu}; Python {platform.python_version()}; WordPress peer on loopback")
    mode = "notify plugin + polling" if args.notify else "polling only"
    print(
        f"comments: {len(posted)} at {args.rate}/s; {mode}; sync interval {args.interval}s; "
        f"dispatcher every {settings.FEDERE_DISPATCH_INTERVAL_SECONDS}s (default)"
    )
    if delays:
        p95 = delays[min(len(delays) - 1, int(0.95 * len(delays)))]
        print(
            f"posted -> spam on the blog: p50 {statistics.median(delays):.1f}s  p95 {p95:.1f}s  "
            f"max {delays[-1]:.1f}s  (min {delays[0]:.1f}s)"
        )
    print(f"never applied within the wait: {missing}")
    print(f"command: {' '.join([sys.executable, *sys.argv])}")
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
