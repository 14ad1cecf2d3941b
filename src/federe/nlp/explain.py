"""Explanations for people: for a page of messages, what pushed each score, in words and as bar lengths."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from federe.nlp.base import Score
from federe.nlp.pipeline import enrich
from federe.nlp.text import prepare

TASK_NAMES = {"spam": _("Spam"), "toxicity": _("Toxicity"), "sentiment": _("Tone")}
SENTIMENT_NAMES = {"negative": _("negative"), "neutral": _("neutral"), "positive": _("positive")}
LABEL_NAMES = {"ham": _("not spam"), "spam": _("spam"), "ok": _("not toxic"), "toxic": _("toxic"), **SENTIMENT_NAMES}
FEATURE_NAMES = {
    "[link]": _("contains a link"),
    "[links_many]": _("many links"),
    "[capitals]": _("capital letters"),
    "[exclamations]": _("exclamation marks"),
    "[digits]": _("digits"),
    "[repeated_letters]": _("repeated letters"),
    "[repeated_words]": _("repeated words"),
    "[first_message]": _("author's first message"),
    "[very_short]": _("very short"),
    "[no_letters]": _("no letters"),
    "[contact_details]": _("e-mail or phone number"),
    "[long_text]": _("long text"),
    "[prior]": _("shipped model's opinion"),
}


@dataclass
class Push:
    feature: str
    weight: float
    width: int  # 0–100, relative to the strongest push of this score


@dataclass
class Explained:
    task: str
    name: str
    label: str
    percent: int
    alarming: bool
    model: str
    pushes: list[Push] = field(default_factory=list)


def explain_messages(workspace_id: int, messages: Sequence[Any]) -> dict[int, list[Explained]]:
    """Scores and their reasons for each message, with the workspace's current models (the ingest code path)."""
    if not messages:
        return {}
    docs = [prepare(m.body_text, language=m.language) for m in messages]
    tasks = ("spam", "toxicity", "sentiment")
    results = enrich(docs, workspace_id=workspace_id, tasks=tasks, explain=True, keep_language=[True] * len(docs))
    out: dict[int, list[Explained]] = {}
    for i, message in enumerate(messages):
        rows = []
        for task in tasks:
            result = results[task][i]
            if not isinstance(result, Score):
                continue
            top = max((abs(c.weight) for c in result.explanation), default=0.0) or 1.0
            # Sentiment terms carry a valence (+ is positive); shown towards or away from the label found.
            sign = -1.0 if task == "sentiment" and result.label == "negative" else 1.0
            pushes = [
                Push(str(FEATURE_NAMES.get(c.feature, c.feature)), sign * c.weight, round(abs(c.weight) / top * 100))
                for c in result.explanation[:6]
            ]
            if task == "sentiment":
                label, alarming = str(SENTIMENT_NAMES.get(result.label, result.label)), result.label == "negative"
            else:
                label, alarming = "", result.score >= 0.5
            stored = {"spam": message.spam_score, "toxicity": message.toxicity_score}.get(task)
            score = stored if stored is not None else result.score
            rows.append(
                Explained(task, str(TASK_NAMES[task]), label, round(score * 100), alarming, result.model, pushes)
            )
        out[message.pk] = rows
    return out
