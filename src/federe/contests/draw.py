"""The draw anyone can re-check: commit, then reveal (pure functions, no database).

Every hash is SHA-256, written as 64 lowercase hexadecimal digits. "Canonical JSON" is ``json.dumps`` with sorted
keys, no spaces (``","`` and ``":"``), non-ASCII characters kept, encoded in UTF-8 (RFC 8785's spirit for the
values we use: strings, integers, booleans, lists and objects; never floats).

1. **Commitment, before the end.** A secret seed of 32 random bytes (``secrets.token_bytes``) is drawn. Fédère
   publishes ``commitment = SHA-256(canonical JSON of {"rules": RULES, "seed_sha256": SHA-256(seed)})``, where RULES
   is the contest's rules as data (name, dates, channels, entry rule, quiz answers' count, number of winners,
   eligibility, the SHA-256 of the attached rules document, the public value's announced source). The seed itself
   stays encrypted in the database until the draw.
2. **Draw, after the end.** The eligible entries are frozen, each as ``{"key": …, "name": …}`` (``key`` names the
   message on its channel: ``<channel id>/<message id on the network>``), sorted by key (code point order). Fédère
   publishes ``entries_sha256 = SHA-256(canonical JSON of that sorted list)``, reveals the seed (hexadecimal), and
   records the public random value (a drand round, a lottery result…) and its source as the organiser typed them.
3. **Winners.** Each entry gets ``ticket = SHA-256(seed ‖ SHA-256(public value in UTF-8) ‖ key in UTF-8)`` (the first
   two parts are 32 bytes each, so the concatenation is unambiguous). Entries are ranked by ticket (hexadecimal,
   ascending), then by key; the first N are the winners, in that order.

``verify_draw.py`` (same folder, standard library only, written separately) re-derives the three from the
published JSON. The organiser knows the seed before the draw, but not the public value: that is why the public
value's source is part of the committed rules (a drand round or lottery drawn after the end).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

SEED_BYTES = 32


def canonical(data: Any) -> bytes:
    """The one byte form of a value that is hashed (see the module's docstring)."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def commitment(rules: Mapping[str, Any], seed: bytes) -> str:
    """What is published before the end: binds the rules and the (still secret) seed."""
    return sha256_hex(canonical({"rules": dict(rules), "seed_sha256": sha256_hex(seed)}))


@dataclass(frozen=True)
class Ballot:
    """An eligible entry as published: its key on the channel and the author's display name."""

    key: str
    name: str

    def as_data(self) -> dict[str, str]:
        return {"key": self.key, "name": self.name}


def sorted_ballots(ballots: Iterable[Ballot]) -> list[Ballot]:
    """The canonical order: by key (keys are unique within a contest)."""
    return sorted(ballots, key=lambda b: b.key)


def entries_hash(ballots: Iterable[Ballot]) -> str:
    """SHA-256 of the canonical JSON of the sorted list."""
    return sha256_hex(canonical([b.as_data() for b in sorted_ballots(ballots)]))


def ticket(seed: bytes, public_value: str, key: str) -> str:
    mixed = hashlib.sha256(public_value.encode("utf-8")).digest()
    return sha256_hex(seed + mixed + key.encode("utf-8"))


def winners(ballots: Iterable[Ballot], seed: bytes, public_value: str, count: int) -> list[Ballot]:
    """The first ``count`` ballots ranked by ticket, then key; fewer when there are fewer entries."""
    ranked = sorted(ballots, key=lambda b: (ticket(seed, public_value, b.key), b.key))
    return ranked[: max(count, 0)]
