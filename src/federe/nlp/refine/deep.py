"""The one place the deep tier meets the encoder and its heads (``nlp.deep``): imported by the worker only.

:class:`Scorer` is what the tier needs: one encoding per message (``encode``), then every head on those vectors
(``score``), turned into :class:`Refined` rows this package stores. Each workspace chooses its encoder
(``Workspace.deep_encoder``): :meth:`ShippedScorer.for_encoder` gives that encoder's scorer, or the default one's
where the chosen encoder is not installed (its choice is kept, and used again once it is).
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
    #: The encoder's name (``nlp.deep.encoder.ENCODERS``): whose workspace centres are used and grow.
    encoder: str

    def encode(self, texts: Sequence[str]) -> Any: ...  # numpy array (n, dimensions)

    def score(
        self, vectors: Any, languages: Sequence[str], centres: dict[str, Any], fast_spam: Sequence[float | None]
    ) -> list[Refined]: ...


DEFAULT = "use"


class ShippedScorer:
    """An encoder and its heads that ship with Fédère (``federe.nlp.deep``); the encoder loads at the first
    encoding (nothing here imports it)."""

    def __init__(self, name: str = DEFAULT) -> None:
        from federe.nlp.deep import backend, heads
        from federe.nlp.deep.encoder import get

        self.encoder = name
        self._encoder, self._heads = get(name), heads
        self.models = {task: backend.model_id(task, name) for task in heads.HEAD_TASKS}
        self.version = "+".join([self._encoder.version(), *(self.models[t] for t in heads.HEAD_TASKS)])
        #: The heads whose card says they replace the fast tier: the others' scores are not stored (tone: the
        #: lexicon measured better than the sentiment head, docs/models.md).
        self.replacing = {task for task in heads.HEAD_TASKS if heads.replaces_fast_tier(task, name)}

    def for_encoder(self, name: str) -> ShippedScorer:
        """The scorer of that encoder when it is usable here, else the default one."""
        return shipped(name)

    def versions(self) -> dict[str, str]:
        """The version each encoder usable here stores (a workspace's chosen one's, for its backfills)."""
        return {name: shipped(name).version for name in usable_encoders()}

    def encode(self, texts: Sequence[str]) -> Any:
        return self._encoder.encode(list(texts))

    def score(
        self, vectors: Any, languages: Sequence[str], centres: dict[str, Any], fast_spam: Sequence[float | None]
    ) -> list[Refined]:
        """Every head on the same vectors; spam combines its head with the fast tier's n-gram score."""
        found = self._heads.score(
            vectors, list(languages), centre=centres or None, ngram_spam=list(fast_spam), encoder=self.encoder
        )
        return [self._refined(s) for s in found]

    def _refined(self, scores: Any) -> Refined:
        if scores.not_scored:
            return Refined(not_scored=str(scores.not_scored))
        tone = "sentiment" in self.replacing
        return Refined(
            spam=scores.spam if "spam" in self.replacing else None,
            toxicity=scores.toxicity if "toxicity" in self.replacing else None,
            sentiment=scores.sentiment if tone else "",
            sentiment_score=scores.sentiment_score if tone else None,
            sentiment_probs=dict(scores.sentiment_probs or {}) if tone else {},
            models={task: model for task, model in self.models.items() if task in self.replacing},
        )


_shipped: dict[str, ShippedScorer] = {}


def usable_encoders() -> list[str]:
    """The encoders whose package and heads are here (looked up, never imported)."""
    from federe.nlp.deep.backend import usable
    from federe.nlp.deep.encoder import ENCODERS

    return [name for name in ENCODERS if usable(name)]


def shipped(name: str | None = None) -> ShippedScorer:
    """One scorer per encoder and process (an encoder is large: loaded once); a name not usable here gives the
    default encoder's."""
    name = name if name and name in usable_encoders() else DEFAULT
    if name not in _shipped:
        _shipped[name] = ShippedScorer(name)
    return _shipped[name]


def versions_of(scorer: Scorer) -> dict[str, str] | str:
    """What :func:`~federe.nlp.refine.backfill.for_new_model` compares with: one version per encoder, or the
    scorer's one version (a scorer that serves every workspace alike)."""
    versions = getattr(scorer, "versions", None)
    return versions() if callable(versions) else scorer.version


def for_workspace(scorer: Scorer, encoder: str) -> Scorer:
    """The scorer for a workspace that chose ``encoder``: ``scorer`` itself unless it can change encoder."""
    choose = getattr(scorer, "for_encoder", None)
    return choose(encoder) if callable(choose) else scorer
