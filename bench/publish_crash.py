"""The crash test: deliveries published by a real `federe worker` that is killed with SIGKILL again and again (at
random moments, and by its own hand between a network's answer and the commit: the FEDERE_TEST_CRASH_AFTER_PUBLISH
crash point), restarted each time. At the end it reads back what is on the network and prints the deliveries, how
many the ledger says were sent, how many posts are on the network, the duplicates (must be 0) and whether the ledger
agrees with the network.

    .venv/bin/python bench/publish_crash.py                 # the dummy network: 200 deliveries, at least 20 kills
    .venv/bin/python bench/publish_crash.py -n 30 --kills 5 # the size tests/publishing/test_crash.py runs
    .venv/bin/python bench/publish_crash.py --peers         # the real servers of ../shared/peers that are running
    .venv/bin/python bench/publish_crash.py --peers --one-post  # one post, a variant per server, nobody killed

--peers spreads the deliveries over a channel on each real server that answers (WordPress, Bluesky PDS, Matrix
Synapse, Misago, Mailman: bench/publish_peers.py; it says which, and why the others are left out; --only picks
some), each delivery's text carrying a token of its own, then reads EACH SERVER back (its API, Mailman's delivered
mail and held queue), not the ledger, and prints per network: deliveries, sent (ledger), on the server,
duplicates, missing, ledger agrees. A sending delivery's lease is 3 s here (FEDERE_PUBLISH_LEASE_SECONDS), so that
a killed worker's deliveries come back quickly; their outcome is then unknown and resolved by the network's key
(Bluesky) or by looking on the network first (find_published).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sys
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from publish_setup import configure, deliveries_on, ledger, make_deliveries, out, start_worker, wait_started


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
    folder = Path(env["FEDERE_DATA_DIR"])
    publish_log = folder / "network.jsonl"
    rng = random.Random(args.seed)
    make_deliveries(args.count, 4, 3, args.spread, {"publish_log": str(publish_log)})
    out(f"{args.count} deliveries on the dummy network, due over {args.spread:g} s; database {env['DATABASE_URL']}")
    kills, self_kills, starts = kill_loop(env, folder, args, rng)
    return report(publish_log, kills, self_kills, starts)


def kill_loop(env: dict[str, str], folder: Path, args: argparse.Namespace, rng: random.Random) -> tuple[int, int, int]:
    """Start a worker, SIGKILL it after a random life, again, until ``args.kills`` kills (of both kinds) are done;
    then let a last worker finish what is pending. Returns (kills from outside, self-kills, starts)."""
    from django.db.models import Q

    from federe.publishing.models import Delivery, DeliveryState

    kills = self_kills = starts = 0
    deadline = time.monotonic() + args.timeout
    given_up = Q(state__in=(DeliveryState.FAILED, DeliveryState.OUTCOME_UNKNOWN), next_attempt_at__isnull=True)
    pending = Delivery.objects.exclude(state__in=(DeliveryState.SENT, DeliveryState.CANCELLED)).exclude(given_up)
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
    return kills, self_kills, starts


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


def run_peers(args: argparse.Namespace) -> int:
    from publish_peers import loopback_env, running_networks

    tag = f"crash{uuid.uuid4().hex[:6]}"
    state = os.environ.get("PEERS_STATE") or os.path.join(os.environ.get("TMPDIR") or "/tmp", "federe-peers")
    networks, left_out = running_networks(state, tag, args.only.split(",") if args.only else None)
    for reason in left_out:
        out(f"left out: {reason}")
    if not networks:
        out("no real server answers: start some with ../shared/peers/<name>/<name>-ci.sh start")
        return 2
    env = configure(
        args.folder,
        FEDERE_PUBLISH_LEASE_SECONDS="3",
        FEDERE_TEST_CRASH_AFTER_PUBLISH=str(args.self_kill),
        **loopback_env(networks),
    )
    from federe.accounts.models import Workspace
    from federe.connections.models import Connection

    workspace = Workspace.objects.create(slug="bench", name="Bench")
    links = []
    for network in networks:
        link = Connection(workspace=workspace, network=network.key, name=network.name, config=network.config)
        link.set_credentials(network.credentials)
        link.save()
        links.append(link)
    if args.one_post:  # one post with a variant per server, nobody killed
        args.count, args.kills, args.self_kill = len(links), 0, 0.0
        env["FEDERE_TEST_CRASH_AFTER_PUBLISH"] = "0"
    deliveries_on(links, args.count, 3, args.spread, text=lambda index: f"Crash {tag}-{index:04d}")
    out(f"run {tag}: {args.count} deliveries over {', '.join(f'{n.name} ({n.note})' for n in networks)}")
    out(f"due over {args.spread:g} s; database {env['DATABASE_URL']}")
    started = time.monotonic()
    kills, self_kills, starts = kill_loop(env, Path(env["FEDERE_DATA_DIR"]), args, random.Random(args.seed))
    out(f"the workers took {time.monotonic() - started:.0f} s")
    return report_peers(networks, links, tag, kills, self_kills, starts)


def report_peers(networks: list[Any], links: list[Any], tag: str, kills: int, self_kills: int, starts: int) -> int:
    from federe.publishing.models import Delivery, DeliveryState

    out(
        f"worker starts: {starts}; killed with SIGKILL: {kills} at random moments, {self_kills} between a network's"
        " answer and its commit"
    )
    out(f"{'network':<16} {'deliveries':>10} {'sent (ledger)':>14} {'on the server':>14} {'duplicates':>10} "
        f"{'missing':>8}  ledger agrees")  # fmt: skip
    totals = {"deliveries": 0, "sent": 0, "server": 0, "duplicates": 0, "missing": 0}
    every_agrees = True
    for network, link in zip(networks, links, strict=True):
        rows = list(Delivery.objects.filter(connection=link).select_related("variant"))
        token_of = {row.pk: row.variant.body_text.split()[-1] for row in rows}
        found = network.read_back()
        seen: dict[str, set[str]] = {}
        for token, external_id in found:
            seen.setdefault(token, set()).add(external_id)
        expected = set(token_of.values())
        ours = [token for token, _id in found if token in expected]
        sent = [row for row in rows if row.state == DeliveryState.SENT]
        duplicates = len(ours) - len(set(ours))
        missing = len(expected - set(ours))
        agrees = {token_of[row.pk] for row in sent} == set(ours) and all(
            seen.get(token_of[row.pk]) == {row.external_id} for row in sent
        )
        every_agrees &= agrees
        out(f"{network.name:<16} {len(rows):>10} {len(sent):>14} {len(set(ours)):>14} {duplicates:>10} {missing:>8}  "
            f"{'yes' if agrees else 'no'}")  # fmt: skip
        for key, value in (("deliveries", len(rows)), ("sent", len(sent)), ("server", len(set(ours))),
                           ("duplicates", duplicates), ("missing", missing)):  # fmt: skip
            totals[key] += value
    out(f"deliveries: {totals['deliveries']}")
    out(f"sent (ledger): {totals['sent']}")
    out(f"on the servers: {totals['server']}")
    out(f"duplicates: {totals['duplicates']}")
    out(f"missing: {totals['missing']}")
    out(f"ledger agrees: {'yes' if every_agrees else 'no'}")
    states: dict[str, int] = {}
    for state in Delivery.objects.values_list("state", flat=True):
        states[state] = states.get(state, 0) + 1
    out(f"states: {', '.join(f'{state} {count}' for state, count in sorted(states.items()))}")
    for row in Delivery.objects.exclude(state=DeliveryState.SENT).select_related("connection")[:10]:
        out(f"  not sent: {row.connection.name} delivery {row.pk} {row.state}: {row.last_error[:200]}")
    ok = totals["duplicates"] == 0 and totals["missing"] == 0 and every_agrees
    return 0 if ok and totals["sent"] == totals["deliveries"] else 1


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
    parser.add_argument("--peers", action="store_true", help="The real servers of ../shared/peers that run.")
    parser.add_argument("--only", default="", help="With --peers: these peers only (e.g. wp,misago).")
    parser.add_argument(
        "--one-post", action="store_true", help="With --peers: one post, a variant per server, no kill."
    )
    args = parser.parse_args()
    return run_peers(args) if args.peers else run(args)


if __name__ == "__main__":
    sys.exit(main())
