"""Which words moved a refined score: leave one word out, encode the variants in one batch, compare (on demand).

Runs in the worker (``nlp.tasks.explain_refined_task``), which has the encoder; the review queue's "Why these
scores?" asks for it and shows what is stored in ``Message.nlp["deep"]["why"]``.
"""

from __future__ import annotations

from typing import Any

from federe.inbox import services as inbox
from federe.inbox.models import Message
from federe.nlp.base import Doc
from federe.nlp.refine import adapt, centre
from federe.nlp.refine.deep import DEFAULT, Refined, Scorer, for_workspace
from federe.nlp.text import prepare

MAX_WORDS = 40  # a longer message is explained on its first 40 distinct words
SHOWN = 6


def _value(task: str, scores: Refined, label: str) -> float:
    if task == "sentiment":
        return scores.sentiment_probs.get(label, scores.sentiment_score if scores.sentiment == label else 0.0) or 0.0
    return float(getattr(scores, task) or 0.0)


def word_pushes(
    scorer: Scorer, text: str, language: str, centres: dict[str, Any], workspace_id: int | None = None
) -> dict[str, list[list[Any]]]:
    """Per task, the words whose removal moved the score most: [[word, how far it pushed], ...], strongest first.
    With ``workspace_id``, the workspace's own heads score the variants where they are switched on, as they scored
    the message."""
    words = list(dict.fromkeys(text.split()))[:MAX_WORDS]
    tokens = text.split()
    variants = [text] + [" ".join(t for t in tokens if t != word) for word in words]
    vectors = scorer.encode(variants)
    results = scorer.score(vectors, [language] * len(variants), centres, [None] * len(variants))
    if workspace_id is not None:
        docs = [Doc(v, language) for v in variants]
        results = adapt.apply(workspace_id, vectors, docs, centres, results, getattr(scorer, "encoder", DEFAULT))
    full = results[0]
    if full.not_scored:
        return {task: [] for task in ("toxicity", "spam", "sentiment")}
    out: dict[str, list[list[Any]]] = {}
    for task in ("toxicity", "spam", "sentiment"):
        base = _value(task, full, full.sentiment)
        moved = [
            (word, round(base - _value(task, r, full.sentiment), 4)) for word, r in zip(words, results[1:], strict=True)
        ]
        moved.sort(key=lambda p: -abs(p[1]))
        out[task] = [[word, push] for word, push in moved[:SHOWN] if abs(push) >= 0.005]
    return out


def explain(scorer: Scorer, message_id: int) -> bool:
    """Compute and store the explanation of a refined message; False when it is not refined (or gone)."""
    message = Message.objects.filter(pk=message_id).first()
    if message is None or (message.nlp or {}).get("tier") != "deep":
        return False
    text = prepare(message.body_text, language=message.language).text
    # Explained by the encoder that refined it (the default one's for messages refined before encoders were named).
    name = message.nlp.get("deep", {}).get("encoder") or DEFAULT
    scorer = for_workspace(scorer, name)
    used = getattr(scorer, "encoder", DEFAULT) or DEFAULT  # the default one when that encoder is not here
    pushes = word_pushes(
        scorer, text, message.language, centre.current(message.workspace_id, used), message.workspace_id
    )
    info = dict(message.nlp)
    info["deep"] = {**info.get("deep", {}), "why": pushes}
    inbox.set_nlp_info({message.pk: info})
    return True
