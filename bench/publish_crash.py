"""The crash test: deliveries on the dummy network published by a real `federe worker` that is killed with SIGKILL
again and again (at random moments, and by its own hand between a network's answer and the commit: the
FEDERE_TEST_CRASH_AFTER_PUBLISH crash point), restarted each time. At the end it prints the deliveries, how many
the ledger says were sent, how many posts are on the network (the dummy's publish log: one line per publication,
keyed by the delivery's key), the duplicates (must be 0) and whether the ledger agrees with the network.

    .venv/bin/python bench/publish_crash.py                 # 200 deliveries, at least 20 kills
    .venv/bin/python bench/publish_crash.py -n 30 --kills 5 # the size tests/publishing/test_crash.py runs

--peers (real WordPress) waits for WordPress publishing (pubnet); it says so and stops.
A sending delivery's lease is 3 s here (FEDERE_PUBLISH_LEASE_SECONDS), so that a killed worker's deliveries come
back quickly; their outcome is then unknown and resolved by looking in the publish log (find_published).
"""

from __future__ import annotations

import argparse
import json
import random
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from publish_setup import configure, ledger, make_deliveries, out, start_worker, wait_started


def network_keys(log: Path) -> list[str]:
    if not log.exists():
        return []
    return [json.loads(line)["key"] for line in log.read_text().splitlines() if line.strip()]


def run(args: argparse.Namespace) -> int:
    env = configure(
        args.folder,
        FEDERE_PUBLISH_LEASE_SECONDS="3",
        FEDERE_TEST_CRASH_AFTER_PUBLISH=str(args.self_kill),
    )

    from federe.publishing.models import Delivery, DeliveryState

    folder = Path(env["FEDERE_DATA_DIR"])
    publish_log = folder / "network.jsonl"
    rng = random.Random(args.seed)
    make_deliveries(args.count, 4, 3, args.spread, {"publish_log": str(publish_log)})
    out(f"{args.count} deliveries on the dummy network, due over {args.spread:g} s; database {env['DATABASE_URL']}")
    kills = self_kills = starts = 0
    deadline = time.monotonic() + args.timeout
    pending = Delivery.objects.exclude(state__in=(DeliveryState.SENT, DeliveryState.CANCELLED))
    while time.monotonic() < deadline and (kills + self_kills < args.kills or pending.exists()):
        log = folder / f"worker-{starts}.log"
        worker = start_worker(env, f"crash-{starts}", log)
        starts += 1
        wait_started(worker, log)
        killing = kills + self_kills < args.kills
        until = time.monotonic() + rng.uniform(0.0, args.max_life) if killing else deadline
        while worker.poll() is None and time.monotonic() < until and (killing or pending.exists()):
            time.sleep(0.05)
        if worker.poll() is not None:
            self_kills += worker.returncode == -signal.SIGKILL  # it died at the crash point
        elif killing:
            worker.send_signal(signal.SIGKILL)
            kills += 1
        else:
            worker.terminate()
        worker.wait(60)
    return report(publish_log, kills, self_kills, starts)


def report(publish_log: Path, kills: int, self_kills: int, starts: int) -> int:
    from federe.publishing.models import DeliveryState

    rows = ledger()
    keys = network_keys(publish_log)
    sent = [row for row in rows if row["state"] == DeliveryState.SENT]
    duplicates = len(keys) - len(set(keys))
    agrees = {row["key"] for row in sent} == set(keys) and all(
        row["external_id"] == f"post-{row['key']}" for row in sent
    )
    states: dict[str, int] = {}
    for row in rows:
        states[row["state"]] = states.get(row["state"], 0) + 1
    out(
        f"worker starts: {starts}; killed with SIGKILL: {kills} at random moments, {self_kills} between a network's"
        " answer and its commit"
    )
    out(f"deliveries: {len(rows)}")
    out(f"sent (ledger): {len(sent)}")
    out(f"on the network: {len(set(keys))} ({len(keys)} publications)")
    out(f"duplicates: {duplicates}")
    out(f"ledger agrees: {'yes' if agrees else 'no'}")
    out(f"states: {', '.join(f'{state} {count}' for state, count in sorted(states.items()))}")
    return 0 if duplicates == 0 and agrees and len(sent) == len(rows) else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", "--count", type=int, default=200)
    parser.add_argument("--kills", type=int, default=20, help="At least this many SIGKILLs (both kinds).")
    parser.add_argument("--self-kill", type=float, default=0.03, help="Chance of dying after each network call.")
    parser.add_argument("--spread", type=float, default=20.0, help="Seconds over which the deliveries fall due.")
    parser.add_argument("--max-life", type=float, default=2.0, help="A worker is killed within this many seconds.")
    parser.add_argument("--timeout", type=float, default=900.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--folder", default=None, help="Where the database and logs go (a temporary folder).")
    parser.add_argument("--peers", action="store_true", help="Also real WordPress (once it publishes).")
    args = parser.parse_args()
    if args.peers:
        out("--peers: WordPress publishing is not there yet (pubnet); run without --peers.")
        return 2
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
