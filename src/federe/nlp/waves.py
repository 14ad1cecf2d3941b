"""Spam waves: near-duplicate messages from several authors, or many times, grouped and scored together.

At ingest, each new message's MinHash bands are looked up among the workspace's recent messages (``wave_index``).
Candidates are confirmed on their estimated similarity. A group of at least ``MIN_SIZE`` messages becomes (or
joins) a :class:`~federe.nlp.models.Wave`, and every member's spam score becomes the wave's: the members' mean
log-odds, plus evidence for the size and for the number of distinct authors.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import connection
from django.db.models import Count, Max, Min
from django.utils import timezone

from federe.core import db
from federe.inbox import services as inbox
from federe.inbox.bulk import set_columns
from federe.inbox.models import Direction, Message
from federe.nlp import minhash, wave_index
from federe.nlp.models import Wave

if TYPE_CHECKING:  # numpy only types the signatures here; importing it would slow every import of ingest
    import numpy as np

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
    return _shared_score(base, size, authors)


def _shared_score(mean_logit: float, size: int, authors: int) -> tuple[float, float]:
    """The wave's score from its members' mean log-odds, and the evidence its size and authors add."""
    bonus = SIZE_WEIGHT * math.log(max(size, 1)) + AUTHOR_WEIGHT * math.log(max(authors, 1))
    return 1 / (1 + math.exp(-(mean_logit + bonus))), bonus


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


def detect(workspace_id: int, messages: Sequence[Message], signed: Sequence[np.ndarray | None]) -> Bands:
    """Group the page's new messages (not stored yet) into waves: each member gets its wave, its score and the
    details in memory, to be stored with them; earlier messages that join are updated here. ``signed``: their
    signatures, computed ahead (``inbox.prepare``), in the same order. Returns their bands, for :func:`record`."""
    page = _signed(messages, signed)
    bands = Bands(workspace_id, page.band_rows)
    if not page.signatures:
        return bands
    db.lock_workspace(workspace_id)  # one detection at a time per workspace, until the page commits
    earlier = wave_index.latest(workspace_id, list(page.by_band))
    for band, ids in earlier.items():
        page.by_band[band].extend(ids)
    candidates = {pk for ids in page.by_band.values() if len(ids) > 1 for pk in ids}
    if not candidates:
        return bands
    old = _stored_rows(candidates - set(page.signatures))
    for pk, row in old.items():
        sig = minhash.signature(row["body_text"])
        if sig is not None:
            page.signatures[pk] = sig
    components = _near_duplicates(page.by_band, page.signatures)
    new = {_key(n): m for n, m in enumerate(messages)}
    _store(workspace_id, [c for c in components if len(c) >= 2], old, new)
    return bands


@dataclass
class Bands:
    """The page's band rows, as (band, page key): written by :func:`record` once the messages have ids."""

    workspace_id: int
    rows: list[tuple[int, int]]


def record(bands: Bands | None, messages: Sequence[Message]) -> None:
    """Write the bands of the messages given to :func:`detect`, now stored (same messages, same order)."""
    if bands and bands.rows:
        wave_index.insert(bands.workspace_id, [(band, messages[-key - 1].pk) for band, key in bands.rows])


def _key(n: int) -> int:
    """The page's n-th new message, as a key beside stored messages' ids: negative, so they never meet."""
    return -n - 1


def _order(key: int) -> tuple[bool, int]:
    """Stored messages first, oldest first, then the page's in page order."""
    return (key < 0, abs(key))


@dataclass
class _Signed:
    """The page's messages as MinHash signatures, and the LSH bands each falls in (by page key)."""

    signatures: dict[int, np.ndarray] = field(default_factory=dict)
    by_band: defaultdict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    band_rows: list[tuple[int, int]] = field(default_factory=list)  # (band, page key), in message order


def _signed(messages: Sequence[Message], signed: Sequence[np.ndarray | None]) -> _Signed:
    """Received messages only: our own replies never make a wave (nor do texts too short to sign)."""
    page = _Signed()
    for n, m in enumerate(messages):
        if m.direction != Direction.INBOUND:
            continue
        sig = signed[n] if n < len(signed) and signed[n] is not None else minhash.signature(m.body_text)
        if sig is None:
            continue
        key = _key(n)
        page.signatures[key] = sig
        for band in minhash.bands(sig):
            page.by_band[band].append(key)
            page.band_rows.append((band, key))
    return page


def _stored_rows(ids: set[int]) -> dict[int, dict]:
    """What the wave needs of candidates stored by earlier pages."""
    rows = Message.objects.filter(pk__in=ids).values(
        "pk", "body_text", "wave_id", "author_id", "spam_score", "posted_at", "nlp"
    )
    return {row["pk"]: dict(row) for row in rows}


def _near_duplicates(by_band: dict[int, list[int]], signatures: dict[int, np.ndarray]) -> list[list[int]]:
    """Messages that share a band and are similar enough, grouped transitively (each group's ids)."""
    groups = _Groups()
    for ids in by_band.values():
        unique = sorted(set(ids), key=_order)
        for other in unique[1:]:
            a, b = signatures.get(unique[0]), signatures.get(other)
            if a is not None and b is not None and minhash.similarity(a, b) >= SIMILAR:
                groups.union(unique[0], other)
    members: dict[int, list[int]] = defaultdict(list)
    for pk in groups.parent:
        members[groups.find(pk)].append(pk)
    return list(members.values())


def _own_score(row: dict) -> float | None:
    """A member's own spam score, from before any wave raised it."""
    return (row.get("nlp") or {}).get("own_spam_score", row.get("spam_score"))


def _store(workspace_id: int, components: list[list[int]], old: dict[int, dict], new: dict[int, Message]) -> None:
    """Each group that touches a wave, or has at least MIN_SIZE members, becomes or joins one.

    A page's waves are written together, whatever their number: one statement for the authors already in them,
    one per chunk of earlier messages joining (wave, score and details at once), one for the members of waves
    whose score moved, one per chunk of waves. Only merges (rare) and new waves cost statements of their own.
    The page's own messages (``new``, by page key) take their wave, score and details in memory."""
    joins: list[_Joining] = []
    for existing, group in _by_wave(components, old):
        joining = [pk for pk in group if pk in new or (pk in old and not old[pk]["wave_id"])]
        if existing or len(group) >= MIN_SIZE:
            joins.append(_Joining(existing, sorted(joining, key=_order)))
    if not joins:
        return
    stored = Wave.objects.in_bulk([j.existing[0] for j in joins if len(j.existing) == 1])
    for j in joins:
        if len(j.existing) > 1:
            j.wave = _merged(j.existing)
        elif j.existing:
            j.wave = stored[j.existing[0]]
        else:
            first = j.pks[0]
            j.wave = Wave(
                workspace_id=workspace_id,
                sample=(new[first].body_text if first in new else old[first]["body_text"])[:200],
            )
            j.wave.first_seen_at = j.wave.last_seen_at = timezone.now()
    Wave.objects.bulk_create([j.wave for j in joins if j.wave.pk is None])
    rows = {pk: _row(new.get(pk), old.get(pk)) for j in joins for pk in j.pks}
    present = _authors_present({j.wave.pk: {rows[pk]["author_id"] for pk in j.pks} for j in joins if j.wave.size})
    members: dict[int, tuple[int, float, dict]] = {}
    rescored: dict[int, float] = {}
    for j in joins:
        wave = j.wave
        owns = {pk: _own_score(rows[pk]) for pk in j.pks}
        wave.logit_sum += sum(_logit(own) for own in owns.values() if own is not None)
        _add_members(wave, [rows[pk] for pk in j.pks], present.get(wave.pk, set()))
        score, bonus = _shared_score(wave.logit_sum / wave.size if wave.size else 0.0, wave.size, wave.authors)
        if abs(score - wave.score) >= RESCORE_STEP:
            # Every member scored together; a big wave's score moves by small steps, so this happens rarely once
            # it is large (log of the size) instead of on every page.
            wave.score = rescored[wave.pk] = score
        shown = {"id": wave.pk, "size": wave.size, "authors": wave.authors, "evidence": round(bonus, 3)}
        for pk in j.pks:
            members[pk] = (wave.pk, wave.score, _info(rows[pk], owns[pk], shown))
    for key, (wave_id, score, info) in members.items():
        if key in new:
            m = new[key]
            m.wave_id, m.spam_score, m.nlp = wave_id, score, info
    inbox.join_waves({pk: member for pk, member in members.items() if pk not in new})
    inbox.set_wave_spam_scores(rescored)
    set_columns(Wave, _WAVE_FIELDS, {j.wave.pk: tuple(getattr(j.wave, f) for f in _WAVE_FIELDS) for j in joins})


_WAVE_FIELDS = ("size", "authors", "first_seen_at", "last_seen_at", "logit_sum", "score")


@dataclass
class _Joining:
    """A wave of the page: the stored waves it touches (oldest first), the messages joining it, and the wave."""

    existing: list[int]
    pks: list[int]
    wave: Wave = field(init=False)


def _by_wave(components: list[list[int]], old: dict[int, dict]) -> list[tuple[list[int], list[int]]]:
    """The page's groups with the stored waves they touch: groups that touch the same wave are one (they join it
    together), as (wave ids oldest first, member ids)."""
    links = _Groups()  # components as -1, -2, …; waves by their (positive) ids
    for n, component in enumerate(components):
        links.find(-n - 1)
        for pk in component:
            if pk in old and old[pk]["wave_id"]:
                links.union(-n - 1, old[pk]["wave_id"])
    merged: dict[int, tuple[set[int], list[int]]] = {}
    for n, component in enumerate(components):
        waves, members = merged.setdefault(links.find(-n - 1), (set(), []))
        members += component
        waves.update(old[pk]["wave_id"] for pk in component if pk in old and old[pk]["wave_id"])
    return [(sorted(waves), members) for waves, members in merged.values()]


def _merged(wave_ids: list[int]) -> Wave:
    """The oldest wave absorbs the others; their members move first (deleting a wave would free them)."""
    wave = Wave.objects.get(pk=wave_ids[0])
    absorbed = Wave.objects.filter(pk__in=wave_ids[1:])
    wave.logit_sum += sum(absorbed.values_list("logit_sum", flat=True))
    inbox.move_to_wave(wave.pk, from_waves=wave_ids[1:])
    absorbed.delete()
    stats = Message.objects.filter(wave=wave).aggregate(  # counted over its members: merges are rare
        size=Count("pk"), authors=Count("author", distinct=True), first=Min("posted_at"), last=Max("posted_at")
    )
    wave.size, wave.authors = stats["size"], stats["authors"]
    wave.first_seen_at, wave.last_seen_at = stats["first"], stats["last"]
    return wave


def _row(m: Message | None, stored: dict | None) -> dict:
    """What the wave needs of a joining message, new on this page or stored by an earlier one."""
    if m is None:
        assert stored is not None
        return stored
    return {"spam_score": m.spam_score, "nlp": m.nlp, "author_id": m.author_id, "posted_at": m.posted_at}


def _authors_present(authors_by_wave: dict[int, set[int | None]]) -> dict[int, set[int]]:
    """Per wave, which of these authors already have a message in it: one statement for the page, one probe of
    the message_wave_author index per (wave, author) pair, each stopping at the first message it finds."""
    pairs = [(wave, author) for wave, authors in authors_by_wave.items() for author in authors if author is not None]
    present: dict[int, set[int]] = defaultdict(set)
    table = connection.ops.quote_name(Message._meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(pairs), 500):
            chunk = pairs[start : start + 500]
            cursor.execute(
                f"WITH p(wave, author) AS (VALUES {', '.join(['(%s, %s)'] * len(chunk))}) "  # noqa: S608
                f"SELECT p.wave, p.author FROM p WHERE EXISTS "
                f"(SELECT 1 FROM {table} m WHERE m.wave_id = p.wave AND m.author_id = p.author)",
                [value for pair in chunk for value in pair],
            )
            for wave, author in cursor.fetchall():
                present[wave].add(author)
    return present


def _add_members(wave: Wave, members: list[dict], present: set[int]) -> None:
    """The wave's size, authors and dates with these members (not in it yet) added, without counting its members
    again: a page costs a wave of thousands no more than a wave of three. "New authors" are those with no message
    in the wave yet (``present``: those who have one)."""
    authors = {m["author_id"] for m in members} - {None} - present
    dates = [m["posted_at"] for m in members]
    if wave.size:
        dates += [wave.first_seen_at, wave.last_seen_at]
    wave.size += len(members)
    wave.authors += len(authors)
    wave.first_seen_at, wave.last_seen_at = min(dates), max(dates)


def _info(row: dict, own: float | None, wave: dict) -> dict:
    """The member's classifier details, with its wave and the score it had on its own."""
    info = dict(row.get("nlp") or {})
    info["wave"] = wave
    if own is not None:
        info["own_spam_score"] = own
    return info
