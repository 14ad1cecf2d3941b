"""``federe nlp evaluate --only workspace [--umsab DIR]``: the workspace scenario of the deep tier's adaptation.

Toxicity (redistributable, always): a workspace of MLMA French tweets, its corrections drawn from MLMA French's
training part (seeded), the rest of that part unlabelled, measured on MLMA French's test part (the fast tier's
split). The shipped toxicity head was trained on that training part too, so this measures what the workspace's own
head adds to a prior that already saw those tweets: a lower bound of the gain.

Sentiment (research-only, with ``--umsab``):

A workspace that has seen UMSAB's train texts unlabelled (its centre per language is their mean; its unlabelled
sample is the train texts not labelled, at most ``adapt.UNLABELLED_SAMPLE``) and has n corrections drawn from UMSAB
train (seeded): its head is learned by the same code as ``learning.train`` (``adapt.features``, ``self_trained``)
and measured on UMSAB test, which nothing here learns from or chooses anything on. Research-only data: read where it
lies, never committed, nothing trained on it is kept.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path

from federe.nlp import datasets
from federe.nlp.evaluate import Row
from federe.nlp.refine import adapt
from federe.nlp.text import prepare

NAMES = ("negative", "neutral", "positive")
STEPS = (50, 100, 200, 500)
#: The scenario the issue names: 200 corrections.
CHECKED = 200


def _read(base: Path, split: str, language: str):
    texts = (base / f"{split}_text.txt").read_text(encoding="utf-8").splitlines()
    labels = [NAMES[int(x)] for x in (base / f"{split}_labels.txt").read_text().split()]
    return [prepare(t, language=language) for t in texts[: len(labels)]], labels


def _f1(truth: Sequence[str], predicted: Sequence[str]) -> tuple[float, float]:
    from sklearn.metrics import accuracy_score, f1_score

    return f1_score(truth, predicted, average="macro"), accuracy_score(truth, predicted)


def umsab_rows(folder: Path, encoder: str | None = None) -> list[Row]:
    from federe.nlp import learning
    from federe.nlp.backends import shipped
    from federe.nlp.base import DocBatch
    from federe.nlp.deep import setup
    from federe.nlp.deep.train import vectors

    rows: list[Row] = []
    for language, code in (("french", "fr"), ("english", "en")):
        base = folder / language
        if not (base / "test_text.txt").exists():
            continue
        train_docs, train_y = _read(base, "train", code)
        test_docs, test_y = _read(base, "test", code)
        with setup.using(encoder) as chosen:
            train_x = vectors([d.text for d in train_docs])
            test_x = vectors([d.text for d in test_docs])
        name = chosen.encoder
        centres = {code: train_x.mean(axis=0)}
        x = adapt.features("sentiment", train_x, train_docs, centres, name)
        x_test = adapt.features("sentiment", test_x, test_docs, centres, name)
        order = list(range(len(train_y)))
        random.Random(datasets.SEED).shuffle(order)
        dataset = f"workspace ({name}): UMSAB {language} (local, research-only)"
        lexicon = learning.predict(shipped("sentiment"), DocBatch(test_docs))
        f1, acc = _f1(test_y, lexicon)
        rows.append(Row("learning", dataset, "test, 0 labels: the shipped model (lexicon)", "macro-F1", f1))
        for n in STEPS:
            labelled = order[:n]
            unlabelled = order[n:][: adapt.UNLABELLED_SAMPLE]
            y = [train_y[i] for i in labelled]
            alone = adapt.fit("sentiment", x[labelled], y)
            model, used = adapt.self_trained("sentiment", x[labelled], y, x[unlabelled])
            for label, m in ((f"self-trained ({used} pseudo-labels)", model), ("labels only", alone)):
                f1, acc = _f1(test_y, m.predict(x_test))
                split = f"test, {n} corrections from train + train unlabelled, {label}"
                rows.append(Row("learning", dataset, split, "macro-F1", f1, "goal 0.61" if n == CHECKED else ""))
                rows.append(Row("learning", dataset, split, "accuracy", acc))
            if n == CHECKED:
                rows += _check_rows(dataset, n, x[labelled], y, x[unlabelled], [train_docs[i] for i in labelled])
    return rows


def toxicity_rows() -> list[Row]:
    from sklearn.metrics import f1_score

    from federe.nlp.deep import heads
    from federe.nlp.deep.train import vectors

    pool, test = datasets.split(datasets.mlma("fr"))
    pool_docs = [prepare(ex.text, language="fr") for ex in pool]
    test_docs = [prepare(ex.text, language="fr") for ex in test]
    pool_x = vectors([d.text for d in pool_docs])
    test_v = vectors([d.text for d in test_docs])
    centres = {"fr": pool_x.mean(axis=0)}
    x = adapt.features("toxicity", pool_x, pool_docs, centres)
    x_test = adapt.features("toxicity", test_v, test_docs, centres)
    truth = [ex.label for ex in test]
    order = list(range(len(pool)))
    random.Random(datasets.SEED).shuffle(order)
    dataset = "workspace: MLMA French (deep toxicity head as prior)"

    def said(predicted: Sequence[str]) -> tuple[float, float]:
        return (
            f1_score(truth, predicted, pos_label="toxic", average="binary"),
            f1_score(truth, predicted, average="macro"),
        )

    head = [
        "toxic" if (s.toxicity or 0) >= 0.5 else "ok" for s in heads.score(test_v, ["fr"] * len(test), centre=centres)
    ]
    rows = []
    f1, macro = said(head)
    rows.append(
        Row("learning", dataset, "test 20%, 0 labels: the shipped head, centred by the workspace", "F1 toxic", f1)
    )
    rows.append(
        Row("learning", dataset, "test 20%, 0 labels: the shipped head, centred by the workspace", "macro-F1", macro)
    )
    for n in STEPS:
        labelled = order[:n]
        y = [pool[i].label for i in labelled]
        model, used = adapt.self_trained("toxicity", x[labelled], y, x[order[n:][: adapt.UNLABELLED_SAMPLE]])
        alone = adapt.fit("toxicity", x[labelled], y)
        for label, m in ((f"self-trained ({used} pseudo-labels)", model), ("labels only", alone)):
            f1, macro = said(m.predict(x_test))
            split = f"test 20%, {n} corrections from the training part + the rest of it unlabelled, {label}"
            rows.append(Row("learning", dataset, split, "F1 toxic", f1))
            rows.append(Row("learning", dataset, split, "macro-F1", macro))
    return rows


def _check_rows(dataset: str, n: int, x, y: list[str], x_unlabelled, docs) -> list[Row]:
    """The switch's check on the n corrections themselves (what the models page would say): the candidate against
    the current model, the shipped lexicon, on identical folds."""
    from federe.nlp import learning, switch
    from federe.nlp.backends import shipped
    from federe.nlp.base import DocBatch

    current = learning.predict(shipped("sentiment"), DocBatch(docs))

    def fit_predict(train_idx: Sequence[int], test_idx: Sequence[int]) -> list[str]:
        model, _ = adapt.self_trained("sentiment", x[list(train_idx)], [y[i] for i in train_idx], x_unlabelled)
        return model.predict(x[list(test_idx)])

    check = switch.cross_validate("sentiment", y, fit_predict, current)
    if check is None:
        return []
    split = f"{check['folds']}-fold check on the {n} corrections (the switch)"
    verdict = "switched on" if switch.wins(check) else "the current model stays"
    return [
        Row("learning", dataset, split, "macro-F1, current model (lexicon)", check["current"]),
        Row("learning", dataset, split, "macro-F1, new model", check["candidate"], verdict),
    ]
