"""The lexicon sentiment backend on UMSAB (Twitter sentiment, French and English): a local evaluation.

UMSAB (cardiffnlp/xlm-t) is research-only: it is never committed, never downloaded by this script, and never
used to train anything shipped. Put it somewhere local yourself, one folder per language with
``{train,val,test}_{text,labels}.txt`` (labels: 0 negative, 1 neutral, 2 positive), then::

    .venv/bin/python bench/sentiment_umsab.py /tmp/umsab                 # the test split, shipped parameters
    .venv/bin/python bench/sentiment_umsab.py /tmp/umsab --tune          # search thresholds on train+val only
    .venv/bin/python bench/sentiment_umsab.py /tmp/umsab --split val --language auto
    .venv/bin/python bench/sentiment_umsab.py /tmp/umsab --speed         # messages per CPU-second

``--language given`` tells the backend each text's language; ``auto`` passes ``other`` so the backend tries both
lexicons, as it does for a message whose language is unknown.

Published macro-F1 on test (Barbieri et al., 2022): FastText FR 54.8 / EN 50.9; XLM-R FR 72.0 / EN 68.2.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from federe.nlp.base import Doc, DocBatch, Score
from federe.nlp.sentiment.params import DEFAULT_PARAMS, Params
from federe.nlp.sentiment.scorer import LexiconSentiment, lexicon_features, probabilities

LANGS = {"french": "fr", "english": "en"}
NAMES = ("negative", "neutral", "positive")
PUBLISHED = {"french": "FastText 54.8, XLM-R 72.0", "english": "FastText 50.9, XLM-R 68.2"}


def load(folder: Path, lang: str, split: str) -> tuple[list[str], list[str]]:
    base = folder / lang
    texts = (base / f"{split}_text.txt").read_text(encoding="utf-8").splitlines()
    labels = [NAMES[int(x)] for x in (base / f"{split}_labels.txt").read_text().split()]
    if len(texts) != len(labels):
        raise SystemExit(f"{base}: {len(texts)} texts but {len(labels)} labels in {split}")
    return texts, labels


def macro_f1(truth: list[str], pred: list[str]) -> float:
    scores = []
    for label in NAMES:
        tp = sum(1 for t, p in zip(truth, pred, strict=True) if t == label and p == label)
        fp = sum(1 for t, p in zip(truth, pred, strict=True) if t != label and p == label)
        fn = sum(1 for t, p in zip(truth, pred, strict=True) if t == label and p != label)
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(scores) / len(scores)


def accuracy(truth: list[str], pred: list[str]) -> float:
    return sum(1 for t, p in zip(truth, pred, strict=True) if t == p) / len(truth)


def argmax_label(c: float, params: Params) -> str:
    neg, neu, pos = probabilities(c, params)
    if pos >= neu and pos >= neg:
        return "positive"
    return "negative" if neg > neu else "neutral"


def tune(folder: Path, language_mode: str) -> Params:
    """Neutral band on macro-F1, then temperature on log-loss, over train+val of both languages together."""
    compounds: list[float] = []
    truth: list[str] = []
    for lang, code in LANGS.items():
        for split in ("train", "val"):
            texts, labels = load(folder, lang, split)
            language = code if language_mode == "given" else "other"
            compounds += [lexicon_features(t, language)["compound"] for t in texts]
            truth += labels
    best = (-1.0, DEFAULT_PARAMS)
    steps = [round(0.02 * k, 2) for k in range(0, 41)]
    for tp in steps:
        for tn in steps:
            params = dataclasses.replace(DEFAULT_PARAMS, pos_threshold=tp, neg_threshold=tn)
            f1 = macro_f1(truth, [argmax_label(c, params) for c in compounds])
            if f1 > best[0]:
                best = (f1, params)
    f1, params = best
    index = {name: k for k, name in enumerate(NAMES)}
    best_loss = (math.inf, params)
    for temperature in [round(0.05 * k, 2) for k in range(2, 61)]:
        trial = dataclasses.replace(params, temperature=temperature)
        loss = 0.0
        for c, t in zip(compounds, truth, strict=True):
            loss -= math.log(max(probabilities(c, trial)[index[t]], 1e-12))
        loss /= len(truth)
        if loss < best_loss[0]:
            best_loss = (loss, trial)
    loss, params = best_loss
    print(
        f"tuned on train+val ({len(truth)} tweets, language {language_mode}): "
        f"pos_threshold={params.pos_threshold} neg_threshold={params.neg_threshold} "
        f"temperature={params.temperature}  macro-F1 {100 * f1:.1f}  log-loss {loss:.3f}"
    )
    return params


def evaluate(folder: Path, split: str, language_mode: str, params: Params) -> None:
    backend = LexiconSentiment(params)
    print(f"UMSAB {split}, lexicon backend {backend.model_id}, language {language_mode}")
    print(f"{'language':<9} {'n':>5} {'macro-F1':>9} {'accuracy':>9} {'cold msg/s':>11}  published macro-F1 (test)")
    for lang, code in LANGS.items():
        texts, truth = load(folder, lang, split)
        docs = [Doc(t, code if language_mode == "given" else "other") for t in texts]
        start = time.perf_counter()
        results = backend.score(DocBatch(docs))
        elapsed = time.perf_counter() - start
        pred = [r.label if isinstance(r, Score) else "neutral" for r in results]
        counts = {name: pred.count(name) for name in NAMES}
        print(
            f"{lang:<9} {len(texts):>5} {100 * macro_f1(truth, pred):>9.1f} {100 * accuracy(truth, pred):>9.1f} "
            f"{len(texts) / elapsed:>11,.0f}  {PUBLISHED[lang]}   predicted {counts}"
        )


def speed(folder: Path, language_mode: str, repeat: int = 5) -> None:
    """Messages per second of CPU time (one core), on the train tweets of both languages, caches warm."""
    docs = []
    for lang, code in LANGS.items():
        texts, _ = load(folder, lang, "train")
        docs += [Doc(t, code if language_mode == "given" else "other") for t in texts]
    docs = docs * repeat
    backend = LexiconSentiment()
    backend.score(DocBatch(docs[: len(docs) // repeat]))
    mean_chars = sum(len(d.text) for d in docs) / len(docs)
    for explain in (False, True):
        best = 0.0
        for _ in range(3):
            start = time.process_time()
            backend.score(DocBatch(docs), explain=explain)
            best = max(best, len(docs) / (time.process_time() - start))
        print(
            f"speed: {len(docs)} tweets (mean {mean_chars:.0f} chars), language {language_mode}, "
            f"explain={explain}: {best:,.0f} messages per CPU-second (best of 3)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path, help="folder holding french/ and english/ (never downloaded here)")
    parser.add_argument("--split", default="test", choices=["train", "val", "test"])
    parser.add_argument("--language", default="given", choices=["given", "auto"])
    parser.add_argument("--tune", action="store_true", help="search the neutral band and temperature on train+val")
    parser.add_argument("--speed", action="store_true", help="measure messages per CPU-second on the train tweets")
    args = parser.parse_args()
    if args.speed:
        speed(args.folder, args.language)
        return
    params = DEFAULT_PARAMS
    if args.tune:
        params = tune(args.folder, args.language)
        if args.split == "test":
            print("(tuning only: pass --split val to see the tuned parameters on a development split)")
            return
    evaluate(args.folder, args.split, args.language, params)


if __name__ == "__main__":
    main()
