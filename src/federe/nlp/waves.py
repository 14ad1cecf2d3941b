"""Spam waves: near-duplicate messages from several authors, or many times, grouped and scored together.

At ingest, each new message's MinHash bands are looked up among the workspace's messages of the last
``WINDOW``. Candidates are confirmed on their estimated similarity. A group of at least ``MIN_SIZE`` messages
becomes (or joins) a :class:`~federe.nlp.models.Wave`, and every member's spam score becomes the wave's: the
members' mean log-odds, plus evidence for the size and for the number of distinct authors.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from datetime import timedelta

import numpy as np
from django.db import connection
from django.utils import timezone

from federe.inbox.models import Message
from federe.nlp import minhash
from federe.nlp.models import Wave, WaveSignature

WINDOW = timedelta(days=7)
MIN_SIZE = 3
SIMILAR = 0.5
#: Log-odds added per natural-log unit of the wave's size and of its number of distinct authors.
SIZE_WEIGHT = 0.7
AUTHOR_WEIGHT = 0.7


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


def wave_score(member_scores: Sequence[float], size: int, authors: int) -> tuple[float, float]:
    """The members' shared spam score, and the evidence (log-odds) the wave itself added."""
    base = sum(_logit(p) for p in member_scores) / len(member_scores) if member_scores else 0.0
    bonus = SIZE_WEIGHT * math.log(max(size, 1)) + AUTHOR_WEIGHT * math.log(max(authors, 1))
    return 1 / (1 + math.exp(-(base + bonus))), bonus


#: Advisory-lock namespace for wave detection (PostgreSQL); an arbitrary constant of Fédère's.
_LOCK_NAMESPACE = 0x57AE


def _lock_workspace(workspace_id: int) -> None:
    """One wave detection at a time per workspace, until the page's transaction ends.

    Two workers syncing two channels of one workspace would otherwise update the same waves in different orders
    (a deadlock), or miss each other's near-duplicates. SQLite already runs one write transaction at a time.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_LOCK_NAMESPACE, workspace_id])


class _Groups:
    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def detect(workspace_id: int, messages: Sequence[Message]) -> set[int]:
    """Group the new messages into waves; returns the ids of messages whose spam score changed."""
    signatures: dict[int, np.ndarray] = {}
    band_rows: list[WaveSignature] = []
    by_band: dict[int, list[int]] = defaultdict(list)
    for m in messages:
        if m.direction != "in":
            continue
        sig = minhash.signature(m.body_text)
        if sig is None:
            continue
        signatures[m.pk] = sig
        for key in minhash.bands(sig):
            by_band[key].append(m.pk)
            band_rows.append(WaveSignature(workspace_id=workspace_id, band=key, message_id=m.pk))
    if not signatures:
        return set()
    _lock_workspace(workspace_id)
    since = timezone.now() - WINDOW
    keys = list(by_band)
    for start in range(0, len(keys), 500):
        rows = WaveSignature.objects.filter(
            workspace_id=workspace_id, band__in=keys[start : start + 500], created_at__gte=since
        ).values_list("band", "message_id")
        for band, message_id in rows:
            by_band[band].append(message_id)
    WaveSignature.objects.bulk_create(band_rows, batch_size=500)

    candidates = {pk for ids in by_band.values() if len(ids) > 1 for pk in ids}
    if not candidates:
        return set()
    old = {
        row["pk"]: row
        for row in Message.objects.filter(pk__in=candidates - set(signatures)).values(
            "pk", "body_text", "wave_id", "author_id", "spam_score", "posted_at"
        )
    }
    for pk, row in old.items():
        sig = minhash.signature(row["body_text"])
        if sig is not None:
            signatures[pk] = sig
    groups = _Groups()
    for ids in by_band.values():
        unique = sorted(set(ids))
        for other in unique[1:]:
            a, b = signatures.get(unique[0]), signatures.get(other)
            if a is not None and b is not None and minhash.similarity(a, b) >= SIMILAR:
                groups.union(unique[0], other)
    members: dict[int, list[int]] = defaultdict(list)
    for pk in groups.parent:
        members[groups.find(pk)].append(pk)
    return _store(workspace_id, [m for m in members.values() if len(m) >= 2], old)


_FIELDS = ("pk", "author_id", "spam_score", "posted_at", "body_text", "nlp")


def _store(workspace_id: int, components: list[list[int]], old: dict[int, dict]) -> set[int]:
    changed: set[int] = set()
    for component in components:
        existing_waves = {old[pk]["wave_id"] for pk in component if pk in old and old[pk]["wave_id"]}
        # Everything already in those waves belongs to this one too.
        rows = list(Message.objects.filter(pk__in=component).values(*_FIELDS))
        if existing_waves:
            seen = {r["pk"] for r in rows}
            rows += [
                r for r in Message.objects.filter(wave_id__in=existing_waves).values(*_FIELDS) if r["pk"] not in seen
            ]
        if len(rows) < MIN_SIZE:
            continue
        authors = len({r["author_id"] for r in rows})
        first = min(r["posted_at"] for r in rows)
        last = max(r["posted_at"] for r in rows)
        if existing_waves:
            wave = Wave.objects.get(pk=min(existing_waves))
            Wave.objects.filter(pk__in=existing_waves - {wave.pk}).delete()
        else:
            wave = Wave(workspace_id=workspace_id, sample=rows[0]["body_text"][:200])
        wave.size, wave.authors, wave.first_seen_at, wave.last_seen_at = len(rows), authors, first, last
        wave.save()
        # Each member's own score, from before any wave raised it, so a growing wave is not counted twice.
        own = [(r["nlp"] or {}).get("own_spam_score", r["spam_score"]) for r in rows if r["spam_score"] is not None]
        score, bonus = wave_score(own, len(rows), authors)
        ids = [r["pk"] for r in rows]
        for message in Message.objects.filter(pk__in=ids).only("pk", "nlp", "spam_score"):
            info = dict(message.nlp or {})
            info["wave"] = {"id": wave.pk, "size": len(rows), "authors": authors, "evidence": round(bonus, 3)}
            if "own_spam_score" not in info and message.spam_score is not None:
                info["own_spam_score"] = message.spam_score
            message.nlp = info
            message.spam_score = score
            message.wave = wave
            changed.add(message.pk)
            Message.objects.filter(pk=message.pk).update(nlp=info, spam_score=score, wave=wave)
    return changed
