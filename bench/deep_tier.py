"""Deep tier benchmark: from a message's store to its refined scores, at a community's rate, through a real worker.

    FEDERE_ENV=test .venv/bin/python bench/deep_tier.py                      # 5 messages/s for 60 s, then a burst
    FEDERE_ENV=test .venv/bin/python bench/deep_tier.py --rate 20 --seconds 30 --burst 2000

1. creates a fresh SQLite database (var/bench/) and migrates it, with one workspace, one channel and a rule that
   tests a score (so the rules run again on every refined message, as in production);
2. starts ``federe worker`` (its deep-tier thread) as a subprocess on that database and waits until it has
   refined a first message (the encoder is then loaded: its loading is not a message's latency);
3. stores pages of dummy-network messages (French and English) through the real ingest pipeline, one transaction
   per page, at ``--rate`` messages per second for ``--seconds``, noting the time each page committed;
4. waits until every message is refined, then prints the latency from commit to the commit of its refined scores
   (``Message.nlp["deep"]["at"]``): median, p95, max;
5. stores ``--burst`` messages at once and prints how fast the worker refined them (messages per wall second,
   and per CPU-second of the worker process), then the worker's resident memory (VmRSS, VmHWM).

It prints figures and asserts only that every message was refined. The machine's load is printed beside them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent


def _setup(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"federe-deep-{os.getpid()}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    os.environ.update(
        FEDERE_ENV="test",
        DEBUG="false",
        DJANGO_SETTINGS_MODULE="federe.config.settings",
        DATABASE_URL=f"sqlite:///{path}",
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    return path


def _items(count: int, offset: int) -> list[Any]:
    from datetime import UTC, datetime

    from federe.connectors.dummy.mapping import map_item
    from federe.connectors.dummy.network import DummyNetwork

    network = DummyNetwork(
        seed=7,
        start=datetime(2026, 11, 2, 9, 0, tzinfo=UTC),
        interval_seconds=20,
        brand="Café Lumière",
        french_share=0.5,
        total=offset + count,
    )
    return [map_item(network.item(i)) for i in range(offset, offset + count)]


def _workspace() -> Any:
    from federe.accounts.models import Membership, Role, User, Workspace
    from federe.connections.models import Connection
    from federe.moderation.services import save_rule

    workspace = Workspace.objects.create(slug="bench", name="Bench")
    owner = User.objects.create_user("bench-owner", password=None)
    Membership.objects.create(workspace=workspace, user=owner, role=Role.OWNER)
    save_rule(
        workspace=workspace,
        by=owner,
        name="Toxic",
        match="all",
        conditions=[{"type": "score", "task": "toxicity", "min": 0.9}],
        actions=[{"type": "hold"}],
    )
    return Connection.objects.create(workspace=workspace, network="dummy", name="Bench channel", config={})


def _store(connection: Any, items: list[Any]) -> list[int]:
    from django.db import transaction

    from federe.inbox.ingest import ingest_page

    with transaction.atomic():
        stats = ingest_page(connection, items)
    return [m.pk for m in stats.new_messages if m.language in ("fr", "en")]


def _refined_at(ids: list[int]) -> dict[int, float]:
    from federe.inbox.models import Message

    rows = Message.objects.filter(pk__in=ids, nlp__deep__at__isnull=False).values_list("pk", "nlp")
    return {pk: float(nlp["deep"]["at"]) for pk, nlp in rows}


def _wait(ids: list[int], timeout: float) -> dict[int, float]:
    deadline = time.monotonic() + timeout
    while True:
        done = _refined_at(ids)
        if len(done) == len(ids) or time.monotonic() > deadline:
            return done
        time.sleep(0.2)


def _proc(pid: int) -> dict[str, float]:
    status = Path(f"/proc/{pid}/status").read_text().splitlines()
    mem = {line.split(":")[0]: float(line.split()[1]) / 1024 for line in status if line.startswith(("VmRSS", "VmHWM"))}
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = (int(fields[11]) + int(fields[12])) / ticks  # utime + stime
    return {**mem, "cpu": cpu}


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3]) + f" on {os.cpu_count()} cores"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=5.0, help="Messages per second stored (default 5).")
    parser.add_argument("--seconds", type=float, default=60.0, help="How long to store at that rate (default 60).")
    parser.add_argument("--burst", type=int, default=1000, help="Messages stored at once afterwards (default 1000).")
    parser.add_argument("--sqlite-dir", default=str(REPO / "var" / "bench"))
    args = parser.parse_args()

    path = _setup(Path(args.sqlite_dir))
    connection = _workspace()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{path}"}
    federe = [sys.executable, "-m", "federe.config.cli"]
    worker = subprocess.Popen(
        [*federe, "worker", "--no-dispatch", "--no-publish", "--worker-id", "bench-deep", "--interval", "0.2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        print(f"load at start: {_load()}")
        warm = _store(connection, _items(2, 0))
        started = time.monotonic()
        if len(_wait(warm, 300)) != len(warm):
            raise SystemExit("the worker refined nothing in 300 s: is the deep tier installed?")
        print(f"worker ready (encoder loaded, first batch refined) in {time.monotonic() - started:.1f} s")

        committed: dict[int, float] = {}
        offset, per_page = 2, max(1, round(args.rate))  # one page a second, ``rate`` messages each
        end = time.monotonic() + args.seconds
        while time.monotonic() < end:
            tick = time.monotonic()
            ids = _store(connection, _items(per_page, offset))
            now = time.time()
            committed.update({pk: now for pk in ids})
            offset += per_page
            time.sleep(max(0.0, 1.0 - (time.monotonic() - tick)))
        done = _wait(list(committed), 120)
        latencies = sorted(done[pk] - committed[pk] for pk in done)
        p95 = latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))]
        print(
            f"community rate: pages of {per_page} a second for {args.seconds:.0f} s, {len(committed)} messages in "
            f"French or English (queued); refined {len(done)}; "
            f"store→refined latency median {statistics.median(latencies):.2f} s, p95 {p95:.2f} s, "
            f"max {latencies[-1]:.2f} s (load {_load()})"
        )
        if len(done) != len(committed):
            raise SystemExit("some messages were never refined")

        if args.burst:
            items = _items(args.burst, offset)
            before = _proc(worker.pid)
            t0 = time.time()
            ids = []
            for start in range(0, len(items), 500):
                ids += _store(connection, items[start : start + 500])
            burst = _wait(ids, 1800)
            wall = max(burst.values()) - t0
            after = _proc(worker.pid)
            cpu = after["cpu"] - before["cpu"]
            print(
                f"burst: {len(burst)} of {len(ids)} messages refined in {wall:.1f} s wall "
                f"({len(burst) / wall:.0f} msg/s), worker CPU {cpu:.1f} s ({len(burst) / cpu:.0f} msg per CPU-second, "
                f"encoding, heads, storing and rules together) (load {_load()})"
            )
        mem = _proc(worker.pid)
        print(f"worker resident memory, deep tier loaded: VmRSS {mem['VmRSS']:.0f} MiB, peak {mem['VmHWM']:.0f} MiB")
    finally:
        worker.terminate()
        worker.wait(30)
        from django.db import connections

        connections.close_all()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


if __name__ == "__main__":
    main()
