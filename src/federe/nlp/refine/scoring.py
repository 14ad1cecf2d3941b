"""One batch of the deep tier: claim, encode once, score with every head, store in place, run the rules again.

Each message is encoded by its workspace's chosen encoder (``Workspace.deep_encoder``), scored by that encoder's
heads with that encoder's workspace centres, and stored with that encoder's version and name.

The encoding and the heads run outside any transaction; the scores, the workspace centres, the queue rows and the
rules' decisions are written in one, so a batch is stored whole or not at all.
"""

from __future__ import annotations

import copy
import logging
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import F
from django.utils import timezone

from federe.accounts.models import Workspace
from federe.core import db
from federe.inbox import services as inbox
from federe.inbox.models import Message
from federe.moderation.refined import after_refined
from federe.nlp.base import Doc
from federe.nlp.models import DeepBackfill
from federe.nlp.refine import adapt, centre, queue
from federe.nlp.refine.deep import DEFAULT, Refined, Scorer, for_workspace
from federe.nlp.text import prepare

log = logging.getLogger(__name__)
BATCH = 128


@dataclass
class Batch:
    claimed: int = 0
    refined: int = 0
    #: Seconds from each live message's queueing (its page's commit) to its refined scores' commit.
    latencies: tuple[float, ...] = ()


def run_batch(scorer: Scorer, *, limit: int = BATCH) -> Batch:
    """Refine up to ``limit`` waiting messages; a failure frees them for another try (and gives up after three)."""
    token, claimed = queue.claim(limit)
    if not claimed:
        return Batch()
    try:
        return refine(scorer, token, claimed)
    except Exception:
        log.exception("the deep tier failed on a batch of %d messages", len(claimed))
        dropped = queue.give_up_or_release(token)
        if dropped:
            _say_given_up(dropped)
        return Batch(claimed=len(claimed))


def refine(scorer: Scorer, token: str, claimed: Sequence[queue.Claimed]) -> Batch:
    by_id = {c.message_id: c for c in claimed}
    messages = list(Message.objects.filter(pk__in=list(by_id)).select_related("connection", "conversation"))
    scorable = [m for m in messages if m.language in queue.LANGUAGES]
    texts = [prepare(m.body_text, language=m.language).text for m in scorable]
    per_workspace: dict[int, list[int]] = defaultdict(list)
    for i, message in enumerate(scorable):
        per_workspace[message.workspace_id].append(i)
    # Each workspace's chosen encoder (its scorer; the default one's where the chosen one is not installed).
    chosen = dict(Workspace.objects.filter(pk__in=list(per_workspace)).values_list("pk", "deep_encoder"))
    scorers = {ws: for_workspace(scorer, chosen.get(ws) or DEFAULT) for ws in per_workspace}
    # One encoding per message, shared by every head, by its workspace's encoder (its vectors and their dimensions).
    vectors: dict[int, Any] = {}
    for used in {id(s): s for s in scorers.values()}.values():
        rows = [i for ws, s in scorers.items() if s is used for i in per_workspace[ws]]
        for i, v in zip(rows, used.encode([texts[i] for i in rows]), strict=True):
            vectors[i] = v
    refined: dict[int, Refined] = {}
    for workspace_id, rows in per_workspace.items():
        docs = [Doc(texts[i], scorable[i].language) for i in rows]  # prepared above
        fast_spam = [_fast_spam(scorable[i]) for i in rows]
        scores = _scored(workspace_id, scorers[workspace_id], _stack([vectors[i] for i in rows]), docs, fast_spam)
        refined.update({scorable[i].pk: s for i, s in zip(rows, scores, strict=True)})

    def store() -> list[Message]:
        # A page being stored may re-score a wave's members, some of them ours: each workspace's lock comes first,
        # in one order, so the two wait for each other instead of deadlocking (and a lost try is run again).
        for workspace_id in sorted(per_workspace):
            db.lock_workspace(workspace_id)
        mine = queue.finish(token, [c.pending_id for c in claimed])
        # Copies: ``_store`` sets the refined scores on the messages it is given, and a try that lost must leave
        # the fast tier's scores in place for the next one (they are kept beside the refined ones).
        kept = [copy.copy(m) for m in scorable if by_id[m.pk].pending_id in mine]
        for workspace_id, rows in per_workspace.items():
            ours = [i for i in rows if by_id[scorable[i].pk].pending_id in mine]
            if ours:
                used = scorers[workspace_id]
                centre.add(
                    workspace_id,
                    _stack([vectors[i] for i in ours]),
                    [scorable[i].language for i in ours],
                    _encoder_of(used),
                )
        upgraded = []
        for workspace_id in per_workspace:
            used = scorers[workspace_id]
            here = [m for m in kept if m.workspace_id == workspace_id]
            upgraded += _store(here, refined, used.version, _encoder_of(used))
        live = [m for m in upgraded if by_id[m.pk].live]
        for workspace_id in {m.workspace_id for m in live}:
            after_refined(workspace_id, [m for m in live if m.workspace_id == workspace_id])
        _count_backfills([by_id[m.pk] for m in messages if by_id[m.pk].pending_id in mine])
        return upgraded

    upgraded = db.retried(store)
    now = time.time()
    latencies = tuple(now - by_id[m.pk].queued_at.timestamp() for m in upgraded if by_id[m.pk].live)  # type: ignore[attr-defined]
    return Batch(claimed=len(claimed), refined=len(upgraded), latencies=latencies)


def _scored(
    workspace_id: int, used: Scorer, vectors: Any, docs: Sequence[Doc], fast_spam: Sequence[float | None]
) -> list[Refined]:
    """One workspace's messages scored by its encoder's heads, centred by its means for that encoder; then by its
    own heads where they learned on that encoder's vectors."""
    centres = centre.current(workspace_id, _encoder_of(used))
    scores = used.score(vectors, [d.language for d in docs], centres, fast_spam)
    return adapt.apply(workspace_id, vectors, list(docs), centres, scores, _encoder_of(used))


def _stack(rows: Sequence[Any]) -> Any:
    import numpy as np

    return np.stack(rows) if rows else np.zeros((0, 0), dtype=np.float32)


def _encoder_of(scorer: Scorer) -> str:
    return getattr(scorer, "encoder", DEFAULT) or DEFAULT


def _fast_spam(message: Message) -> float | None:
    """The fast tier's own spam score (the n-gram model's), which the spam head combines with its own."""
    fast = (message.nlp or {}).get("deep", {}).get("fast")
    if fast:
        return fast.get("spam")
    return None if message.wave_id else message.spam_score


def _store(
    messages: Sequence[Message], refined: dict[int, Refined], version: str, encoder: str = DEFAULT
) -> list[Message]:
    """Upgrade each message's scores in place, keeping the fast tier's beside them; the messages upgraded."""
    rows: dict[int, dict[str, Any]] = {}
    upgraded = []
    at = round(time.time(), 3)
    for message in messages:
        scores = refined[message.pk]
        info = dict(message.nlp or {})
        deep: dict[str, Any] = {"version": version, "encoder": encoder, "at": at}
        if scores.not_scored:
            deep["not_scored"] = scores.not_scored
            info["deep"] = deep
            rows[message.pk] = _columns(message, info)
            continue
        previous = (message.nlp or {}).get("deep", {})
        deep["fast"] = previous.get("fast") or {
            "spam": message.spam_score,
            "toxicity": message.toxicity_score,
            "sentiment": message.sentiment,
            "sentiment_score": message.sentiment_score,
        }
        if message.wave_id is None and scores.spam is not None:
            message.spam_score = scores.spam
        elif scores.spam is not None:
            deep["spam"] = scores.spam  # a wave's members share the wave's score: it stays
        if scores.toxicity is not None:
            message.toxicity_score = scores.toxicity
        if scores.sentiment:
            message.sentiment, message.sentiment_score = scores.sentiment, scores.sentiment_score
        info["tier"] = "deep"
        info["deep"] = deep
        info["models"] = {**info.get("models", {}), **scores.models}
        rows[message.pk] = _columns(message, info)
        upgraded.append(message)
    inbox.refine_scores(rows)
    for message in upgraded:
        message.nlp = rows[message.pk]["nlp"]
    return upgraded


def _columns(message: Message, info: dict[str, Any]) -> dict[str, Any]:
    return {
        "spam_score": message.spam_score,
        "toxicity_score": message.toxicity_score,
        "sentiment": message.sentiment,
        "sentiment_score": message.sentiment_score,
        "nlp": info,
    }


def _count_backfills(finished: Sequence[queue.Claimed]) -> None:
    counts: dict[int, int] = defaultdict(int)
    for row in finished:
        if row.backfill_id is not None:
            counts[row.backfill_id] += 1
    for backfill_id, n in counts.items():
        DeepBackfill.objects.filter(pk=backfill_id).update(done=F("done") + n, batches=F("batches") + 1)
    DeepBackfill.objects.filter(pk__in=list(counts), finished_at__isnull=True, done__gte=F("total")).update(
        finished_at=timezone.now()
    )


def _say_given_up(message_ids: list[int]) -> None:
    """Messages that broke the deep tier three times keep their fast scores, and say so."""
    infos = {}
    for pk, info in Message.objects.filter(pk__in=message_ids).values_list("pk", "nlp"):
        infos[pk] = {**(info or {}), "deep": {"not_scored": "error"}}
    inbox.set_nlp_info(infos)
