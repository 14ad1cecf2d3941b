"""The deep tier's speed and memory: messages per CPU-second (encoder + the three heads), one thread, in batches,
and the resident memory of a process with the encoder loaded.

    FEDERE_ENV=test .venv/bin/python bench/nlp_deep.py [-n 4000] [--batch 256] [--encoder use|e5] [--record]

``--record`` writes the measured speed into that encoder's three model cards (``speed``), where the workspace
settings page reads it to say what each encoder keeps up with (``nlp/deep/choices.py``).

The messages are real (the public collections in ../shared/datasets, mixed, as bench/nlp.py). CPU time is the
process's own (time.process_time), so other load on the machine slows the wall clock, not the figure; both print.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
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
    parser.add_argument("--encoder", choices=list(encoder.ENCODERS), default=encoder.DEFAULT)
    parser.add_argument("--record", action="store_true", help="Write the speed into the encoder's model cards.")
    args = parser.parse_args()
    name = args.encoder
    texts = real_messages(args.n)
    load = os.getloadavg()[0]
    print(
        f"{name} ({encoder.version(name)}): {len(texts)} real messages, "
        f"{sum(map(len, texts)) / len(texts):.0f} characters on average, batches of {args.batch}, one thread; "
        f"load average {load:.1f}"
    )
    before = rss_mb()
    cpu, wall = time.process_time(), time.perf_counter()
    encoder.encode(texts[:8], name)
    for task in heads.HEAD_TASKS:
        heads.head(task, name)
    print(f"loading: {time.process_time() - cpu:.2f} CPU-s; resident memory {before:.0f} MB → {rss_mb():.0f} MB")
    cpu, wall = time.process_time(), time.perf_counter()
    for start in range(0, len(texts), args.batch):
        chunk = texts[start : start + args.batch]
        heads.score(encoder.encode(chunk, name), ["en"] * len(chunk), encoder=name)
    spent_cpu, spent_wall = time.process_time() - cpu, time.perf_counter() - wall
    rate = len(texts) / spent_cpu
    print(
        f"encoder + 3 heads: {rate:,.1f} messages per CPU-second ({len(texts) / spent_wall:,.1f} per wall-clock second)"
    )
    x = encoder.encode(texts[: args.batch], name)
    cpu = time.process_time()
    for _ in range(20):
        heads.score(x, ["en"] * len(x), encoder=name)
    print(f"the 3 heads alone: {20 * len(x) / (time.process_time() - cpu):,.0f} messages per CPU-second")
    resident = rss_mb()
    print(
        f"resident memory with the encoder loaded, after scoring: {resident:.0f} MB "
        f"(peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)"
    )
    if args.record:
        speed = {
            "messages_per_cpu_second": round(rate, 1),
            "measured": dt.date.today().isoformat(),
            "by": f"bench/nlp_deep.py --encoder {name} -n {len(texts)} --batch {args.batch} --record",
            "messages": f"{len(texts)} real messages, {sum(map(len, texts)) / len(texts):.0f} characters on average",
            "machine": f"{os.cpu_count()} shared x86-64 cores, one thread; load average {load:.1f} at the start",
            "resident_memory_mb": round(resident),
        }
        for task in heads.HEAD_TASKS:
            path = heads.heads_dir(name) / f"{task}.json"
            card = json.loads(path.read_text(encoding="utf-8"))
            card["speed"] = speed
            path.write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"recorded in {heads.heads_dir(name)}/*.json")


if __name__ == "__main__":
    main()
