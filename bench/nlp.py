"""Classifier speed: messages per second on one core, per model and for the whole enrichment step.

    FEDERE_ENV=test .venv/bin/python bench/nlp.py [-n 10000] [--batch 1000]

The messages are real: the public spam and toxicity collections in ../shared/datasets (YouTube, SMS, MLMA,
Davidson, HateCheck FR), mixed and cut to N. Threads are pinned to one core (OMP/BLAS), so the figure is per core.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import time

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "federe.config.test_settings")
if hasattr(os, "sched_setaffinity"):
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

import django  # noqa: E402

django.setup()

from federe.nlp import datasets  # noqa: E402
from federe.nlp.backends import shipped  # noqa: E402
from federe.nlp.base import TASKS, DocBatch  # noqa: E402
from federe.nlp.pipeline import enrich  # noqa: E402
from federe.nlp.text import prepare  # noqa: E402


def real_messages(n: int) -> list[str]:
    texts = [ex.text for v in datasets.YOUTUBE_VIDEOS for ex in datasets.youtube(v)]
    texts += [ex.text for ex in datasets.sms()]
    for lang in ("fr", "en"):
        texts += [ex.text for ex in datasets.mlma(lang)]
    texts += [ex.text for ex in datasets.davidson()]
    texts += [ex.text for ex in datasets.hatecheck_fr()]
    random.Random(1).shuffle(texts)
    return texts[:n]


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=1000)
    args = parser.parse_args()
    texts = real_messages(args.n)
    chars = sum(len(t) for t in texts) / len(texts)
    print(f"{len(texts)} real messages, {chars:.0f} characters on average, batches of {args.batch}, one core")
    base = rss_mb()
    for task in TASKS:
        shipped(task)  # load every model first: loading is not scoring
    print(f"memory: {base:.0f} MB before loading the models, {rss_mb():.0f} MB after (peak RSS)")
    chunks = [texts[i : i + args.batch] for i in range(0, len(texts), args.batch)]

    def timed(label: str, work) -> None:
        start = time.perf_counter()
        for chunk in chunks:
            work(chunk)
        elapsed = time.perf_counter() - start
        print(f"{label:<42} {len(texts) / elapsed:>9,.0f} msg/s")

    timed("prepare (clean, truncate)", lambda c: [prepare(t) for t in c])
    timed("features (hashed n-grams + message)", lambda c: DocBatch([prepare(t) for t in c]).features)
    for task in TASKS:
        backend = shipped(task)

        def one(c, backend=backend):
            backend.score(DocBatch([prepare(t) for t in c]))

        timed(
            f"{task} ({backend.model_id}), incl. prepare+features"
            if task in ("spam", "toxicity")
            else f"{task} ({backend.model_id}), incl. prepare",
            one,
        )
    timed("whole enrichment (all four, shared features)", lambda c: enrich([prepare(t) for t in c]))
    print(f"peak memory: {rss_mb():.0f} MB")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
