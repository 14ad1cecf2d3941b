"""Linear heads on the encoder's vectors: sentiment, toxicity and spam, numpy only at run time.

Each encoder (``deep/encoder.py``) has its own three heads: the default encoder's in ``deep/data/``, another's in
``deep/data/<name>/``. Each head is a small ``.npz`` (weights, and its default centre per language: the mean vector of
its training texts) with a JSON model card beside it. A vector is centred before the head, by the workspace's own
mean vector for its language when one is given (``centre``), else by the head's default. French and English are
scored; any other language is "not scored: other language".
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    import numpy as np

HEADS_DIR = Path(__file__).resolve().parent / "data"  # the default encoder's
HEAD_TASKS = ("sentiment", "toxicity", "spam")
LANGUAGES = ("fr", "en")
SENTIMENT_LABELS = ("negative", "neutral", "positive")
OTHER_LANGUAGE = "other_language"
#: The reasons a message has no deep score, as shown to people.
REASONS = {OTHER_LANGUAGE: _("Not scored: other language")}


@dataclass
class Head:
    classes: tuple[str, ...]
    #: One row per class, or one row (the second class's log-odds) for two classes.
    coef: np.ndarray
    intercept: np.ndarray
    #: The default centre per language (the mean vector of the training texts in that language, or the
    #: reference mean the card names).
    centre: dict[str, np.ndarray]
    #: Spam only: how the head's log-odds and the n-gram model's combine: (head, n-gram, bias).
    combine: tuple[float, float, float] | None = None

    def proba(self, x: np.ndarray) -> np.ndarray:
        """Probabilities per class, one row per (already centred) vector."""
        return linear_proba(x, self.coef, self.intercept, len(self.classes))

    def save(self, path: Path) -> None:
        import numpy as np

        arrays: dict[str, Any] = {
            "classes": np.array(self.classes),
            "coef": self.coef.astype(np.float32),
            "intercept": self.intercept.astype(np.float64),
        }
        for lang, vec in self.centre.items():
            arrays[f"centre_{lang}"] = vec.astype(np.float32)
        if self.combine is not None:
            arrays["combine"] = np.array(self.combine, dtype=np.float64)
        np.savez_compressed(path, **arrays)

    @classmethod
    def load(cls, path: Path) -> Head:
        import numpy as np

        with np.load(path, allow_pickle=False) as z:
            centre = {k.removeprefix("centre_"): z[k] for k in z.files if k.startswith("centre_")}
            combine = tuple(float(v) for v in z["combine"]) if "combine" in z.files else None
            return cls(
                classes=tuple(str(c) for c in z["classes"]),
                coef=z["coef"],
                intercept=z["intercept"],
                centre=centre,
                combine=combine,  # type: ignore[arg-type]
            )


@dataclass(frozen=True)
class DeepScores:
    """One message's deep scores, or why it has none (``not_scored``, a code translated at display time)."""

    language: str
    sentiment: str = ""
    sentiment_score: float | None = None
    sentiment_probs: Mapping[str, float] | None = None
    toxicity: float | None = None
    spam: float | None = None
    not_scored: str = ""

    @property
    def scored(self) -> bool:
        return not self.not_scored

    def as_dict(self) -> dict[str, Any]:
        if self.not_scored:
            return {"language": self.language, "not_scored": self.not_scored}
        return {
            "language": self.language,
            "sentiment": self.sentiment,
            "sentiment_score": self.sentiment_score,
            "toxicity": self.toxicity,
            "spam": self.spam,
        }


_lock = threading.Lock()
_heads: dict[tuple[str, str], Head] = {}


def linear_proba(x: np.ndarray, coef: np.ndarray, intercept: np.ndarray, classes: int) -> np.ndarray:
    """A linear model's probabilities per class, one row per input: logistic for two classes (one row of weights,
    for the second class), softmax for more."""
    import numpy as np

    z = x @ coef.T + intercept
    if classes == 2:
        p = 1.0 / (1.0 + np.exp(-z[:, 0]))
        return np.column_stack([1 - p, p])
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def heads_dir(encoder: str | None = None) -> Path:
    """Where that encoder's heads and cards are (the default encoder's for ``None``)."""
    from federe.nlp.deep.encoder import get

    return get(encoder).heads_dir


def shipped(encoder: str | None = None) -> bool:
    """Whether the three heads for that encoder are here."""
    return all((heads_dir(encoder) / f"{t}.npz").exists() for t in HEAD_TASKS)


def head(task: str, encoder: str | None = None) -> Head:
    """The shipped head for a task and an encoder, loaded once per process."""
    from federe.nlp.deep.encoder import DEFAULT

    if task not in HEAD_TASKS:
        raise ValueError(f"no deep head for {task!r}")
    key = (encoder or DEFAULT, task)
    with _lock:
        if key not in _heads:
            _heads[key] = Head.load(heads_dir(encoder) / f"{task}.npz")
        return _heads[key]


def card(task: str, encoder: str | None = None) -> dict[str, Any]:
    return json.loads((heads_dir(encoder) / f"{task}.json").read_text(encoding="utf-8"))


def replaces_fast_tier(task: str, encoder: str | None = None) -> bool:
    """Whether this head measured better than the fast tier's model for its task (its card says so), and so
    should upgrade stored scores; sentiment does not (docs/models.md)."""
    return bool(card(task, encoder).get("replaces_fast_tier", False))


def centred(h: Head, vectors: np.ndarray, languages: Sequence[str], centre: Mapping[str, np.ndarray] | None):
    """Each vector minus its language's centre (the workspace's when given, else the head's default)."""
    import numpy as np

    out = np.array(vectors, dtype=np.float32, copy=True)
    for lang in LANGUAGES:
        rows = [i for i, language in enumerate(languages) if language == lang]
        if rows:
            mean = centre[lang] if centre and lang in centre else h.centre[lang]
            out[rows] -= np.asarray(mean, dtype=np.float32)
    return out


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def score(
    vectors: np.ndarray,
    languages: Sequence[str],
    *,
    centre: Mapping[str, np.ndarray] | None = None,
    ngram_spam: Sequence[float | None] | None = None,
    encoder: str | None = None,
) -> list[DeepScores]:
    """Scores per message, in order, by ``encoder``'s heads (on its vectors). ``ngram_spam`` (the fast tier's spam
    probability per message, when known) is combined with the spam head as its card says; without it the spam
    score is the head's alone."""
    import numpy as np

    if len(vectors) != len(languages):
        raise ValueError("one language per vector")
    keep = [i for i, lang in enumerate(languages) if lang in LANGUAGES]
    out = [DeepScores(language=lang, not_scored=OTHER_LANGUAGE) for lang in languages]
    if not keep:
        return out
    x = np.asarray(vectors, dtype=np.float32)[keep]
    langs = [languages[i] for i in keep]
    h_sent, h_tox, h_spam = (head(t, encoder) for t in ("sentiment", "toxicity", "spam"))
    p_sent = h_sent.proba(centred(h_sent, x, langs, centre))
    p_tox = h_tox.proba(centred(h_tox, x, langs, centre))[:, 1]
    p_spam = h_spam.proba(centred(h_spam, x, langs, centre))[:, 1]
    for j, i in enumerate(keep):
        spam = float(p_spam[j])
        prior = ngram_spam[i] if ngram_spam is not None else None
        if prior is not None and h_spam.combine is not None:
            a, b, c = h_spam.combine
            spam = 1.0 / (1.0 + math.exp(-(a * _logit(spam) + b * _logit(prior) + c)))
        k = int(np.argmax(p_sent[j]))
        out[i] = DeepScores(
            language=languages[i],
            sentiment=h_sent.classes[k],
            sentiment_score=round(float(p_sent[j, k]), 4),
            sentiment_probs={c: round(float(p), 4) for c, p in zip(h_sent.classes, p_sent[j], strict=True)},
            toxicity=round(float(p_tox[j]), 4),
            spam=round(spam, 4),
        )
    return out
