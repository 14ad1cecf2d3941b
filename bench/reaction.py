"""Moderation reaction time on a real WordPress or Matrix: from a message posted to the rule's action on the server.

Posts N comments (default 200) at a steady rate on the WordPress peer (../shared/peers/wp), with a
`federe worker` running against a fresh SQLite database and one rule ("casino*" -> spam). For every
comment it records when the blog first reports it as spam, polling the blog's REST API every 0.25 s.
Prints p50, p95 and max, the sync interval and the machine.

    set -a; . /tmp/federe-peers/wp/env; set +a       # after ../shared/peers/wp/wp-ci.sh start
    .venv/bin/python bench/reaction.py [-n 200] [--rate 1.0] [--interval 15] [--notify]

With --notify, contrib/wordpress/federe-notify.php is installed on the blog (as a must-use plugin in the
peer's own docroot, removed afterwards) and a Fédère web server receives its calls: the blog asks for a
sync as soon as a comment arrives, instead of waiting for the next poll.

On WordPress a first comment, not counted, lets the worker load its classifiers. The worker's and the web server's
logs (in the run's data folder) then tell where the time went: for each comment, posted -> the hook received
(--notify) -> the start of the sync that read it -> that sync's end (page stored, rules run) -> the decision's
request answered by the blog -> the blog listing it as spam; the medians and p95 of each step are printed, with
the blog requests the worker made per hour and the syncs per hour (--tail S keeps the worker S seconds after the
last comment, to see a quiet channel slow down).

With --network matrix, on the Synapse peer (../shared/peers/synapse): a member registered for the run posts N
messages (default 100) in a room of its own, the channel (the server admin's token) follows that room by /sync
long-polling, the rule is "casino*" -> remove, and the member's own client, long-polling /sync, records when each
redaction arrives.

    ../shared/peers/synapse/synapse-ci.sh start
    .venv/bin/python bench/reaction.py --network matrix [-n 100] [--rate 1.0]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent


def load_env(peer: str = "wp") -> dict[str, str]:
    path = Path(os.environ.get("PEERS_STATE", "/tmp/federe-peers")) / peer / "env"
    env = dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line and not line.startswith("#"))
    return {k: v.strip().strip('"').strip("'") for k, v in env.items()}


def setup_database(env: dict[str, str], wp: dict[str, str], interval: int, matrix_room: str = "") -> int:
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
        actions=[{"type": "remove" if matrix_room else "spam"}],
    )
    if matrix_room:
        connection = create_connection(
            workspace=workspace,
            network="matrix",
            name="Room",
            by=owner,
            config={"homeserver": wp["MATRIX_URL"], "targets": [matrix_room]},
            credentials={"access_token": wp["MATRIX_ADMIN_TOKEN"]},
        )
        sync_connection(connection.pk, worker_id="bench-setup")  # the room's first sync (it does not wait)
        return connection.pk
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


STAMP = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) (.*)$")
TASK = re.compile(r"Task id=(\S+) path=federe\.connections\.tasks\.sync_connection_task state=(\w+)")
DECISION = re.compile(r"HTTP Request: POST \S+/wp/v2/comments/(\d+) ")
HOOK = re.compile(r"sync hook for channel \d+ \(item (\d+)\)")
LIST_REQUEST = re.compile(r"HTTP Request: GET \S+/wp/v2/comments\?")
BLOG_REQUEST = re.compile(r"HTTP Request: \w+ \S+/wp-json/")


def log_lines(path: Path) -> list[tuple[float, str]]:
    """(wall-clock seconds, message) of each timestamped line; the logs' asctime is local time, like time.time()."""
    lines = []
    for line in path.read_text(errors="replace").splitlines() if path.exists() else []:
        match = STAMP.match(line)
        if match:
            when = datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S,%f").timestamp()
            lines.append((when, match.group(2)))
    return lines


def quantiles(values: list[float]) -> str:
    if not values:
        return "-"
    values = sorted(values)
    p95 = values[min(len(values) - 1, int(0.95 * len(values)))]
    return f"p50 {statistics.median(values):.2f}s p95 {p95:.2f}s"


def breakdown(
    worker_log: Path, web_log: Path, sent: dict, posted: dict, seen: dict, *spans: tuple[float, float]
) -> None:
    """Where each comment's time went, from the logs (wall clock; ``sent``, ``posted``, ``seen`` too: the comment's
    request sent, the blog's answer to it, the comment first listed as spam)."""
    worker, web = log_lines(worker_log), log_lines(web_log)
    starts: dict[str, float] = {}
    syncs: list[tuple[float, float]] = []
    decided: dict[int, float] = {}
    for when, message in worker:
        task = TASK.search(message)
        if task and task.group(2) == "RUNNING":
            starts[task.group(1)] = when
        elif task and task.group(1) in starts:
            syncs.append((starts.pop(task.group(1)), when))
        decision = DECISION.search(message)
        if decision:
            decided.setdefault(int(decision.group(1)), when)
    hooks: dict[int, float] = {}
    for when, message in web:
        hook = HOOK.search(message)
        if hook:
            hooks.setdefault(int(hook.group(1)), when)
    steps: dict[str, list[float]] = {}
    for comment, at in posted.items():
        if comment not in decided or comment not in seen:
            continue
        answered = decided[comment]
        read_by = [sync for sync in syncs if sync[1] <= answered]
        if not read_by:
            continue
        start, end = read_by[-1]
        if comment in hooks:
            steps.setdefault("comment sent -> hook received", []).append(hooks[comment] - sent[comment])
            steps.setdefault("hook received -> sync start", []).append(start - hooks[comment])
            steps.setdefault("hook received -> blog answers the comment", []).append(at - hooks[comment])
        else:
            steps.setdefault("blog answers the comment -> sync start", []).append(start - at)
        steps.setdefault("sync start -> sync end (page stored, rules run)", []).append(end - start)
        steps.setdefault("sync end -> decision answered by the blog", []).append(answered - end)
        steps.setdefault("decision answered -> listed as spam (0.25 s polling)", []).append(seen[comment] - answered)
    print(f"where the time went (worker log {worker_log}):")
    for name, values in steps.items():
        print(f"  {name}: {quantiles(values)}")
    for name, (first, last) in zip(
        ["from the first comment to the last spam", "then quiet (--tail)"], spans, strict=False
    ):
        if last - first < 1:
            continue
        hours = (last - first) / 3600
        during = [message for when, message in worker if first <= when <= last]
        listing = sum(1 for message in during if LIST_REQUEST.search(message))
        others = sum(1 for message in during if BLOG_REQUEST.search(message)) - listing
        ran = sum(1 for start, _end in syncs if first <= start <= last)
        print(
            f"{name}, {last - first:.0f}s: syncs {ran} = {ran / hours:.0f}/h, their requests {listing} = "
            f"{listing / hours:.0f}/h; the decisions' requests {others} = {others / hours:.0f}/h (one channel)"
        )


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
        now = time.time()
        for comment in response.json() if response.status_code == 200 else []:
            seen.setdefault(comment["id"], now)
        stop.wait(0.25)


def matrix_room(mx: dict[str, str]) -> tuple[str, httpx.Client]:
    """A room the admin (the channel's user) creates and a member registered for this run joins; the member."""
    name = f"bench-{uuid.uuid4().hex[:8]}"
    script = ROOT.parent / "shared" / "peers" / "synapse" / "synapse-ci.sh"
    token = subprocess.run(
        [str(script), "register", name, "bench-pass-123"], capture_output=True, text=True, check=True
    )
    api = f"{mx['MATRIX_URL']}/_matrix/client/v3"
    admin = httpx.Client(base_url=api, headers={"Authorization": f"Bearer {mx['MATRIX_ADMIN_TOKEN']}"}, trust_env=False)
    room = admin.post("/createRoom", json={"name": f"Reaction {name}", "preset": "public_chat"}).json()["room_id"]
    member = httpx.Client(
        base_url=api, headers={"Authorization": f"Bearer {token.stdout.strip()}"}, timeout=60, trust_env=False
    )
    member.post(f"/join/{room}").raise_for_status()
    return room, member


def watch_redactions(member: httpx.Client, room: str, seen: dict[str, float], stop: threading.Event) -> None:
    """The member's own client long-polls /sync and notes when each redaction reaches it."""
    flt = json.dumps({"room": {"rooms": [room], "timeline": {"types": ["m.room.redaction"], "limit": 100}}})
    since = member.get("/sync", params={"filter": flt, "timeout": 0}).json()["next_batch"]
    while not stop.is_set():
        answer = member.get("/sync", params={"filter": flt, "timeout": 5000, "since": since}).json()
        now = time.monotonic()
        since = answer.get("next_batch", since)
        events = answer.get("rooms", {}).get("join", {}).get(room, {}).get("timeline", {}).get("events", [])
        for event in events:
            target = event.get("redacts") or event.get("content", {}).get("redacts")
            if target:
                seen.setdefault(target, now)


def casino(i: object) -> dict[str, str]:
    return {"msgtype": "m.text", "body": f"Best casino bonus {i} {uuid.uuid4().hex} today"}


def run_matrix(args: argparse.Namespace, env: dict[str, str]) -> tuple[dict, dict]:
    mx = load_env("synapse")
    room, member = matrix_room(mx)
    setup_database(env, mx, args.interval, matrix_room=room)
    log = Path(env["FEDERE_DATA_DIR"]) / "worker.log"
    print(f"worker log: {log}")
    worker = subprocess.Popen(
        [sys.executable, "-m", "federe.config.cli", "worker", "--worker-id", "bench", "--interval", "0.2"],
        env={**os.environ, **env},
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    seen: dict[str, float] = {}
    posted: dict[str, float] = {}
    stop = threading.Event()
    watcher = threading.Thread(target=watch_redactions, args=(member, room, seen, stop), daemon=True)
    watcher.start()
    try:
        # Warm-up, not measured: the worker loads its classifiers on its first page; wait for that one's redaction.
        warm = member.put(f"/rooms/{room}/send/m.room.message/warm-{uuid.uuid4().hex[:6]}", json=casino("warm"))
        deadline = time.monotonic() + 300
        while warm.json()["event_id"] not in seen and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1)
        start = time.monotonic()
        for i in range(args.count):
            time.sleep(max(0.0, start + i / args.rate - time.monotonic()))
            answer = member.put(f"/rooms/{room}/send/m.room.message/bench{i}-{uuid.uuid4().hex[:6]}", json=casino(i))
            posted[answer.json()["event_id"]] = time.monotonic()
        deadline = time.monotonic() + 60
        while len([e for e in posted if e in seen]) < len(posted) and time.monotonic() < deadline:
            time.sleep(0.5)
    finally:
        stop.set()
        worker.terminate()
        worker.wait(timeout=30)
    return posted, seen


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--network", choices=["wordpress", "matrix"], default="wordpress")
    parser.add_argument("-n", "--count", type=int, default=None, help="messages (200 on WordPress, 100 on Matrix)")
    parser.add_argument("--rate", type=float, default=1.0, help="comments per second")
    parser.add_argument("--interval", type=int, default=15, help="sync interval in seconds")
    parser.add_argument("--notify", action="store_true", help="install the notify plugin on the blog")
    parser.add_argument("--port", type=int, default=8765, help="Fédère's web port for --notify")
    parser.add_argument("--tail", type=float, default=0, help="seconds the worker runs on after the last comment")
    args = parser.parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    args.count = args.count or (100 if args.network == "matrix" else 200)
    data = tempfile.mkdtemp(prefix="federe-reaction-")
    env = {
        "FEDERE_ENV": "test",
        "FEDERE_DATA_DIR": data,
        "DJANGO_SETTINGS_MODULE": "federe.config.settings",
        # The peer blog is on 127.0.0.1; outgoing requests refuse loopback unless it is allowed (core/netsafe).
        "FEDERE_NET_ALLOW_HOSTS": "127.0.0.0/8",
    }
    if args.network == "matrix":
        posted, seen = run_matrix(args, env)
        return report(args, posted, seen, "Synapse peer", "/sync long poll", "posted -> redacted on Synapse")
    posted, seen = run_wordpress(args, env)
    mode = "notify plugin + polling" if args.notify else "polling only"
    return report(args, posted, seen, "WordPress peer", mode, "posted -> spam on the blog")


def run_wordpress(args: argparse.Namespace, env: dict[str, str]) -> tuple[dict, dict]:
    wp = load_env()
    connection_id = setup_database(env, wp, args.interval)
    processes: list[subprocess.Popen[bytes]] = []
    installed: list[Path] = []
    worker_log, web_log = Path(env["FEDERE_DATA_DIR"]) / "worker.log", Path(env["FEDERE_DATA_DIR"]) / "web.log"
    print(f"logs: {worker_log} {web_log}")
    if args.notify:
        processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "federe.config.cli", "runserver", f"127.0.0.1:{args.port}", "--noreload"],
                env={**os.environ, **env},
                stdout=web_log.open("wb"),
                stderr=subprocess.STDOUT,
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
        stdout=worker_log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    seen: dict[Any, float] = {}
    posted: dict[Any, float] = {}
    sent: dict[Any, float] = {}
    stop = threading.Event()
    watcher_client = httpx.Client(base_url=wp["WORDPRESS_URL"], auth=auth, timeout=30, trust_env=False)
    watcher = threading.Thread(target=watch_spam, args=(watcher_client, post["id"], seen, stop), daemon=True)
    watcher.start()

    def comment(i: object) -> int:
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
        return int(response.json()["id"])

    try:
        # Warm-up, not measured: the worker loads its classifiers on its first page; wait for that one's decision.
        warm = comment("warm")
        deadline = time.monotonic() + 300
        while warm not in seen and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1)
        start = time.monotonic()
        first = time.time()
        for i in range(args.count):
            time.sleep(max(0.0, start + i / args.rate - time.monotonic()))
            before = time.time()
            created = comment(i)
            posted[created], sent[created] = time.time(), before
        deadline = time.monotonic() + args.interval * 4 + 60
        while len([c for c in posted if c in seen]) < len(posted) and time.monotonic() < deadline:
            time.sleep(0.5)
        last = time.time()
        time.sleep(args.tail)
        end = time.time()
    finally:
        stop.set()
        for process in [worker, *processes]:
            process.terminate()
            process.wait(timeout=30)
        for path in installed:
            path.unlink(missing_ok=True)
        client.delete(f"/wp-json/wp/v2/posts/{post['id']}", params={"force": "true"})
    from federe.connections.models import Connection
    from federe.connections.schedule import channel_pace

    pace = channel_pace(Connection.objects.get(pk=connection_id))
    if pace:
        print(
            f"pacing: every {pace.floor:g}s while comments arrive, up to {pace.ceiling:g}s when quiet; "
            f"at most {pace.budget} syncs an hour ({pace.burst:.0f} at once)"
        )
    breakdown(worker_log, web_log, sent, posted, seen, (first, last), (last, end))
    return posted, seen


def report(args: argparse.Namespace, posted: dict, seen: dict, server: str, mode: str, what: str) -> int:
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

    print(f"machine: {os.cpu_count()} cores, {cpu}; Python {platform.python_version()}; {server} on loopback")
    print(
        f"messages: {len(posted)} at {args.rate}/s; {mode}; sync interval {args.interval}s; "
        f"dispatcher every {settings.FEDERE_DISPATCH_INTERVAL_SECONDS}s (default)"
    )
    if delays:
        p95 = delays[min(len(delays) - 1, int(0.95 * len(delays)))]
        print(
            f"{what}: p50 {statistics.median(delays):.2f}s  p95 {p95:.2f}s  "
            f"max {delays[-1]:.2f}s  (min {delays[0]:.2f}s)"
        )
    print(f"never applied within the wait: {missing}")
    print("load average (1, 5, 15 min) at the end: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    print(f"command: {' '.join([sys.executable, *sys.argv])}")
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
