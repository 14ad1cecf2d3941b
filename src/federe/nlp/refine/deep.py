"""The one place the deep tier meets the encoder and its heads (``nlp.deep``): imported by the worker only.

:class:`Scorer` is what the tier needs: one encoding per message (``encode``), then every head on those vectors
(``score``), turned into :class:`Refined` rows this package stores.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class Refined:
    """One message's deep scores, or why it has none (``not_scored``, a code)."""

    spam: float | None = None
    toxicity: float | None = None
    sentiment: str = ""
    sentiment_score: float | None = None
    sentiment_probs: dict[str, float] = field(default_factory=dict)
    models: dict[str, str] = field(default_factory=dict)
    not_scored: str = ""


class Scorer(Protocol):
    #: Stored with each refined message: a new version triggers a backfill.
    version: str

    def encode(self, texts: Sequence[str]) -> Any: ...  # numpy array (n, dimensions)

    def score(
        self, vectors: Any, languages: Sequence[str], centres: dict[str, Any], fast_spam: Sequence[float | None]
    ) -> list[Refined]: ...


class ShippedScorer:
    """The encoder and heads that ship with Fédère (``federe.nlp.deep``); the encoder loads at the first encoding."""

    def __init__(self) -> None:
        from federe.nlp.deep import backend, encoder, heads

        self._encoder, self._heads = encoder, heads
        self.models = {task: backend.model_id(task) for task in heads.HEAD_TASKS}
        self.version = "+".join([encoder.version(), *(self.models[t] for t in heads.HEAD_TASKS)])

    def encode(self, texts: Sequence[str]) -> Any:
        return self._encoder.encode(list(texts))

    def score(
        self, vectors: Any, languages: Sequence[str], centres: dict[str, Any], fast_spam: Sequence[float | None]
    ) -> list[Refined]:
        """Every head on the same vectors; spam combines its head with the fast tier's n-gram score."""
        found = self._heads.score(vectors, list(languages), centre=centres or None, ngram_spam=list(fast_spam))
        return [self._refined(s) for s in found]

    def _refined(self, scores: Any) -> Refined:
        if scores.not_scored:
            return Refined(not_scored=str(scores.not_scored))
        return Refined(
            spam=scores.spam,
            toxicity=scores.toxicity,
            sentiment=scores.sentiment,
            sentiment_score=scores.sentiment_score,
            sentiment_probs=dict(scores.sentiment_probs or {}),
            models=dict(self.models),
        )


_shipped: ShippedScorer | None = None


def shipped() -> ShippedScorer:
    """One scorer per process (the encoder is large: loaded once)."""
    global _shipped
    if _shipped is None:
        _shipped = ShippedScorer()
    return _shipped
