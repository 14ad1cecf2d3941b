"""The deep tier's speed and memory: messages per CPU-second (encoder + the three heads), one thread, in batches,
and the resident memory of a process with the encoder loaded.

    FEDERE_ENV=test .venv/bin/python bench/nlp_deep.py [-n 4000] [--batch 256]

The messages are real (the public collections in ../shared/datasets, mixed, as bench/nlp.py). CPU time is the
process's own (time.process_time), so other load on the machine slows the wall clock, not the figure; both print.
"""

from __future__ import annotations

import argparse
import os
import resource
import time

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "federe.config.test_settings")

import django  # noqa: E402

django.setup()

from federe.nlp.deep import encoder, heads  # noqa: E402
from nlp import real_messages  # noqa: E402


def rss_mb() -> float:
    """The current resident set (VmRSS), and the peak (ru_maxrss) when /proc is missing."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=4000)
    parser.add_argument("--batch", type=int, default=256)
    args = parser.parse_args()
    texts = real_messages(args.n)
    print(
        f"{len(texts)} real messages, {sum(map(len, texts)) / len(texts):.0f} characters on average, "
        f"batches of {args.batch}, one thread; load average {os.getloadavg()[0]:.1f}"
    )
    before = rss_mb()
    cpu, wall = time.process_time(), time.perf_counter()
    encoder.encode(texts[:8])
    for task in heads.HEAD_TASKS:
        heads.head(task)
    print(f"loading: {time.process_time() - cpu:.2f} CPU-s; resident memory {before:.0f} MB → {rss_mb():.0f} MB")
    cpu, wall = time.process_time(), time.perf_counter()
    for start in range(0, len(texts), args.batch):
        chunk = texts[start : start + args.batch]
        heads.score(encoder.encode(chunk), ["en"] * len(chunk))
    spent_cpu, spent_wall = time.process_time() - cpu, time.perf_counter() - wall
    print(
        f"encoder + 3 heads: {len(texts) / spent_cpu:,.0f} messages per CPU-second "
        f"({len(texts) / spent_wall:,.0f} per wall-clock second)"
    )
    x = encoder.encode(texts[: args.batch])
    cpu = time.process_time()
    for _ in range(20):
        heads.score(x, ["en"] * len(x))
    print(f"the 3 heads alone: {20 * len(x) / (time.process_time() - cpu):,.0f} messages per CPU-second")
    print(
        f"resident memory with the encoder loaded, after scoring: {rss_mb():.0f} MB "
        f"(peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)"
    )


if __name__ == "__main__":
    main()
