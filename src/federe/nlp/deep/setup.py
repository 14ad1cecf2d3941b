"""Which encoder the deep tier's training recipes (``train.py``) and evaluation (``evaluate.py``) run with, and
the seeded, stratified subsample of each training source for an encoder too slow to encode them all."""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import random
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from federe.nlp import datasets
from federe.nlp.deep import encoder

if TYPE_CHECKING:
    import numpy as np

SEED = 20261206
CACHE_DIR = Path(__file__).resolve().parents[4] / "var" / "deep-cache"

#: At most this many training examples per source (``Example.group``) and task, for an encoder too slow to encode
#: them all (about 20 messages per CPU-second for e5): stratified by label, seeded by the source's name, so that a
#: source is sampled the same way wherever it appears (the spam folds, the toxicity pool). None: every example.
SUBSAMPLE: dict[str, dict[str, int] | None] = {
    "use": None,
    "e5": {"sentiment": 3000, "toxicity": 1200, "spam": 1200},
}


@dataclass(frozen=True)
class Setup:
    encoder: str = encoder.DEFAULT
    #: The task whose subsample size applies (set by each trainer and evaluation part).
    task: str = ""

    def per_source(self) -> int | None:
        sizes = SUBSAMPLE.get(self.encoder)
        return sizes.get(self.task) if sizes and self.task else None


_setup: contextvars.ContextVar[Setup | None] = contextvars.ContextVar("deep_train_setup", default=None)


@contextlib.contextmanager
def using(name: str | None = None, task: str | None = None) -> Iterator[Setup]:
    """Run the recipes inside with this encoder (default: the current one) and this task's subsample."""
    current = _setup.get() or Setup()
    setup = Setup(encoder.get(name or current.encoder).name, current.task if task is None else task)
    token = _setup.set(setup)
    try:
        yield setup
    finally:
        _setup.reset(token)


def current() -> Setup:
    return _setup.get() or Setup()


def subsample(examples: Sequence[datasets.Example]) -> list[datasets.Example]:
    """The examples kept under the current setup: all of them, or at most ``per_source`` of each source, each
    label keeping its share (seeded by the seed, the task and the source, in the examples' order)."""
    cap = current().per_source()
    if cap is None:
        return list(examples)
    by_group: dict[str, list[int]] = defaultdict(list)
    for i, ex in enumerate(examples):
        by_group[ex.group].append(i)
    keep: set[int] = set()
    for group, rows in by_group.items():
        if len(rows) <= cap:
            keep.update(rows)
            continue
        by_label: dict[str, list[int]] = defaultdict(list)
        for i in rows:
            by_label[examples[i].label].append(i)
        rng = random.Random(f"{SEED}:{current().task}:{group}")
        for label in sorted(by_label):
            chosen = by_label[label]
            rng.shuffle(chosen)
            keep.update(chosen[: max(1, round(cap * len(chosen) / len(rows)))])
    return [ex for i, ex in enumerate(examples) if i in keep]


def vectors(texts: Sequence[str]) -> np.ndarray:
    """The current encoder's vectors for ``texts``, from the cache when these exact texts were encoded before."""
    import numpy as np

    name = current().encoder
    key = hashlib.sha256("\x00".join([encoder.version(name), *texts]).encode("utf-8", "replace")).hexdigest()[:24]
    path = CACHE_DIR / f"{key}.npy"
    if path.exists():
        return np.load(path, allow_pickle=False)
    out = encoder.encode(list(texts), name)
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    np.save(path, out, allow_pickle=False)
    return out


def pooled_vectors(pool: Sequence[str], texts: Sequence[str]) -> np.ndarray:
    """Vectors of ``texts``, all taken from ``pool``: the pool is encoded (and cached) once, so that the folds and
    dev splits of one training set share one cache entry."""
    index = {t: i for i, t in enumerate(pool)}
    return vectors(pool)[[index[t] for t in texts]]
