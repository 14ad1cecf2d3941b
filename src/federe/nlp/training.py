"""Fitting linear models: the shipped priors (from public data) and each workspace's own model.

``federe nlp train`` rebuilds the shipped models in ``nlp/data/models/`` from ``../shared/datasets``, and writes
their model cards beside them. The same :func:`fit` fits workspace models (``nlp.learning``).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from federe.nlp import datasets
from federe.nlp.base import LABELS, POSITIVE, DocBatch
from federe.nlp.linear import LinearModel
from federe.nlp.text import prepare

if TYPE_CHECKING:  # imported by fit, so that importing this module stays cheap (see nlp/features.py)
    import numpy as np

MODELS_DIR = Path(__file__).resolve().parent / "data" / "models"

#: Inverse regularisation strength of the shipped models, chosen by leave-one-video-out on YouTube (spam)
#: and on the MLMA training part (toxicity).
SHIPPED_C = {"spam": 10.0, "toxicity": 10.0}


def batch_of(texts: Sequence[str], meta: Sequence[dict[str, Any]] | None = None) -> DocBatch:
    return DocBatch([prepare(t, meta=(meta[i] if meta else None)) for i, t in enumerate(texts)])


def fit(
    task: str,
    batch: DocBatch,
    labels: Sequence[str],
    *,
    c: float,
    extra: np.ndarray | None = None,
    extra_names: Sequence[str] = (),
    balanced: bool = True,
    sample_weight: Sequence[float] | None = None,
) -> LinearModel:
    """Logistic regression over the shared features (plus optional dense extra columns)."""
    import numpy as np
    import scipy.sparse as sp
    from sklearn.linear_model import LogisticRegression

    x = batch.features
    if extra is not None:
        x = sp.hstack([x, sp.csr_matrix(extra)], format="csr")
    y = np.array(labels)
    present = sorted(set(labels))
    if len(present) < 2:
        raise ValueError("need at least two different labels to learn")
    clf = LogisticRegression(
        C=c,
        max_iter=3000,
        class_weight="balanced" if balanced else None,
    )
    # Only the columns some example uses can get a weight (L2 keeps the others at zero): fit on those alone,
    # which makes small workspace fits fast, then put the weights back in place.
    used = np.unique(x.indices)
    clf.fit(x[:, used], y, sample_weight=None if sample_weight is None else np.asarray(sample_weight))
    classes = tuple(str(c) for c in clf.classes_)
    coef = np.zeros((clf.coef_.shape[0], x.shape[1]), dtype=np.float32)
    coef[:, used] = clf.coef_
    intercept = np.asarray(clf.intercept_, dtype=np.float64)
    if task in POSITIVE and len(classes) == 2:
        # sklearn's single row is the log-odds of classes[1]; store it for the task's positive label.
        if classes[1] != POSITIVE[task]:
            coef, intercept = -coef, -intercept
        classes = tuple(LABELS[task])
    elif len(classes) < len(LABELS[task]):
        # A workspace that has labelled only some classes: the missing ones get a very low score.
        full_coef = np.zeros((len(LABELS[task]), coef.shape[1]), dtype=np.float32)
        full_intercept = np.full(len(LABELS[task]), -20.0)
        if len(classes) == 2:  # sklearn gave one row for two classes
            coef = np.vstack([-coef / 2, coef / 2])
            intercept = np.array([-intercept[0] / 2, intercept[0] / 2])
        for row, label in enumerate(classes):
            j = LABELS[task].index(label)
            full_coef[j] = coef[row]
            full_intercept[j] = intercept[row]
        coef, intercept, classes = full_coef, full_intercept, tuple(LABELS[task])
    return LinearModel(classes=classes, coef=coef, intercept=intercept, extra=tuple(extra_names))


def group_weights(data: Sequence[datasets.Example]) -> dict[str, Any]:
    """Weights that give every (source, label) pair the same total weight, so that a big English set does not
    drown a small French one, and both classes count equally."""
    counts = Counter((ex.group, ex.label) for ex in data)
    total = len(data) / len(counts)
    return {"balanced": False, "sample_weight": [total / counts[(ex.group, ex.label)] for ex in data]}


def shipped_training_data(task: str) -> tuple[list[datasets.Example], str]:
    """The examples a shipped model learns from, and a sentence for its card."""
    if task == "spam":
        data = [ex for video in datasets.YOUTUBE_VIDEOS for ex in datasets.youtube(video)] + datasets.sms()
        return data, "YouTube Spam Collection videos 1–4 and the SMS Spam Collection v.1, all examples"
    if task == "toxicity":
        data = []
        for lang in ("fr", "en"):
            train, _ = datasets.split(datasets.mlma(lang))
            data += train
        train, _ = datasets.split(datasets.davidson())
        data += train
        return data, (
            f"MLMA French and English and Davidson et al., the training part (80%) of a stratified split "
            f"seeded {datasets.SEED}; HateCheck FR is kept for evaluation"
        )
    raise ValueError(f"no shipped linear model for {task}")


LICENCES = {
    "spam": "CC BY 4.0 (both collections)",
    "toxicity": "MIT (MLMA and Davidson repositories); the tweets themselves are under Twitter's terms",
}


def train_shipped(task: str, out_dir: Path = MODELS_DIR) -> dict[str, Any]:
    data, description = shipped_training_data(task)
    batch = batch_of([ex.text for ex in data])
    model = fit(task, batch, [ex.label for ex in data], c=SHIPPED_C[task], **group_weights(data))
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save(out_dir / f"{task}.npz")
    card = {
        "task": task,
        "model": f"linear:{task}",
        "version": dt.date.today().isoformat(),
        "kind": "logistic regression over hashed word 1–2 grams, character 3–5 grams and message features",
        "training_data": description,
        "training_examples": len(data),
        "licence_of_training_data": LICENCES[task],
        "regularisation_C": SHIPPED_C[task],
        "weighting": "every (source, label) pair weighs the same in total",
        "scores": "see docs/models.md (federe nlp evaluate)",
    }
    (out_dir / f"{task}.json").write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return card
