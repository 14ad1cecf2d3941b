"""Linear models over the shared feature space, stored as plain arrays (``.npz``, never pickles).

- :class:`LinearModel` holds the weights and turns a feature matrix into probabilities.
- :class:`LinearBackend` is a shipped model: one task, one model.
- :class:`StackedBackend` is a workspace's own model: it reads the shipped prior's log-odds as one more feature,
  so with few labels it stays close to the prior and with many it learns the community's own words.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from federe.nlp.base import LABELS, POSITIVE, Backend, Contribution, DocBatch, NotScored, Result, Score
from federe.nlp.features import N_FEATURES
from federe.nlp.features import explain as explain_terms

if TYPE_CHECKING:  # imported where used, so that importing this module stays cheap (see nlp/features.py)
    import numpy as np
    import scipy.sparse as sp


@dataclass
class LinearModel:
    classes: tuple[str, ...]
    #: One row of weights per class (a single row for binary tasks: the positive class's log-odds).
    coef: np.ndarray
    intercept: np.ndarray
    #: Extra dense inputs appended after the shared features (names), e.g. the prior's log-odds.
    extra: tuple[str, ...] = ()
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def binary(self) -> bool:
        return len(self.classes) == 2

    def decision(self, x: sp.csr_matrix, extra: np.ndarray | None = None) -> np.ndarray:
        import numpy as np

        z = np.asarray(x @ self.coef[:, :N_FEATURES].T)
        if self.extra:
            z = z + extra @ self.coef[:, N_FEATURES:].T
        return z + self.intercept

    def proba(self, x: sp.csr_matrix, extra: np.ndarray | None = None) -> np.ndarray:
        import numpy as np

        z = self.decision(x, extra)
        if self.binary:
            p = 1.0 / (1.0 + np.exp(-z[:, 0]))
            return np.column_stack([1 - p, p])
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    # Storage -------------------------------------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        import numpy as np
        import scipy.sparse as sp

        coef = sp.csr_matrix(self.coef.astype(np.float32))
        buf = io.BytesIO()
        np.savez_compressed(
            buf,
            classes=np.array(self.classes),
            extra=np.array(self.extra, dtype=str),
            shape=np.array(coef.shape),
            indptr=coef.indptr,
            indices=coef.indices,
            data=coef.data,
            intercept=self.intercept.astype(np.float64),
        )
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, blob: bytes, info: dict[str, Any] | None = None) -> LinearModel:
        import numpy as np
        import scipy.sparse as sp

        with np.load(io.BytesIO(blob), allow_pickle=False) as z:
            coef = sp.csr_matrix((z["data"], z["indices"], z["indptr"]), shape=tuple(z["shape"]))
            return cls(
                classes=tuple(str(c) for c in z["classes"]),
                coef=coef.toarray().astype(np.float64),
                intercept=z["intercept"],
                extra=tuple(str(e) for e in z["extra"]),
                info=dict(info or {}),
            )

    def save(self, path: Path) -> None:
        path.write_bytes(self.to_bytes())

    @classmethod
    def load(cls, path: Path) -> LinearModel:
        return cls.from_bytes(path.read_bytes())


def _results(
    task: str,
    batch: DocBatch,
    probs: np.ndarray,
    classes: Sequence[str],
    model_id: str,
    explanations: list[list[Contribution]] | None,
) -> list[Result]:
    order = [classes.index(label) for label in LABELS[task]]
    out: list[Result] = []
    for i, doc in enumerate(batch.docs):
        if doc.skip:
            out.append(NotScored(doc.skip))
            continue
        p = {label: float(probs[i, j]) for label, j in zip(LABELS[task], order, strict=True)}
        if task in POSITIVE:
            label = POSITIVE[task] if p[POSITIVE[task]] >= 0.5 else LABELS[task][0]
            value = p[POSITIVE[task]]
        else:
            label = max(p, key=p.__getitem__)
            value = p[label]
        out.append(Score(label, value, p, model_id, explanations[i] if explanations else []))
    return out


class LinearBackend:
    def __init__(self, task: str, model: LinearModel, model_id: str):
        self.task = task
        self.model = model
        self.model_id = model_id

    def score(self, batch: DocBatch, *, explain: bool = False) -> list[Result]:
        if not len(batch):
            return []
        probs = self.model.proba(batch.features)
        explanations = None
        if explain:
            explanations = [self._explain(batch, i) for i in range(len(batch))]
        return _results(self.task, batch, probs, self.model.classes, self.model_id, explanations)

    def _explain(self, batch: DocBatch, i: int) -> list[Contribution]:
        if batch.docs[i].skip:
            return []
        coef = self.model.coef[-1] if self.model.binary else self._label_coef(batch, i)
        return explain_terms(batch.docs[i], batch.features[i], coef)

    def _label_coef(self, batch: DocBatch, i: int) -> np.ndarray:
        p = self.model.proba(batch.features[i])
        return self.model.coef[int(p.argmax())]


def prior_logits(prior: Backend, batch: DocBatch) -> np.ndarray:
    """The prior's log-odds (binary) or log-probabilities (multi-class), one row per document."""
    import numpy as np

    task = prior.task
    labels = LABELS[task]
    rows = []
    for result in prior.score(batch):
        if isinstance(result, Score):
            p = np.clip([result.probs.get(label, 0.0) for label in labels], 1e-6, 1 - 1e-6)
        else:
            p = np.full(len(labels), 1 / len(labels))
        if task in POSITIVE:
            q = p[labels.index(POSITIVE[task])]
            rows.append([np.log(q / (1 - q))])
        else:
            rows.append(list(np.log(p)))
    return np.array(rows, dtype=np.float64).reshape(len(batch), -1)


class StackedBackend:
    """A workspace model: shared features plus the prior's opinion, learned from the workspace's labels."""

    def __init__(self, task: str, prior: Backend, model: LinearModel, model_id: str):
        self.task = task
        self.prior = prior
        self.model = model
        self.model_id = model_id

    def score(self, batch: DocBatch, *, explain: bool = False) -> list[Result]:
        import numpy as np

        if not len(batch):
            return []
        extra = prior_logits(self.prior, batch)
        probs = self.model.proba(batch.features, extra)
        explanations: list[list[Contribution]] | None = None
        if explain:
            explanations = []
            for i, doc in enumerate(batch.docs):
                if doc.skip:
                    explanations.append([])
                    continue
                row = int(np.argmax(probs[i])) if not self.model.binary else 0  # the class whose weights tell the story
                coef = self.model.coef[row]
                terms = explain_terms(doc, batch.features[i], coef)
                prior_push = float(extra[i] @ coef[N_FEATURES:])
                terms.append(Contribution("[prior]", prior_push))
                terms.sort(key=lambda c: -abs(c.weight))
                explanations.append(terms[:8])
        return _results(self.task, batch, probs, self.model.classes, self.model_id, explanations)
