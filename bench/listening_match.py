"""Listening: how many messages per second one core matches against 10, 100 and 1,000 saved queries.

    .venv/bin/python bench/listening_match.py                    # 100,000 messages; 10, 100 and 1,000 queries
    .venv/bin/python bench/listening_match.py -n 20000 --queries 100 --naive 2000

No Django and no database: this measures ``federe.listening.matching`` alone, the step that runs at ingest for
every new message (``MatchDoc.from_message`` once, then ``MultiMatcher.match``).

Messages are real public texts, read in place from ../shared/datasets (or ``--datasets``): YouTube comments (CONTENT),
the SMS spam collection, MLMA tweets in French and English (tweet) and Davidson's tweets (tweet). There are about
42,000 of them; the N messages cycle through them in a shuffled order. To give the queries something to find, brand
and product names are planted in ``--plant`` (default 5 %) of the messages, popular brands more often than others
(weights 1/rank), in the forms people write them: capitals, accents, hashtags, handles, links, next to topic words.

Saved queries are generated like a community manager would write them, one per brand (brand, product, competitor,
topic): OR lists, phrases, wildcards, NOT, NEAR/n, and filters (lang:, site:, author:, has:link); one in fifty is
a topic query with common words, one in a hundred has only filters (so it is evaluated on every message).

Printed: preparation speed, then for each query count the build time of the index, the messages per second of
``match`` alone and of preparation + match, the number of queries evaluated per message, the matches; and a naive
loop (every query on every message, on ``--naive`` messages) that must give the same answers.
"""

from __future__ import annotations

import argparse
import csv
import gc
import os
import platform
import random
import time
from pathlib import Path

if hasattr(os, "sched_setaffinity"):
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

from federe.listening.matching.doc import MatchDoc
from federe.listening.matching.matcher import compile
from federe.listening.matching.multi import MultiMatcher
from federe.listening.query.nodes import Query
from federe.listening.query.parser import parse

csv.field_size_limit(10_000_000)

# --------------------------------------------------------------------------------------------------------------
# Real messages
# --------------------------------------------------------------------------------------------------------------


def _csv_column(path: Path, column: str) -> list[str]:
    with path.open(newline="", encoding="utf-8", errors="replace") as handle:
        return [row[column] for row in csv.DictReader(handle) if row.get(column)]


def real_texts(root: Path) -> list[tuple[str, str, str]]:
    """(text, language, author) from the shared datasets, read where they are."""
    out: list[tuple[str, str, str]] = []
    for path in sorted((root / "spam" / "youtube").glob("*.csv")):
        with path.open(newline="", encoding="utf-8", errors="replace") as handle:
            out += [(row["CONTENT"], "en", row["AUTHOR"]) for row in csv.DictReader(handle) if row.get("CONTENT")]
    with (root / "spam" / "sms" / "SMSSpamCollection").open(encoding="utf-8", errors="replace") as handle:
        out += [(line.split("\t", 1)[1].strip(), "en", "") for line in handle if "\t" in line]
    for language in ("fr", "en"):
        out += [(t, language, "") for t in _csv_column(root / "toxicity" / "mlma" / f"{language}_dataset.csv", "tweet")]
    out += [(t, "en", "") for t in _csv_column(root / "toxicity" / "davidson" / "labeled_data.csv", "tweet")]
    return out


# --------------------------------------------------------------------------------------------------------------
# Brands and queries
# --------------------------------------------------------------------------------------------------------------

SYLLABLES = ["ve", "lo", "ra", "qua", "ntix", "so", "no", "lu", "mio", "bri", "zen", "to", "ka", "fé", "dè", "re",
             "mar", "co", "vi", "ta", "ne", "xo", "pha", "gé", "ly", "dra", "mi", "sta", "po", "ri"]  # fmt: skip
PRODUCTS = ["Cloud", "Pro", "Max", "Box", "One", "Connect", "Pay", "Studio", "Go", "Air"]
TOPICS_FR = ["service client", "livraison", "remboursement", "prix", "panne", "arnaque", "bug", "retard"]
TOPICS_EN = ["customer service", "delivery", "refund", "price", "outage", "scam", "bug", "late"]
GENERIC = [
    '("service client" OR "customer service") (nul OR terrible OR lent*)',
    "(livraison OR delivery) (retard* OR late OR lost)",
    "free* NEAR/3 (win OR gagn*) -unsubscribe",
    '"follow me" OR "check out my" OR subscrib*',
    "(prix OR price*) NEAR/4 (hausse OR increase* OR cher)",
]


def brand_names(count: int, rng: random.Random) -> list[str]:
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < count:
        name = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3)))
        if len(name) >= 5 and name not in seen:
            seen.add(name)
            names.append(name.capitalize())
    return names


def _plain(name: str) -> str:
    return name.lower().replace("é", "e").replace("è", "e")


def query_for(index: int, brand: str, rival: str, rng: random.Random) -> str:
    plain = _plain(brand)
    product = f"{brand} {PRODUCTS[index % len(PRODUCTS)]}"
    topic_fr, topic_en = rng.choice(TOPICS_FR), rng.choice(TOPICS_EN)
    if index % 100 == 99:
        return f"site:{plain}.com has:link"  # filters only
    if index % 50 == 49:
        return GENERIC[(index // 50) % len(GENERIC)]
    kind = index % 7
    if kind == 0:  # brand
        return f'({brand} OR "{product}" OR {plain}* OR site:{plain}.com) -job* -recrut* -author:{plain}_official'
    if kind == 1:  # product
        return f'"{product}" OR "{brand}{PRODUCTS[index % len(PRODUCTS)]}" OR #{plain}{PRODUCTS[0].lower()}'
    if kind == 2:  # competitor, price talk
        return f"({brand} OR {rival}) (prix OR price OR tarif* OR cher OR expensive)"
    if kind == 3:  # topic near the brand
        return f'{brand} NEAR/5 ("{topic_fr}" OR "{topic_en}" OR support)'
    if kind == 4:  # French only, no links
        return f"{brand} lang:fr -has:link"
    if kind == 5:  # crisis words
        return f'({brand} OR {plain}.fr) (nul OR arnaque OR scam OR bug* OR panne OR outage) -"{brand} fan"'
    return f"({brand} OR @{plain}) (lang:fr OR lang:en) -spam -{rival}"


PLANT_FORMS = [
    "{b}", "{B}", "{b}", "#{p}", "@{p}", "{b} {prod}", "{b}{prod}", "https://www.{p}.com/offre", "{p}.fr",
    "le {b} {prod} est nul", "{b} prix", "{b} service client", "{b} outage again", "{b} vs {r}",
]  # fmt: skip


def planted(text: str, brands: list[str], weights: list[float], rng: random.Random) -> str:
    b, r = rng.choices(brands, weights)[0], rng.choice(brands)
    form = rng.choice(PLANT_FORMS).format(
        b=b, B=b.upper(), p=_plain(b), r=r, prod=PRODUCTS[brands.index(b) % len(PRODUCTS)]
    )
    words = text.split()
    words.insert(rng.randint(0, len(words)), form)
    return " ".join(words)


# --------------------------------------------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------------------------------------------

CHANNELS = [(i, f"Channel {i}") for i in range(1, 21)]
HOSTS = ["https://forum.example.com/t/", "https://twitter.com/x/status/", "https://www.youtube.com/watch?v=", ""]


def messages(n: int, texts: list[tuple[str, str, str]], brands: list[str], plant: float, seed: int) -> list[dict]:
    rng = random.Random(seed)
    order = list(range(len(texts)))
    rng.shuffle(order)
    weights = [1 / (rank + 1) for rank in range(len(brands))]
    out = []
    for i in range(n):
        text, language, author = texts[order[i % len(order)]]
        if rng.random() < plant:
            text = planted(text, brands, weights, rng)
        channel_id, channel_name = rng.choice(CHANNELS)
        out.append(
            {
                "text": text,
                "language": language,
                "channel_id": channel_id,
                "channel_name": channel_name,
                "url": rng.choice(HOSTS) + str(i) if rng.random() < 0.8 else "",
                "author_handle": author or f"user{rng.randint(1, 5000)}",
            }
        )
    return out


def prepare(rows: list[dict]) -> list[MatchDoc]:
    return [MatchDoc.from_message(**row) for row in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--count", type=int, default=100_000, help="messages (default 100,000)")
    parser.add_argument("--queries", type=int, nargs="+", default=[10, 100, 1000], help="saved-query counts")
    parser.add_argument("--plant", type=float, default=0.05, help="share of messages given a brand mention")
    parser.add_argument("--naive", type=int, default=5000, help="messages for the naive cross-check")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--datasets", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "datasets")
    args = parser.parse_args()

    texts = real_texts(args.datasets)
    rng = random.Random(args.seed)
    brands = brand_names(max(args.queries) + 1, rng)
    rows = messages(args.count, texts, brands, args.plant, args.seed)
    chars = sum(len(r["text"]) for r in rows) / len(rows)
    print(f"Python {platform.python_version()} on {platform.machine()}, one core")
    print(
        f"{len(texts):,} real texts; {len(rows):,} messages, {chars:.0f} characters on average, "
        f"{args.plant:.0%} with a planted brand"
    )

    start = time.perf_counter()
    prepare(rows)
    seconds = time.perf_counter() - start
    print(f"MatchDoc.from_message: {len(rows) / seconds:,.0f} messages/s ({seconds:.2f} s)")
    print()
    header = f"{'queries':>8} {'index s':>8} {'match msg/s':>12} {'prep+match msg/s':>17} {'evaluated/msg':>14} "
    header += f"{'matches':>9} {'msgs matched':>13} {'naive msg/s':>12}"
    print(header)

    for count in args.queries:
        texts_of_queries = [query_for(i, brands[i], brands[(i * 7 + 3) % len(brands)], rng) for i in range(count)]
        queries: dict[int, Query] = {i: parse(t) for i, t in enumerate(texts_of_queries)}

        start = time.perf_counter()
        multi = MultiMatcher(queries)
        build = time.perf_counter() - start

        docs = prepare(rows)  # fresh documents: no memo left from another run
        gc.collect()
        gc.freeze()  # 100,000 prepared messages stay alive here; ingest holds one page. Keep the collector off them.
        start = time.perf_counter()
        results = [multi.match(doc) for doc in docs]
        match_seconds = time.perf_counter() - start

        start = time.perf_counter()
        for row in rows:
            multi.match(MatchDoc.from_message(**row))
        both_seconds = time.perf_counter() - start

        gc.unfreeze()
        evaluated = sum(len(multi.candidates(doc)) for doc in docs[:10_000]) / min(len(docs), 10_000)
        matches = sum(len(r) for r in results)
        matched = sum(1 for r in results if r)

        expected = results[: args.naive]
        del docs, results
        sample = prepare(rows[: args.naive])
        singles = [(qid, compile(q)) for qid, q in queries.items()]
        gc.collect()
        gc.freeze()
        start = time.perf_counter()
        naive = [{qid for qid, m in singles if m.matches(doc)} for doc in sample]
        naive_seconds = time.perf_counter() - start
        gc.unfreeze()
        if naive != expected:
            raise SystemExit(f"MultiMatcher and the naive loop disagree with {count} queries")

        print(
            f"{count:>8} {build:>8.3f} {len(rows) / match_seconds:>12,.0f} {len(rows) / both_seconds:>17,.0f} "
            f"{evaluated:>14.2f} {matches:>9,} {matched:>13,} {len(sample) / naive_seconds:>12,.0f}"
        )
    print()
    print("match: MultiMatcher.match on prepared messages; prep+match: MatchDoc.from_message + match;")
    print(f"evaluated/msg: queries evaluated per message (first 10,000); naive: every query on each of {args.naive:,}")
    print("messages, results checked equal to MultiMatcher's.")


if __name__ == "__main__":
    main()
