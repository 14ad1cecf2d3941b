"""The deep tier's rows in ``federe nlp evaluate``: each head on every set it can read, with baselines beside.

Sets a head trained on are only measured by a protocol that holds them out (spam: leave one video out, the way
the two scores combine chosen on the other videos alone; MLMA: its test part). The rest are never trained on:
GoEmotions test, HateCheck FR, UMSAB.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

from federe.nlp import datasets
from federe.nlp.deep import heads
from federe.nlp.deep.train import choose_spam_combination, current, spam_out_of_fold, using, vectors
from federe.nlp.evaluate import Row

UMSAB_NAMES = ("negative", "neutral", "positive")
UMSAB_PUBLISHED = {
    "french": "FastText 0.548, XLM-R 0.720; goal 0.58",
    "english": "FastText 0.509, XLM-R 0.682; goal 0.63",
}


def _predict(task: str, texts: Sequence[str], language: str, *, own_centre: bool = False) -> list[str]:
    """The head's labels for texts all in one language; ``own_centre`` centres by the set's own mean, as a
    workspace that has seen these messages (unlabelled) would."""
    x = vectors(list(texts))
    centre = {language: x.mean(axis=0)} if own_centre else None
    scores = heads.score(x, [language] * len(texts), centre=centre, encoder=current().encoder)
    if task == "sentiment":
        return [s.sentiment for s in scores]
    return ["toxic" if (s.toxicity or 0) >= 0.5 else "ok" for s in scores]


def sentiment_rows() -> list[Row]:
    from sklearn.metrics import f1_score

    test = datasets.goemotions("test")
    pred = _predict("sentiment", [ex.text for ex in test], "en")
    return [
        Row(
            "sentiment",
            "GoEmotions groups (English Reddit)",
            "test",
            "macro-F1",
            f1_score([ex.label for ex in test], pred, average="macro"),
            "deep:sentiment, trained on its train split",
        ),
    ]


MLMA_TEST = f"test 20%, stratified, seed {datasets.SEED} (never trained on)"


def toxicity_rows() -> list[Row]:
    from sklearn.metrics import accuracy_score, f1_score

    rows = []
    for name, examples, split, language in (
        ("HateCheck FR", datasets.hatecheck_fr(), "all 3,718 (never trained on)", "fr"),
        ("MLMA French", datasets.split(datasets.mlma("fr"))[1], MLMA_TEST, "fr"),
        ("MLMA English", datasets.split(datasets.mlma("en"))[1], MLMA_TEST, "en"),
    ):
        truth = [ex.label for ex in examples]
        for own in (False, True):
            pred = _predict("toxicity", [ex.text for ex in examples], language, own_centre=own)
            where = split + (", centred by its own mean" if own else "")
            rows.append(
                Row(
                    "toxicity",
                    f"deep: {name}",
                    where,
                    "accuracy",
                    accuracy_score(truth, pred),
                    "goal 0.70; majority class 0.699" if name == "HateCheck FR" else "",
                )
            )
            rows.append(Row("toxicity", f"deep: {name}", where, "macro-F1", f1_score(truth, pred, average="macro")))
    return rows


def spam_rows() -> list[Row]:
    """Leave one video out. For each held-out video, the combination's weight and threshold are chosen on
    leave-one-video-out predictions over the other three videos alone (models trained on two videos and SMS),
    then applied to the held-out video's log-odds from models trained on the other three and SMS."""
    import numpy as np
    from sklearn.metrics import f1_score

    head_z, ngram_z, labels, videos = spam_out_of_fold()
    y = np.array(labels)
    v = np.array(videos)
    scores: dict[str, list[float]] = {"n-gram model alone": [], "encoder head alone": [], "combined": []}
    for video in datasets.YOUTUBE_VIDEOS:
        held = v == video
        w, t = choose_spam_combination(*spam_out_of_fold([u for u in datasets.YOUTUBE_VIDEOS if u != video]))
        combined = ngram_z[held] + w * head_z[held] > t
        scores["combined"].append(f1_score(y[held], np.where(combined, "spam", "ham"), pos_label="spam"))
        scores["n-gram model alone"].append(
            f1_score(y[held], np.where(ngram_z[held] > 0, "spam", "ham"), pos_label="spam")
        )
        scores["encoder head alone"].append(
            f1_score(y[held], np.where(head_z[held] > 0, "spam", "ham"), pos_label="spam")
        )
    return [
        Row(
            "spam",
            f"deep: YouTube, leave one video out ({name})",
            "mean of 4 unseen videos, trained with SMS",
            "F1 spam",
            sum(s) / len(s),
            "goal 0.955; TF-IDF baseline 0.93" if name == "combined" else "",
        )
        for name, s in scores.items()
    ]


def _named(found: list[Row], name: str | None) -> list[Row]:
    """Rows of another encoder than the default say which (``deep e5: ...``)."""
    if not name or name == "use":
        return found
    return [dataclasses.replace(r, dataset=f"deep {name}: {r.dataset.removeprefix('deep: ')}") for r in found]


def rows(name: str | None = None) -> list[Row]:
    """Every part, with that encoder's heads (its training subsample held out as each part's training was)."""
    out: list[Row] = []
    for task, part in (("sentiment", sentiment_rows), ("toxicity", toxicity_rows), ("spam", spam_rows)):
        with using(name, task):
            out += part()
    return _named(out, name)


def umsab_rows(folder: Path, name: str | None = None) -> list[Row]:
    """UMSAB test (research-only: read where it lies, never trained on, never committed)."""
    with using(name, "sentiment"):
        return _named(_umsab_rows(folder), name)


def _umsab_rows(folder: Path) -> list[Row]:
    from sklearn.metrics import accuracy_score, f1_score

    out = []
    for lang, code in (("french", "fr"), ("english", "en")):
        base = folder / lang
        if not (base / "test_text.txt").exists():
            continue
        texts = (base / "test_text.txt").read_text(encoding="utf-8").splitlines()
        truth = [UMSAB_NAMES[int(x)] for x in (base / "test_labels.txt").read_text().split()]
        texts = texts[: len(truth)]
        for own in (False, True):
            pred = _predict("sentiment", texts, code, own_centre=own)
            split = "test" + (", centred by its own mean (a workspace that saw these texts)" if own else "")
            out.append(
                Row(
                    "sentiment",
                    f"deep: UMSAB {lang} (local, research-only)",
                    split,
                    "macro-F1",
                    f1_score(truth, pred, average="macro"),
                    UMSAB_PUBLISHED[lang] if not own else "",
                )
            )
            out.append(
                Row(
                    "sentiment",
                    f"deep: UMSAB {lang} (local, research-only)",
                    split,
                    "accuracy",
                    accuracy_score(truth, pred),
                )
            )
    return out
