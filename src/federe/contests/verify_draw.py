#!/usr/bin/env python3
"""Re-check a Fédère contest draw from its published data, with nothing but Python 3's standard library.

    python3 verify_draw.py draw.json

``draw.json`` is the file offered on the contest's certificate page. The script checks, and says in English and
French:

1. the commitment published before the end equals SHA-256 of the canonical JSON of
   ``{"rules": <rules>, "seed_sha256": SHA-256(<seed>)}``: the seed revealed now is the one committed to, and the
   rules shown are the rules committed to;
2. the entry list's hash equals SHA-256 of the canonical JSON of the entries sorted by key;
3. the winners are the entries with the smallest ``SHA-256(seed || SHA-256(public value) || key)`` (then by key).

Canonical JSON: sorted keys, separators "," and ":", non-ASCII kept, UTF-8. Exit status 0 when every check
passes, 1 otherwise.
"""

import hashlib
import heapq
import json
import sys


def _digest(raw):
    return hashlib.sha256(raw).hexdigest()


def _canonical_bytes(value):
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.encode("utf-8")


def check_commitment(published):
    seed = bytes.fromhex(published["seed"])
    opened = {"rules": published["rules"], "seed_sha256": _digest(seed)}
    return _digest(_canonical_bytes(opened)) == published["commitment"]


def list_hash(entries):
    ordered = sorted(({"key": e["key"], "name": e["name"]} for e in entries), key=lambda e: e["key"])
    return _digest(_canonical_bytes(ordered))


def derive_winners(published):
    """The winners' keys, in order, from the seed, the public value and the entries."""
    seed = bytes.fromhex(published["seed"])
    public_part = hashlib.sha256(published["public_value"].encode("utf-8")).digest()
    scored = []
    for entry in published["entries"]:
        key = entry["key"]
        scored.append((hashlib.sha256(seed + public_part + key.encode("utf-8")).hexdigest(), key))
    return [key for _score, key in heapq.nsmallest(int(published["rules"]["winners"]), scored)]


def verify(published):
    """A list of (what was checked, passed) pairs."""
    expected = derive_winners(published)
    announced = [w["key"] for w in published["winners"]]
    return [
        (
            "commitment matches the rules and the revealed seed / l'engagement correspond au règlement et à la graine",
            check_commitment(published),
        ),
        (
            "entry list hash / empreinte de la liste des participations",
            list_hash(published["entries"]) == published["entries_sha256"],
        ),
        (
            "winners follow from the seed and the public value"
            " / les gagnants découlent de la graine et de la valeur publique",
            expected == announced,
        ),
    ]


def main(argv):
    if len(argv) != 2:
        print("usage: python3 verify_draw.py draw.json")
        return 2
    with open(argv[1], encoding="utf-8") as handle:
        published = json.load(handle)
    results = verify(published)
    for label, passed in results:
        print(("OK    " if passed else "FAIL  ") + label)
    print("winners / gagnants: " + ", ".join(derive_winners(published)))
    return 0 if all(passed for _label, passed in results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
