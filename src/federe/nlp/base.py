"""The contract every classifier backend follows.

A backend scores a :class:`DocBatch` for one task and returns, per document, a
:class:`Score` or a :class:`NotScored` with its reason. Backends never raise for one
bad document: a batch always comes back whole, in order.

Tasks and their labels:

- ``language``: ``fr``, ``en``, ``other``
- ``spam``: ``spam`` / ``ham``; ``score`` is the probability of spam
- ``toxicity``: ``toxic`` / ``ok``; ``score`` is the probability of toxic
- ``sentiment``: ``negative`` / ``neutral`` / ``positive``; ``score`` is the probability of the label
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Protocol

TASKS = ("language", "spam", "toxicity", "sentiment")
LABELS: dict[str, tuple[str, ...]] = {
    "language": ("fr", "en", "other"),
    "spam": ("ham", "spam"),
    "toxicity": ("ok", "toxic"),
    "sentiment": ("negative", "neutral", "positive"),
}
#: The label whose probability is "the score" for the binary tasks.
POSITIVE = {"spam": "spam", "toxicity": "toxic"}


@dataclass(frozen=True)
class Contribution:
    """One term or feature and how far it pushed the score (signed, in log-odds)."""

    feature: str
    weight: float


@dataclass
class Score:
    label: str
    score: float
    probs: dict[str, float]
    model: str
    explanation: list[Contribution] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        score = None if math.isnan(self.score) else round(self.score, 4)  # language: only with --explain
        out: dict[str, Any] = {"label": self.label, "score": score, "model": self.model}
        if self.explanation:
            out["explanation"] = [{"feature": c.feature, "weight": round(c.weight, 3)} for c in self.explanation]
        return out


@dataclass
class NotScored:
    """A document the backend could not score, and why (a code, translated at display time)."""

    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"label": None, "score": None, "not_scored": self.reason}


Result = Score | NotScored


@dataclass
class Doc:
    """One prepared text: cleaned, possibly truncated, with what is known around it."""

    text: str
    language: str = "other"
    #: Facts from outside the text, e.g. ``first_message`` (the author's first message here).
    meta: dict[str, Any] = field(default_factory=dict)
    #: Notes about preparation (``truncated``, ``invalid_utf8``, ``zalgo``...), codes only.
    notes: list[str] = field(default_factory=list)
    #: Set when the text cannot be scored at all (``empty``...).
    skip: str = ""


class DocBatch:
    """Documents scored together. Expensive shared work (the hashed feature matrix)
    is computed once, on first use, and reused by every backend that needs it."""

    def __init__(self, docs: Sequence[Doc], features: Any = None):
        self.docs = list(docs)
        if features is not None:  # computed beforehand for these documents (``inbox.prepare``)
            self.__dict__["features"] = features

    def __len__(self) -> int:
        return len(self.docs)

    @property
    def texts(self) -> list[str]:
        return [d.text for d in self.docs]

    @cached_property
    def features(self):  # scipy.sparse.csr_matrix, one row per doc
        from federe.nlp.features import featurize

        return featurize(self.docs)

    @cached_property
    def vectors(self):  # numpy float32 (n, 512): the deep tier's encoding, shared by every head
        from federe.nlp.deep.encoder import encode

        return encode(self.texts)


class Backend(Protocol):
    task: str
    #: A stable identifier shown to users and stored with each score, e.g. ``linear:spam@2026-11-23``.
    model_id: str

    def score(self, batch: DocBatch, *, explain: bool = False) -> list[Result]: ...
