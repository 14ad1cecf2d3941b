"""Training the shipped heads (``federe nlp train-deep``): seeded, from redistributable data only.

Encodings of the training sets are cached under ``var/deep-cache`` (never committed) so that retraining a head
does not re-encode 80,000 texts. Each head is written as ``<task>.npz`` with its model card ``<task>.json``
beside it, in the encoder's heads folder (``heads.heads_dir``).

The same recipes train every encoder's heads: :func:`using` chooses the encoder (and, for a slow one, a seeded
stratified subsample of each training source, :data:`SUBSAMPLE`) for the code run inside it, ``federe nlp
train-deep --encoder e5`` and ``federe nlp evaluate --only deep --encoder e5`` alike.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from federe.nlp import datasets
from federe.nlp.deep import encoder
from federe.nlp.deep.heads import HEAD_TASKS, Head, heads_dir
from federe.nlp.deep.setup import CACHE_DIR, SEED, SUBSAMPLE, current, pooled_vectors, subsample, using, vectors

# The recipes' setup and cached encodings, also for evaluate.py.
__all__ = ["CACHE_DIR", "SEED", "SUBSAMPLE", "current", "pooled_vectors", "subsample", "using", "vectors"]

if TYPE_CHECKING:
    import numpy as np


def language_means(groups: dict[str, Sequence[str]]) -> dict[str, np.ndarray]:
    """The mean vector per language of the texts given for it."""
    return {lang: vectors(texts).mean(axis=0) for lang, texts in groups.items()}


def fit_head(
    x: np.ndarray, labels: Sequence[str], classes: tuple[str, ...], *, c: float, weights: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Logistic regression (multinomial for 3 classes); returns (coef rows per class or one row, intercept)."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(C=c, max_iter=2000, class_weight=None if weights is not None else "balanced")
    clf.fit(x, np.array(labels), sample_weight=weights)
    fitted = tuple(str(k) for k in clf.classes_)
    if len(classes) == 2:
        coef, intercept = clf.coef_.astype(np.float32), clf.intercept_.astype(np.float64)
        if fitted[1] != classes[1]:
            coef, intercept = -coef, -intercept
        return coef, intercept
    order = [fitted.index(k) for k in classes]
    return clf.coef_[order].astype(np.float32), clf.intercept_[order].astype(np.float64)


def balanced_weights(groups: Sequence[str], labels: Sequence[str]) -> np.ndarray:
    """Every (source, label) pair weighs the same in total."""
    from collections import Counter

    import numpy as np

    counts = Counter(zip(groups, labels, strict=True))
    total = len(labels) / len(counts)
    return np.array([total / counts[(g, y)] for g, y in zip(groups, labels, strict=True)])


#: Whether a head's score replaces the fast tier's in ``federe nlp score`` (and for the background deep tier):
#: only where it measured better (docs/models.md). The sentiment head scores below the lexicon on UMSAB and on our
#: functional suite, so the lexicon stays the tone model.
REPLACES_FAST_TIER = {"sentiment": False, "toxicity": True, "spam": True}


def write(task: str, head: Head, card: dict[str, Any], out_dir: Path | None = None) -> None:
    """The head and its card, in the current encoder's heads folder (an existing card's measured ``speed`` kept)."""
    name = current().encoder
    out_dir = out_dir or heads_dir(name)
    out_dir.mkdir(parents=True, exist_ok=True)
    head.save(out_dir / f"{task}.npz")
    card = {**card, "replaces_fast_tier": REPLACES_FAST_TIER[task]}
    sizes = SUBSAMPLE.get(name)
    if sizes:
        card["subsample"] = (
            f"at most {sizes[task]:,} examples per source, stratified by label, seeded ({SEED}); "
            "training_examples counts those kept"
        )
    old = out_dir / f"{task}.json"
    speed = json.loads(old.read_text(encoding="utf-8")).get("speed") if old.exists() else None
    card = {
        "task": task,
        "model": f"deep:{task}" if name == encoder.DEFAULT else f"deep-{name}:{task}",
        "encoder": encoder.version(name),
        "version": dt.date.today().isoformat(),
        **card,
        **({"speed": speed} if speed else {}),
    }
    (out_dir / f"{task}.json").write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


# The heads -----------------------------------------------------------------------------------------------------
#: Inverse regularisation per head, chosen on held-out data named in each card (never on a test split).
C = {"sentiment": 0.3, "toxicity": 0.3, "spam": 1.0}


def _examples_matrix(
    examples: Sequence[datasets.Example], language_of: dict[str, str], pool: Sequence[str] | None = None
):
    """Vectors centred by their language's training mean, labels, groups, and those means (vectors taken from
    ``pool``'s encoding when given)."""
    texts = [ex.text for ex in examples]
    x = pooled_vectors(pool, texts) if pool is not None else vectors(texts)
    langs = [language_of[ex.group] for ex in examples]
    means = {}
    for lang in sorted(set(langs)):
        rows = [i for i, v in enumerate(langs) if v == lang]
        means[lang] = x[rows].mean(axis=0)
        x[rows] -= means[lang]
    return x, [ex.label for ex in examples], [ex.group for ex in examples], means


def train_sentiment() -> dict[str, Any]:
    data = subsample(datasets.goemotions("train"))
    x, y, _, means = _examples_matrix(data, {"goemotions": "en"})
    coef, intercept = fit_head(x, y, ("negative", "neutral", "positive"), c=C["sentiment"])
    # No redistributable French sentiment text: the French default centre is the mean of MLMA's French tweets
    # (MIT), a reference for "French social media"; a workspace's own French mean replaces it.
    means["fr"] = vectors([ex.text for ex in subsample(datasets.mlma("fr"))]).mean(axis=0)
    write(
        "sentiment",
        Head(("negative", "neutral", "positive"), coef, intercept, means),
        {
            "kind": "multinomial logistic regression on the centred encoder vector",
            "training_data": "GoEmotions train split, group labels (negative, neutral, positive); rows with several "
            "labels or 'ambiguous' left out",
            "training_examples": len(data),
            "licence_of_training_data": "Apache-2.0 (GoEmotions, Demszky et al. 2020)",
            "default_centre": {
                "en": "mean of the GoEmotions training texts",
                "fr": "mean of MLMA's French tweets (MIT; texts only, no labels)",
            },
            "regularisation_C": C["sentiment"],
            "scores": "see docs/models.md (federe nlp evaluate)",
        },
    )
    return {"examples": len(data)}


TOXICITY_LANGUAGE = {"rtp-lx-fr": "fr", "rtp-lx-en": "en", "mlma-fr": "fr", "mlma-en": "en", "davidson": "en"}
#: French sources weigh double: French is the language the head is mostly wrong in, and the smaller one.
TOXICITY_FRENCH_WEIGHT = 2.0
#: The candidates for the toxicity head's C and decision threshold (on the log-odds), chosen on French dev data.
TOXICITY_C_GRID = (0.1, 0.3, 1.0, 3.0)
TOXICITY_THRESHOLDS = tuple(round(-2.0 + 0.1 * i, 1) for i in range(41))
#: Seed of the dev split carved out of the training data to choose C and the threshold.
DEV_SEED = 7


def toxicity_data() -> list[datasets.Example]:
    """RTP-LX French and English, Davidson (all rows), and MLMA French and English's training part (80 %,
    stratified, seeded ``datasets.SEED``: the fast tier's split; the test part is kept for evaluation)."""
    mlma = [ex for lang in ("fr", "en") for ex in datasets.split(datasets.mlma(lang))[0]]
    return subsample(datasets.rtp_lx("fr") + datasets.rtp_lx("en") + datasets.davidson() + mlma)


def toxicity_dev_split(data: Sequence[datasets.Example]) -> tuple[list[datasets.Example], list[datasets.Example]]:
    """A fifth of MLMA French's training part and of RTP-LX French held out (seeded ``DEV_SEED``), to choose C
    and the threshold; everything else fits."""
    import random

    rng = random.Random(DEV_SEED)
    dev_ids: set[int] = set()
    for group in ("mlma-fr", "rtp-lx-fr"):
        rows = [i for i, ex in enumerate(data) if ex.group == group]
        rng.shuffle(rows)
        dev_ids.update(rows[: len(rows) // 5])
    return [ex for i, ex in enumerate(data) if i not in dev_ids], [ex for i, ex in enumerate(data) if i in dev_ids]


def _toxicity_fit(data: Sequence[datasets.Example], c: float) -> Head:
    import numpy as np

    pool = [ex.text for ex in toxicity_data()]
    x, y, groups, means = _examples_matrix(data, TOXICITY_LANGUAGE, pool)
    french = np.array([TOXICITY_FRENCH_WEIGHT if TOXICITY_LANGUAGE[g] == "fr" else 1.0 for g in groups])
    coef, intercept = fit_head(x, y, ("ok", "toxic"), c=c, weights=balanced_weights(groups, y) * french)
    return Head(("ok", "toxic"), coef, intercept, means)


def choose_toxicity_settings(data: Sequence[datasets.Example]) -> tuple[float, float, float]:
    """(C, threshold, dev macro-F1): the pair with the best macro-F1 on the French dev split (the mean of MLMA
    French's and RTP-LX French's), the head fitted on the rest. HateCheck FR is never looked at."""
    import numpy as np
    from sklearn.metrics import f1_score

    fit_part, dev = toxicity_dev_split(data)
    dev_x = pooled_vectors([ex.text for ex in data], [ex.text for ex in dev])
    best = (-1.0, 0.0, 0.0)
    for c in TOXICITY_C_GRID:
        h = _toxicity_fit(fit_part, c)
        z = _logits(h.proba(dev_x - h.centre["fr"])[:, 1])
        for t in TOXICITY_THRESHOLDS:
            f1 = float(
                np.mean(
                    [
                        f1_score(
                            [ex.label for ex in dev if ex.group == g],
                            ["toxic" if v > t else "ok" for v, ex in zip(z, dev, strict=True) if ex.group == g],
                            average="macro",
                        )
                        for g in ("mlma-fr", "rtp-lx-fr")
                    ]
                )
            )
            if f1 > best[0]:
                best = (f1, c, t)
    return best[1], best[2], best[0]


def train_toxicity() -> dict[str, Any]:
    data = toxicity_data()
    c, threshold, dev_f1 = choose_toxicity_settings(data)
    h = _toxicity_fit(data, c)
    h.intercept = h.intercept - threshold  # a score of 0.5 is the chosen threshold
    write(
        "toxicity",
        h,
        {
            "kind": "logistic regression on the centred encoder vector",
            "training_data": "RTP-LX French and English (toxic when the mean Toxicity rating is at least 3) and "
            "Davidson et al. (hate and offensive are toxic), all rows; MLMA French and English (a single 'normal' "
            f"label is non-toxic), the training part (80 %, stratified, seed {datasets.SEED}). Every (source, "
            f"label) pair weighs the same, French sources {TOXICITY_FRENCH_WEIGHT:g} times. Never trained on: "
            "HateCheck FR, MLMA's test part (kept for evaluation)",
            "training_examples": len(data),
            "licence_of_training_data": "RTP-LX: MIT + Apache-2.0; MLMA and Davidson: MIT repositories, tweets "
            "under Twitter's terms",
            "default_centre": {"fr": "mean of the French training texts", "en": "mean of the English training texts"},
            "regularisation_C": c,
            "threshold": {
                "log_odds": threshold,
                "chosen_on": f"macro-F1 on a dev fifth (seed {DEV_SEED}) of MLMA French's training part and of "
                f"RTP-LX French, the head fitted on the rest (C among {list(TOXICITY_C_GRID)}); folded into the "
                "intercept, so 0.5 is the decision point",
                "dev_macro_f1": round(dev_f1, 4),
            },
            "scores": "see docs/models.md (federe nlp evaluate)",
        },
    )
    return {"examples": len(data)}


def spam_data(videos: Sequence[str] = datasets.YOUTUBE_VIDEOS) -> list[datasets.Example]:
    """The given YouTube videos and SMS (each source subsampled alike whichever videos are given)."""
    return subsample([ex for v in videos for ex in datasets.youtube(v)] + datasets.sms())


def _spam_vectors(texts: Sequence[str]) -> np.ndarray:
    """Vectors of texts from the spam data, encoded once for all of it (one cache entry for every fold)."""
    return pooled_vectors([ex.text for ex in spam_data()], texts)


def _spam_head(data: Sequence[datasets.Example]) -> Head:
    import numpy as np

    x = _spam_vectors([ex.text for ex in data])
    means = {"en": x.mean(axis=0)}
    x = x - means["en"]
    y, groups = [ex.label for ex in data], [ex.group for ex in data]
    coef, intercept = fit_head(x, y, ("ham", "spam"), c=C["spam"], weights=balanced_weights(groups, y))
    means["fr"] = np.array(means["en"], copy=True)  # no French spam data: one centre for both
    return Head(("ham", "spam"), coef, intercept, means)


def _logits(p):
    import numpy as np

    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def spam_out_of_fold(videos: Sequence[str] = datasets.YOUTUBE_VIDEOS) -> tuple[Any, Any, list[str], list[str]]:
    """Leave-one-video-out over ``videos``: for each, the head and the n-gram model trained on the others and SMS
    score it. Returns the head's and the n-gram model's log-odds, the labels and the videos."""
    import numpy as np

    from federe.nlp import training
    from federe.nlp.base import DocBatch
    from federe.nlp.text import prepare

    head_z, ngram_z, labels, held_videos = [], [], [], []
    for video in videos:
        rest = spam_data([v for v in videos if v != video])
        h = _spam_head(rest)
        ngram = training.fit(
            "spam",
            training.batch_of([ex.text for ex in rest]),
            [ex.label for ex in rest],
            c=training.SHIPPED_C["spam"],
            **training.group_weights(rest),
        )
        held = datasets.youtube(video)
        head_z.append(_logits(h.proba(_spam_vectors([ex.text for ex in held]) - h.centre["en"])[:, 1]))
        ngram_z.append(_logits(ngram.proba(DocBatch([prepare(ex.text) for ex in held]).features)[:, 1]))
        labels += [ex.label for ex in held]
        held_videos += [video] * len(held)
    return np.concatenate(head_z), np.concatenate(ngram_z), labels, held_videos


#: The combination: n-gram log-odds + w × head log-odds, spam above a threshold t; (w, t) from these candidates.
SPAM_HEAD_WEIGHTS = (0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0)
SPAM_THRESHOLDS = (-1.0, -0.5, 0.0, 0.5, 1.0)


def choose_spam_combination(head_z, ngram_z, labels: Sequence[str], videos: Sequence[str]) -> tuple[float, float]:
    """(w, t) with the best mean F1 over the videos of these out-of-fold log-odds (ties: the larger w, then t)."""
    import numpy as np
    from sklearn.metrics import f1_score

    y, v = np.array(labels), np.array(videos)

    def mean_f1(w: float, t: float) -> float:
        f1s = []
        for video in sorted(set(videos)):
            rows = v == video
            pred = np.where(ngram_z[rows] + w * head_z[rows] > t, "spam", "ham")
            f1s.append(f1_score(y[rows], pred, pos_label="spam"))
        return float(np.mean(f1s))

    best = max((mean_f1(w, t), w, t) for w in SPAM_HEAD_WEIGHTS for t in SPAM_THRESHOLDS)
    return best[1], best[2]


def spam_combination(head_z, ngram_z, labels: Sequence[str], videos: Sequence[str]) -> tuple[float, float, float]:
    """``Head.combine`` (head, n-gram, bias) from out-of-fold log-odds: (w, t) chosen as above, then one scale k
    fitted (logistic regression without intercept on ngram + w·head − t) so that the score is a probability;
    0.5 stays the decision point."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    w, t = choose_spam_combination(head_z, ngram_z, labels, videos)
    s = (ngram_z + w * head_z - t).reshape(-1, 1)
    scale = LogisticRegression(C=1.0, fit_intercept=False, max_iter=1000).fit(s, np.array(labels) == "spam")
    k = float(scale.coef_[0, 0])
    return k * w, k, -k * t


def train_spam() -> dict[str, Any]:
    head_z, ngram_z, labels, videos = spam_out_of_fold()
    combine = spam_combination(head_z, ngram_z, labels, videos)
    data = spam_data()
    h = _spam_head(data)
    h.combine = combine
    a, b, bias = combine
    write(
        "spam",
        h,
        {
            "kind": "logistic regression on the centred encoder vector, combined with the n-gram model "
            "(linear:spam): sigmoid(k × (n-gram log-odds + w × head log-odds − t)), w and t chosen for the best "
            "mean F1 over leave-one-video-out predictions, k fitted on them",
            "training_data": "YouTube Spam Collection videos 1–4 and the SMS Spam Collection v.1, all examples; "
            "every (source, label) pair weighs the same",
            "training_examples": len(data),
            "licence_of_training_data": "CC BY 4.0 (both collections)",
            "combine": {"head": a, "ngram": b, "bias": bias, "w": a / b, "t": -bias / b},
            "regularisation_C": C["spam"],
            "scores": "see docs/models.md (federe nlp evaluate)",
        },
    )
    return {"examples": len(data)}


_RECIPES = {"sentiment": train_sentiment, "toxicity": train_toxicity, "spam": train_spam}


def train(task: str, encoder_name: str | None = None) -> dict[str, Any]:
    """Train one head for an encoder (the default one without a name), written beside its others."""
    with using(encoder_name, task):
        return _RECIPES[task]()


TRAINERS = {task: (lambda task=task: train(task)) for task in HEAD_TASKS}
