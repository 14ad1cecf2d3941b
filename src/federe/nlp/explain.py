"""Explanations for people: for a page of messages, what pushed each score, in words and as bar lengths."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils import formats
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


SHIPPED_MODELS = {
    "spam": _("Shipped spam model, %(date)s"),
    "toxicity": _("Shipped toxicity model, %(date)s"),
    "sentiment": _("Shipped tone model, %(date)s"),
}
DEEP_MODELS = {
    "spam": _("Shipped spam model with the sentence encoder, %(date)s"),
    "toxicity": _("Shipped toxicity model with the sentence encoder, %(date)s"),
    "sentiment": _("Shipped tone model with the sentence encoder, %(date)s"),
}
#: The deep heads of the optional quality encoder (e5; model ids ``deep-e5:<task>@<date>``).
QUALITY_MODELS = {
    "spam": _("Shipped spam model with the quality encoder, %(date)s"),
    "toxicity": _("Shipped toxicity model with the quality encoder, %(date)s"),
    "sentiment": _("Shipped tone model with the quality encoder, %(date)s"),
}
OWN_MODELS = {
    "spam": _("This workspace's spam model, version %(v)s"),
    "toxicity": _("This workspace's toxicity model, version %(v)s"),
    "sentiment": _("This workspace's tone model, version %(v)s"),
}
_MODEL_ID = re.compile(r"^(?P<kind>[a-z]+(?:-[a-z0-9]+)?):(?P<task>[a-z]+)@(?P<version>[\w.-]+)$")


def model_name(model_id: str) -> str:
    """A model id ("linear:spam@2026-11-23", "workspace:spam@v3", "lingua:fr+en") in the reader's words."""
    from federe.moderation.conditions import LANGUAGE_NAMES

    if model_id.startswith("lingua:"):
        names = ", ".join(str(LANGUAGE_NAMES.get(code, code)) for code in model_id[7:].split("+"))
        return str(_("Language detection (%(languages)s)")) % {"languages": names}
    m = _MODEL_ID.match(model_id)
    if m and m["kind"] == "workspace" and m["task"] in OWN_MODELS and m["version"].startswith("v"):
        return str(OWN_MODELS[m["task"]]) % {"v": m["version"][1:]}
    if m and m["task"] in SHIPPED_MODELS:
        try:
            when = formats.date_format(date.fromisoformat(m["version"]), "DATE_FORMAT")
        except ValueError:
            when = m["version"]
        table = {"deep": DEEP_MODELS, "deep-e5": QUALITY_MODELS}.get(m["kind"], SHIPPED_MODELS)
        return str(table[m["task"]]) % {"date": when}
    return str(_("another model"))


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
    #: Scored again in the background by the encoder (the deep tier): "refined".
    refined: bool = False

    @property
    def model_name(self) -> str:
        return model_name(self.model)


def explain_messages(workspace_id: int, messages: Sequence[Any]) -> dict[int, list[Explained]]:
    """Scores and their reasons for each message, with the workspace's current models (the ingest code path)."""
    if not messages:
        return {}
    out = {m.pk: refined_rows(m) for m in messages if (m.nlp or {}).get("tier") == "deep"}
    messages = [m for m in messages if m.pk not in out]
    if not messages:
        return out
    docs = [prepare(m.body_text, language=m.language) for m in messages]
    tasks = ("spam", "toxicity", "sentiment")
    results = enrich(docs, workspace_id=workspace_id, tasks=tasks, explain=True, keep_language=[True] * len(docs))
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


def refined_rows(message: Any) -> list[Explained]:
    """A refined message's stored scores, with the words that moved them when the worker has worked them out."""
    info = message.nlp or {}
    why = info.get("deep", {}).get("why", {})
    rows = []
    for task, score in (("spam", message.spam_score), ("toxicity", message.toxicity_score)):
        if score is not None:
            rows.append(_refined(task, "", score, score >= 0.5, info, why))
    if message.sentiment and message.sentiment_score is not None:
        label = str(SENTIMENT_NAMES.get(message.sentiment, message.sentiment))
        rows.append(_refined("sentiment", label, message.sentiment_score, message.sentiment == "negative", info, why))
    return rows


def _refined(task: str, label: str, score: float, alarming: bool, info: dict, why: dict) -> Explained:
    found = why.get(task, [])
    top = max((abs(w) for _, w in found), default=0.0) or 1.0
    pushes = [Push(str(word), float(w), round(abs(w) / top * 100)) for word, w in found]
    model = info.get("models", {}).get(task, "")
    return Explained(task, str(TASK_NAMES[task]), label, round(score * 100), alarming, model, pushes, refined=True)


def ask(message_id: int) -> None:
    """Ask the worker (which has the encoder) to work out a refined message's words, after the commit."""
    from functools import partial

    from django.db import transaction

    from federe.nlp.tasks import explain_refined_task

    transaction.on_commit(partial(explain_refined_task.enqueue, message_id))
