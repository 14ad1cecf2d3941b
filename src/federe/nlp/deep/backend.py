"""The deep heads as a :class:`~federe.nlp.base.Backend`, for ``federe nlp score`` and evaluation.

One encoding per batch (``DocBatch.vectors``) is shared by the three heads; spam combines its head with the
shipped n-gram model's probability, as the spam card says. Ingest does not call this (it keeps the fast tier).
"""

from __future__ import annotations

import math

from federe.nlp.base import LABELS, POSITIVE, Contribution, Doc, DocBatch, NotScored, Result, Score
from federe.nlp.deep import encoder, heads

#: Words tried one at a time by an explanation (leave-one-word-out), and how many are shown.
EXPLAIN_WORDS = 40
EXPLAIN_SHOWN = 8


def model_id(task: str, encoder_name: str | None = None) -> str:
    """``deep:<task>@<version>`` for the default encoder's heads, ``deep-<encoder>:<task>@<version>`` for another's."""
    prefix = "deep" if not encoder_name or encoder_name == encoder.DEFAULT else f"deep-{encoder_name}"
    return f"{prefix}:{task}@{heads.card(task, encoder_name).get('version', '?')}"


class DeepBackend:
    def __init__(self, task: str, centre: dict | None = None, encoder_name: str | None = None):
        if task not in heads.HEAD_TASKS:
            raise ValueError(f"no deep head for {task!r}")
        self.task = task
        self.encoder = encoder_name or encoder.DEFAULT
        self.model_id = model_id(task, self.encoder)
        self.centre = centre

    def _vectors(self, batch: DocBatch):
        """The batch's vectors by this backend's encoder (the default one's are shared through the batch)."""
        if self.encoder == encoder.DEFAULT:
            return batch.vectors
        return encoder.encode(batch.texts, self.encoder)

    def score(self, batch: DocBatch, *, explain: bool = False) -> list[Result]:
        out: list[Result] = [NotScored(d.skip) if d.skip else NotScored(heads.OTHER_LANGUAGE) for d in batch.docs]
        rows = [i for i, d in enumerate(batch.docs) if not d.skip and d.language in heads.LANGUAGES]
        if not rows:
            return out
        sub = DocBatch([batch.docs[i] for i in rows])
        prior = None
        if self.task == "spam":
            from federe.nlp.backends import shipped

            prior = [r.score if isinstance(r, Score) else None for r in shipped("spam").score(sub)]
        languages = [d.language for d in sub.docs]
        vectors = self._vectors(sub)
        scores = heads.score(vectors, languages, centre=self.centre, ngram_spam=prior, encoder=self.encoder)
        for i, s in zip(rows, scores, strict=True):
            result = self._result(s)
            if explain and isinstance(result, Score):
                result.explanation = self._explain(batch.docs[i], result)
            out[i] = result
        return out

    def _explain(self, doc: Doc, full: Score) -> list[Contribution]:
        """Leave-one-word-out: how far the log-odds fall when each word is taken out (of the positive label for
        spam and toxicity, as the fast tier's explanations; of the chosen label for sentiment)."""
        words = doc.text.split()
        unique = list(dict.fromkeys(words))[:EXPLAIN_WORDS]
        if len(words) < 2:
            return []
        variants = [Doc(" ".join(w for w in words if w != word), doc.language, dict(doc.meta)) for word in unique]
        rescored = self.score(DocBatch(variants))  # same encoder and centre
        label = POSITIVE.get(self.task, full.label)
        base = _log_odds(full.probs.get(label, full.score))
        moved = [
            Contribution(word, base - _log_odds(r.probs.get(label, 0.0)))
            for word, r in zip(unique, rescored, strict=True)
            if isinstance(r, Score)
        ]
        moved.sort(key=lambda c: -abs(c.weight))
        return moved[:EXPLAIN_SHOWN]

    def _result(self, s: heads.DeepScores) -> Result:
        if not s.scored:
            return NotScored(s.not_scored)
        if self.task == "sentiment":
            return Score(s.sentiment, float(s.sentiment_score or 0.0), dict(s.sentiment_probs or {}), self.model_id)
        p = float((s.toxicity if self.task == "toxicity" else s.spam) or 0.0)
        positive = POSITIVE[self.task]
        label = positive if p >= 0.5 else next(k for k in LABELS[self.task] if k != positive)
        return Score(label, p, {positive: p, next(k for k in LABELS[self.task] if k != positive): 1 - p}, self.model_id)


def _log_odds(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def usable(name: str | None = None) -> bool:
    """Whether the deep tier can run here with that encoder (the default one for ``None``): its package is
    installed and its heads are shipped."""
    return encoder.available(name) and heads.shipped(name)
