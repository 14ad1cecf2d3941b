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
from django.db.models import Count, F, Max, Min, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from federe.inbox.bulk import set_column
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


#: Members already in a wave are re-scored only when the wave's score moved at least this much.
RESCORE_STEP = 0.02

#: Per LSH band, only the most recent earlier messages are compared: enough to find the wave a message joins,
#: and the cost of a page stays bounded however large a wave grows.
CANDIDATES_PER_BAND = 2


def detect(workspace_id: int, messages: Sequence[Message]) -> set[int]:
    """Group the new messages into waves; returns the ids of messages whose spam score changed."""
    signatures: dict[int, np.ndarray] = {}
    band_rows: list[tuple[int, int]] = []  # (band, message id)
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
            band_rows.append((key, m.pk))
    if not signatures:
        return set()
    _lock_workspace(workspace_id)
    since = timezone.now() - WINDOW
    keys = list(by_band)
    earlier: dict[int, list[int]] = defaultdict(list)
    for start in range(0, len(keys), 500):
        rows = (
            WaveSignature.objects.filter(
                workspace_id=workspace_id, band__in=keys[start : start + 500], created_at__gte=since
            )
            # The latest few per band, chosen by the database: a big wave's thousands of rows never reach Python.
            .annotate(rank=Window(RowNumber(), partition_by=[F("band")], order_by=F("id").desc()))
            .filter(rank__lte=CANDIDATES_PER_BAND)
            .values_list("band", "message_id")
        )
        for band, message_id in rows:
            earlier[band].append(message_id)
    _insert_bands(workspace_id, band_rows)
    for band, ids in earlier.items():
        by_band[band].extend(ids)

    candidates = {pk for ids in by_band.values() if len(ids) > 1 for pk in ids}
    if not candidates:
        return set()
    old = {
        row["pk"]: row
        for row in Message.objects.filter(pk__in=candidates - set(signatures)).values(
            "pk", "body_text", "wave_id", "author_id", "spam_score", "posted_at", "nlp"
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
    new = {m.pk: m for m in messages}
    return _store(workspace_id, [m for m in members.values() if len(m) >= 2], old, new)


def _insert_bands(workspace_id: int, rows: list[tuple[int, int]]) -> None:
    """Many small rows: one multi-row INSERT per chunk, without the ORM's per-value preparation."""
    if not rows:
        return
    table = connection.ops.quote_name(WaveSignature._meta.db_table)
    now = timezone.now()
    for start in range(0, len(rows), 300):
        chunk = rows[start : start + 300]
        params: list = []
        for band, message_id in chunk:
            params += [workspace_id, band, message_id, now, now]
        placeholders = ", ".join(["(%s, %s, %s, %s, %s)"] * len(chunk))
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (workspace_id, band, message_id, created_at, updated_at) "  # noqa: S608
                f"VALUES {placeholders}",
                params,
            )


def _own_score(row: dict) -> float | None:
    """A member's own spam score, from before any wave raised it."""
    return (row.get("nlp") or {}).get("own_spam_score", row.get("spam_score"))


def _store(workspace_id: int, components: list[list[int]], old: dict[int, dict], new: dict[int, Message]) -> set[int]:
    changed: set[int] = set()
    for component in components:
        existing = sorted({old[pk]["wave_id"] for pk in component if pk in old and old[pk]["wave_id"]})
        joining = [pk for pk in component if pk in new or (pk in old and not old[pk]["wave_id"])]
        if not existing and len(component) < MIN_SIZE:
            continue
        if existing:
            wave = Wave.objects.get(pk=existing[0])
            absorbed = Wave.objects.filter(pk__in=existing[1:])
            wave.logit_sum += sum(absorbed.values_list("logit_sum", flat=True))
            Message.objects.filter(wave_id__in=existing[1:]).update(wave=wave)
            absorbed.delete()
        else:
            first_text = new[joining[0]].body_text if joining[0] in new else old[joining[0]]["body_text"]
            wave = Wave(workspace_id=workspace_id, sample=first_text[:200], logit_sum=0.0)
            wave.first_seen_at = wave.last_seen_at = timezone.now()
            wave.save()
        joined_rows = []
        for pk in joining:
            row = (
                {"spam_score": new[pk].spam_score, "nlp": new[pk].nlp, "author_id": new[pk].author_id}
                if pk in new
                else old[pk]
            )
            own = _own_score(row)
            if own is not None:
                wave.logit_sum += _logit(own)
            joined_rows.append((pk, row, own))
        Message.objects.filter(pk__in=joining).update(wave=wave)
        stats = Message.objects.filter(wave=wave).aggregate(
            size=Count("pk"), authors=Count("author", distinct=True), first=Min("posted_at"), last=Max("posted_at")
        )
        wave.size, wave.authors = stats["size"], stats["authors"]
        wave.first_seen_at, wave.last_seen_at = stats["first"], stats["last"]
        wave.save()
        base = wave.logit_sum / wave.size if wave.size else 0.0
        bonus = SIZE_WEIGHT * math.log(max(wave.size, 1)) + AUTHOR_WEIGHT * math.log(max(wave.authors, 1))
        score = 1 / (1 + math.exp(-(base + bonus)))
        if abs(score - wave.score) >= RESCORE_STEP:
            # Every member scored together, in one statement; a big wave's score moves by small steps, so this
            # happens rarely once it is large (log of the size) instead of on every page.
            Message.objects.filter(wave=wave).update(spam_score=score)
            wave.score = score
            wave.save(update_fields=["score"])
        else:
            Message.objects.filter(pk__in=joining).update(spam_score=wave.score)
        infos = {}
        for pk, row, own in joined_rows:
            info = dict(row.get("nlp") or {})
            info["wave"] = {"id": wave.pk, "size": wave.size, "authors": wave.authors, "evidence": round(bonus, 3)}
            if own is not None:
                info["own_spam_score"] = own
            infos[pk] = info
        set_column(Message, "nlp", infos)
        changed.update(pk for pk in component if pk in new)
    return changed
