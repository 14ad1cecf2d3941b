"""Contest draws: how long the product's draw and the one-file verification script take on large entry lists.

    .venv/bin/python bench/contests.py [--entries 1000 10000 100000] [--winners 10]

Pure Python, no database: `contests/draw.py` (hash of the sorted list, winners) and `contests/verify_draw.py`
(commitment, hash, winners again) on synthetic entries. Prints seconds per step; fails only when the two disagree.
"""

from __future__ import annotations

import argparse
import json
import secrets
import time

from federe.contests import draw, verify_draw


def run(count: int, winners: int) -> None:
    ballots = [draw.Ballot(f"{n % 7 + 1}/comment-{n}", f"Personne {n}") for n in range(count)]
    seed, public = secrets.token_bytes(draw.SEED_BYTES), "drand quicknet round 1234567"
    rules = {"name": "bench", "winners": winners, "channels": "all"}
    started = time.perf_counter()
    ordered = draw.sorted_ballots(ballots)
    digest = draw.entries_hash(ordered)
    chosen = draw.winners(ordered, seed, public, winners)
    product = time.perf_counter() - started
    published = json.loads(
        json.dumps(
            {
                "rules": rules,
                "commitment": draw.commitment(rules, seed),
                "entries": [b.as_data() for b in ordered],
                "entries_sha256": digest,
                "seed": seed.hex(),
                "public_value": public,
                "winners": [b.as_data() for b in chosen],
            }
        )
    )
    started = time.perf_counter()
    results = verify_draw.verify(published)
    script = time.perf_counter() - started
    if not all(passed for _label, passed in results):
        raise SystemExit(f"{count} entries: the script disagrees with the product")
    print(f"{count:>8} entries: draw {product:.3f} s, verification {script:.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--winners", type=int, default=10)
    options = parser.parse_args()
    for count in options.entries:
        run(count, options.winners)


if __name__ == "__main__":
    main()
