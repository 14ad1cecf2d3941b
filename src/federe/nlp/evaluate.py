"""``federe nlp evaluate``: the shipped models measured on public benchmarks, beside published or baseline figures.

Every protocol is fixed and seeded, so two runs on two machines print the same table.

scikit-learn's metrics are imported by the functions that use them: ``federe nlp --help`` and ``federe nlp score``
load this module too, and need not pay scikit-learn's import.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from federe.nlp import datasets
from federe.nlp.backends import shipped
from federe.nlp.base import Backend, DocBatch
from federe.nlp.learning import learning_curve, predict
from federe.nlp.linear import LinearBackend
from federe.nlp.text import prepare
from federe.nlp.training import SHIPPED_C, batch_of, fit, group_weights

LEARNING_STEPS = (50, 100, 200, 500)


@dataclass
class Row:
    task: str
    dataset: str
    split: str
    metric: str
    score: float | None
    reference: str = ""


def _batch(examples: Sequence[datasets.Example]) -> DocBatch:
    return batch_of([ex.text for ex in examples])


def _train(task: str, examples: Sequence[datasets.Example]) -> LinearBackend:
    model = fit(
        task,
        batch_of([ex.text for ex in examples]),
        [ex.label for ex in examples],
        c=SHIPPED_C[task],
        **group_weights(examples),
    )
    return LinearBackend(task, model, f"eval:{task}")


def _majority(examples: Sequence[datasets.Example]) -> tuple[float, float]:
    from sklearn.metrics import f1_score

    labels = [ex.label for ex in examples]
    top = max(set(labels), key=labels.count)
    return f1_score(labels, [top] * len(labels), average="macro"), labels.count(top) / len(labels)


def language_rows() -> list[Row]:
    """Language on short, noisy social text whose language is known from its source."""
    rows: list[Row] = []
    backend = shipped("language")
    sets = {
        "MLMA French tweets": ([ex.text for ex in datasets.mlma("fr")], "fr"),
        "MLMA English tweets": ([ex.text for ex in datasets.mlma("en")], "en"),
        "SMS Spam Collection (English)": ([ex.text for ex in datasets.sms()], "en"),
        "HateCheck FR": ([ex.text for ex in datasets.hatecheck_fr()], "fr"),
    }
    for name, (texts, truth) in sets.items():
        pred = predict(backend, DocBatch([prepare(t) for t in texts]))
        rows.append(Row("language", name, f"all {len(texts):,}", "accuracy", sum(p == truth for p in pred) / len(pred)))
        rows.append(Row("language", name, f"all {len(texts):,}", "said 'other'", pred.count("other") / len(pred)))
    return rows


def spam_rows() -> list[Row]:
    from sklearn.metrics import accuracy_score, f1_score, matthews_corrcoef

    rows: list[Row] = []
    videos = {v: datasets.youtube(v) for v in datasets.YOUTUBE_VIDEOS}
    sms = datasets.sms()
    for with_sms in (False, True):
        scores = []
        for held in datasets.YOUTUBE_VIDEOS:
            train = [ex for v, exs in videos.items() if v != held for ex in exs] + (sms if with_sms else [])
            backend = _train("spam", train)
            truth = [ex.label for ex in videos[held]]
            pred = predict(backend, _batch(videos[held]))
            scores.append(f1_score(truth, pred, pos_label="spam"))
            if not with_sms:
                rows.append(
                    Row("spam", f"YouTube {held}", "unseen video (trained on the other 3)", "F1 spam", scores[-1])
                )
        label = "mean, trained on the other 3 videos" + (" + SMS (the shipped recipe)" if with_sms else "")
        rows.append(
            Row(
                "spam",
                "YouTube, leave one video out",
                label,
                "F1 spam",
                sum(scores) / len(scores),
                "TF-IDF + logistic regression baseline: 0.93",
            )
        )
    train, test = datasets.sms_published_split()
    backend = _train("spam", train)
    truth = [ex.label for ex in test]
    pred = predict(backend, _batch(test))
    spam_total = truth.count("spam")
    ham_total = truth.count("ham")
    caught = sum(t == p == "spam" for t, p in zip(truth, pred, strict=True)) / spam_total
    blocked = sum(t == "ham" and p == "spam" for t, p in zip(truth, pred, strict=True)) / ham_total
    split = "first 30% trains, last 70% tests (published protocol)"
    rows += [
        Row(
            "spam",
            "SMS Spam Collection",
            split,
            "accuracy",
            accuracy_score(truth, pred),
            "Almeida et al. 2011, best (SVM): 0.9764",
        ),
        Row("spam", "SMS Spam Collection", split, "MCC", matthews_corrcoef(truth, pred), "SVM: 0.893"),
        Row("spam", "SMS Spam Collection", split, "spam caught", caught, "SVM: 0.831"),
        Row("spam", "SMS Spam Collection", split, "ham blocked", blocked, "SVM: 0.0018"),
    ]
    return rows


def toxicity_rows() -> list[Row]:
    from sklearn.metrics import accuracy_score, f1_score

    rows: list[Row] = []
    backend = shipped("toxicity")
    split = f"test 20%, stratified, seed {datasets.SEED}"
    for name, examples in (
        ("MLMA French", datasets.mlma("fr")),
        ("MLMA English", datasets.mlma("en")),
        ("Davidson et al. (English)", datasets.davidson()),
    ):
        _, test = datasets.split(examples)
        truth = [ex.label for ex in test]
        pred = predict(backend, _batch(test))
        major_f1, major_acc = _majority(test)
        rows.append(
            Row(
                "toxicity",
                name,
                split,
                "macro-F1",
                f1_score(truth, pred, average="macro"),
                f"majority class: {major_f1:.3f}",
            )
        )
        rows.append(
            Row("toxicity", name, split, "accuracy", accuracy_score(truth, pred), f"majority class: {major_acc:.3f}")
        )
    return rows + _hatecheck_rows(backend)


def _hatecheck_rows(backend: Backend) -> list[Row]:
    """HateCheck FR, never trained on: overall, then per functionality."""
    from sklearn.metrics import accuracy_score, f1_score

    rows: list[Row] = []
    cases = datasets.hatecheck_fr()
    truth = [ex.label for ex in cases]
    pred = predict(backend, _batch(cases))
    major_f1, major_acc = _majority(cases)
    rows.append(
        Row(
            "toxicity",
            "HateCheck FR",
            "all 3,718 cases (never trained on)",
            "macro-F1",
            f1_score(truth, pred, average="macro"),
            f"majority class: {major_f1:.3f}",
        )
    )
    rows.append(
        Row(
            "toxicity",
            "HateCheck FR",
            "all cases",
            "accuracy",
            accuracy_score(truth, pred),
            f"majority class: {major_acc:.3f}; Perspective on a French benchmark: 0.70",
        )
    )
    per: dict[str, list[bool]] = defaultdict(list)
    for ex, p in zip(cases, pred, strict=True):
        per[ex.group].append(ex.label == p)
    for functionality in sorted(per):
        hits = per[functionality]
        rows.append(
            Row("toxicity", "HateCheck FR", f"{functionality} ({len(hits)})", "accuracy", sum(hits) / len(hits))
        )
    return rows


def _seeded(examples: Sequence[datasets.Example]) -> list[tuple[str, str]]:
    items = [(ex.text, ex.label) for ex in examples]
    random.Random(datasets.SEED).shuffle(items)
    return items


def curve_rows() -> list[Row]:
    """From a prior that never saw the domain, feed 50…500 labels of it and score its held-out part."""
    rows: list[Row] = []
    youtube_only = _train("spam", [ex for v in datasets.YOUTUBE_VIDEOS for ex in datasets.youtube(v)])
    pool, test = datasets.split(datasets.sms())
    for step in learning_curve("spam", youtube_only, _seeded(pool), [(e.text, e.label) for e in test], LEARNING_STEPS):
        rows.append(Row("learning", "spam: YouTube prior → SMS", f"{step['labels']} labels", "F1 spam", step["f1"]))
    english = []
    for examples in (datasets.mlma("en"), datasets.davidson()):
        english += datasets.split(examples)[0]
    english_prior = _train("toxicity", english)
    pool, test = datasets.split(datasets.mlma("fr"))
    for step in learning_curve(
        "toxicity", english_prior, _seeded(pool), [(e.text, e.label) for e in test], LEARNING_STEPS
    ):
        rows.append(
            Row("learning", "toxicity: English prior → MLMA French", f"{step['labels']} labels", "F1 toxic", step["f1"])
        )
    return rows


def umsab_rows(folder: Path) -> list[Row]:
    """Research-only UMSAB sentiment (local evaluation only; never committed, never used to train)."""
    from sklearn.metrics import accuracy_score, f1_score

    rows: list[Row] = []
    names = ("negative", "neutral", "positive")
    backend = shipped("sentiment")
    for lang in ("french", "english"):
        base = folder / lang
        if not (base / "test_text.txt").exists():
            continue
        texts = (base / "test_text.txt").read_text(encoding="utf-8").splitlines()
        truth = [names[int(x)] for x in (base / "test_labels.txt").read_text().split()]
        pred = predict(backend, DocBatch([prepare(t) for t in texts]))
        published = {"french": "FastText 0.548, XLM-R 0.720", "english": "FastText 0.509, XLM-R 0.682"}[lang]
        rows.append(
            Row(
                "sentiment",
                f"UMSAB {lang} (local, research-only)",
                "test",
                "macro-F1",
                f1_score(truth, pred, average="macro"),
                published,
            )
        )
        rows.append(
            Row("sentiment", f"UMSAB {lang} (local, research-only)", "test", "accuracy", accuracy_score(truth, pred))
        )
        pool_texts = (base / "train_text.txt").read_text(encoding="utf-8").splitlines()
        pool_labels = [names[int(x)] for x in (base / "train_labels.txt").read_text().split()]
        pool = list(zip(pool_texts, pool_labels, strict=True))
        random.Random(datasets.SEED).shuffle(pool)
        for step in learning_curve("sentiment", backend, pool, list(zip(texts, truth, strict=True)), LEARNING_STEPS):
            rows.append(
                Row(
                    "learning",
                    f"sentiment: lexicon prior → UMSAB {lang}",
                    f"{step['labels']} labels",
                    "macro-F1",
                    step["f1"],
                )
            )
    return rows


SECTIONS: dict[str, Callable[[], list[Row]]] = {
    "language": language_rows,
    "spam": spam_rows,
    "toxicity": toxicity_rows,
    "learning": curve_rows,
}


def as_table(rows: Sequence[Row], markdown: bool = False) -> str:
    header = ("task", "dataset", "split", "metric", "score", "published or baseline")
    cells = [
        (r.task, r.dataset, r.split, r.metric, "—" if r.score is None else f"{r.score:.3f}", r.reference) for r in rows
    ]
    return grid(header, cells, markdown)


def grid(header: Sequence[str], cells: Sequence[Sequence[str]], markdown: bool = False) -> str:
    """A Markdown table, or columns aligned with spaces for a terminal."""
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(c) + " |" for c in cells]
        return "\n".join(lines)
    widths = [max(len(str(x)) for x in col) for col in zip(header, *cells, strict=True)]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    return "\n".join([fmt.format(*header), fmt.format(*("-" * w for w in widths))] + [fmt.format(*c) for c in cells])
