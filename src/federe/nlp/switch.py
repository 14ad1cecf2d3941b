"""The check before a workspace's model is switched on, and what the models page says of it.

Stratified k-fold cross-validation on the workspace's own labels scores the candidate (fitted on the other folds)
and the current model (the switched-on version, or the shipped model) on identical folds; the candidate wins only
by MARGIN or more. ``nlp.learning`` trains and stores; this module judges and words the judgement.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from federe.nlp.base import LABELS, POSITIVE
from federe.nlp.models import WorkspaceModel

#: The check before a version is switched on: stratified k-fold cross-validation on the workspace's labels.
FOLDS = 5
CV_SEED = 20261207
#: A candidate is switched on only when its mean F1 over the folds is at least this much above the current model's.
MARGIN = 0.01


def figures(task: str, truth: Sequence[str], predicted: Sequence[str]) -> dict[str, float]:
    """F1 of the positive class for spam and toxicity, macro-F1 for sentiment, and accuracy."""
    from sklearn.metrics import accuracy_score, f1_score

    if task in POSITIVE:
        f1 = f1_score(truth, predicted, pos_label=POSITIVE[task], average="binary", zero_division=0)
    else:
        f1 = f1_score(truth, predicted, labels=list(LABELS[task]), average="macro", zero_division=0)
    return {"f1": round(float(f1), 4), "accuracy": round(float(accuracy_score(truth, predicted)), 4)}


def cross_validate(
    task: str,
    values: Sequence[str],
    fit_predict: Callable[[Sequence[int], Sequence[int]], list[str]],
    current: Sequence[str],
) -> dict[str, Any] | None:
    """Stratified k-fold (seeded; k = FOLDS, or fewer when a kind has fewer labels: leave-few-out): the candidate
    is fitted on the other folds and scored on each fold; the current model's predictions are scored on the same
    folds. ``None`` when a kind has fewer than two labels."""
    from collections import Counter

    import numpy as np
    from sklearn.model_selection import StratifiedKFold

    counts = Counter(values)
    folds = min(FOLDS, min(counts.values()))
    if len(counts) < 2 or folds < 2:
        return None
    y = np.asarray(values)
    mine, theirs = [], []
    for train_idx, test_idx in StratifiedKFold(folds, shuffle=True, random_state=CV_SEED).split(y, y):
        truth = list(y[test_idx])
        mine.append(figures(task, truth, fit_predict(list(train_idx), list(test_idx)))["f1"])
        theirs.append(figures(task, truth, [current[i] for i in test_idx])["f1"])
    return {
        "folds": folds,
        "labels": len(values),
        "candidate": round(float(np.mean(mine)), 4),
        "current": round(float(np.mean(theirs)), 4),
        "candidate_folds": mine,
        "current_folds": theirs,
    }


def wins(check: dict[str, Any] | None) -> bool:
    """The candidate is switched on only when its mean F1 over the folds beats the current model's by MARGIN."""
    return check is not None and check["candidate"] >= check["current"] + MARGIN


def metrics(kind: str, labels: int, check: dict[str, Any] | None, current: str) -> dict[str, Any]:
    metrics: dict[str, Any] = {"labels": labels, "kind": kind, "current_model": current, "margin": MARGIN}
    if check is None:
        metrics["note"] = "too few labels of each kind to check it on parts it had not seen; kept off"
        return metrics
    metrics.update(
        check=check,
        split=f"stratified {check['folds']}-fold cross-validation, seed {CV_SEED}",
        heldout=labels,
        prior={"f1": check["current"]},
        model={"f1": check["candidate"]},
    )
    return metrics


def comparison(row: WorkspaceModel) -> str:
    """The check of a version, in plain words (the models page)."""
    m = row.metrics or {}
    check = m.get("check")
    if not check:
        if "model" in m:  # a version from before the cross-validated check: held-out figures
            return _("Held out %(n)s: the new model got %(new)s against %(old)s for the shipped one.") % {
                "n": ngettext("%(n)d label", "%(n)d labels", m.get("heldout", 0)) % {"n": m.get("heldout", 0)},
                "new": number_format(m["model"]["f1"], 2),
                "old": number_format(m["prior"]["f1"], 2),
            }
        return _("Too few labels of each kind to check it on parts it had not seen: the current model stays.")
    n, k = check["labels"], check["folds"]
    if row.task == "sentiment":
        labels = ngettext("your %(n)d tone correction", "your %(n)d tone corrections", n) % {"n": n}
    else:
        labels = ngettext("your %(n)d moderation decision", "your %(n)d moderation decisions", n) % {"n": n}
    values = {
        "labels": labels,
        "rounds": ngettext("in %(k)d round", "in %(k)d rounds", k) % {"k": k},
        "new": number_format(check["candidate"], 2),
        "old": number_format(check["current"], 2),
    }
    if m.get("switched_on", row.active):
        return (
            _(
                "Checked on %(labels)s %(rounds)s, each on a part it had not seen: the new model got %(new)s, "
                "the current one %(old)s, so it is switched on."
            )
            % values
        )
    return (
        _(
            "Checked on %(labels)s %(rounds)s, each on a part it had not seen: the new model got %(new)s, "
            "the current one %(old)s: the current model stays."
        )
        % values
    )
