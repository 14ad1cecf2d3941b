"""Search at 1,000,000 messages on PostgreSQL: p50 and p95 of ``search.backends.search`` for realistic queries.

    FEDERE_ENV=test .venv/bin/python bench/search.py                       # PostgreSQL, 1,000,000 messages
    FEDERE_ENV=test .venv/bin/python bench/search.py -n 100000 --runs 30
    FEDERE_ENV=test .venv/bin/python bench/search.py --backend sqlite -n 100000

A fresh database (PostgreSQL: its name must contain "bench"; dropped and created again, and dropped at the end
unless --keep) gets one workspace with four channels, 5,000 authors, 100,000 threads and ``-n`` messages of
generated French and English community text (sentences from a few hundred words, nouns drawn with a Zipf-like
law, 60 % French), a sentiment, a thread status, a few assignees and labels. On PostgreSQL the messages and their
search documents are written with COPY (the documents made by ``search.analysis.document``, the same function as
ingest) and the GIN index is built after; on SQLite with bulk_create. That part is untimed.

Then each query runs ``--runs`` times through ``search.backends.search`` (the page of 20 results, the count up to
1,000 and the excerpts: what the page and the API do) and its p50 and p95 are printed with how many messages it
matched. This is a benchmark, not a test.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import time
from datetime import UTC, date, datetime, timedelta

import throwaway_pg

DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/federe_bench_search"

FR_OPENINGS = ["Bonjour", "Salut", "Bonsoir", "Merci", "Franchement", "Encore une fois", "Au secours", "Bravo"]
FR_PHRASES = [
    "ma commande n'est toujours pas arrivée",
    "le service client ne répond pas",
    "la livraison a pris trois semaines",
    "je voudrais un remboursement",
    "le café était excellent ce matin",
    "les chevaux du manège sont magnifiques",
    "votre application plante au démarrage",
    "je n'arrive pas à me connecter",
    "quel plaisir de vous lire",
    "le colis est arrivé abîmé",
    "les horaires ont changé sans prévenir",
    "la nouvelle version est bien plus rapide",
    "j'attends toujours une réponse",
    "le vélo électrique est tombé en panne",
    "vos vendeurs sont adorables",
    "le prix a encore augmenté",
    "c'est la meilleure boutique du quartier",
    "impossible de payer par carte",
]
FR_NOUNS = [
    "commande",
    "livraison",
    "colis",
    "facture",
    "magasin",
    "produit",
    "équipe",
    "rendez-vous",
    "abonnement",
    "vélo",
    "café",
    "gâteau",
    "boutique",
    "réparation",
    "garantie",
    "application",
    "compte",
    "message",
    "réponse",
    "problème",
    "promotion",
    "marché",
    "festival",
    "atelier",
    "concert",
    "chevaux",
    "écran",
]
EN_OPENINGS = ["Hi", "Hello", "Thanks", "Honestly", "Once again", "Help", "Great job", "Hey team"]
EN_PHRASES = [
    "my order still has not arrived",
    "customer service is not answering",
    "the delivery took three weeks",
    "I would like a refund",
    "the coffee was excellent this morning",
    "your app crashes on startup",
    "I cannot log in to my account",
    "what a pleasure to read you",
    "the parcel arrived damaged",
    "the opening hours changed without notice",
    "the new version is much faster",
    "I am still waiting for an answer",
    "the electric bike broke down",
    "your staff are lovely",
    "the price went up again",
    "running late for the event",
    "best shop in the neighbourhood",
    "card payment does not work",
]
EN_NOUNS = [
    "order",
    "delivery",
    "parcel",
    "invoice",
    "store",
    "product",
    "team",
    "appointment",
    "subscription",
    "bike",
    "coffee",
    "cake",
    "shop",
    "repair",
    "warranty",
    "app",
    "account",
    "message",
    "answer",
    "problem",
    "discount",
    "market",
    "festival",
    "workshop",
    "concert",
    "horses",
    "screen",
]
RARE = "zeppelin"  # planted in 1 message out of 20,000
SENTIMENTS = ["positive", "neutral", "negative"]
STATUSES = ["new", "assigned", "answered", "closed"]


def zipf_pick(rng: random.Random, words: list[str]) -> str:
    return words[min(int(rng.paretovariate(1.1)) - 1, len(words) - 1)]


def text_of(rng: random.Random, n: int) -> tuple[str, str]:
    french = rng.random() < 0.6
    openings, phrases, nouns = (FR_OPENINGS, FR_PHRASES, FR_NOUNS) if french else (EN_OPENINGS, EN_PHRASES, EN_NOUNS)
    parts = [rng.choice(openings) + ","]
    for _ in range(rng.randint(1, 3)):
        parts.append(rng.choice(phrases) + ".")
    parts.append(" ".join(zipf_pick(rng, nouns) for _ in range(rng.randint(1, 4))) + f" #{n % 997}")
    if n % 20_000 == 7:
        parts.append(RARE)
    return " ".join(parts), "fr" if french else "en"


def setup(args: argparse.Namespace) -> str:
    if args.existing:
        url = args.postgres_url
    elif args.backend == "postgres":
        url = args.postgres_url
        throwaway_pg.create(url)
    else:
        url = throwaway_pg.sqlite_url("search")
    throwaway_pg.start_django(url, migrate=not args.existing)
    return url


def populate(count: int, backend: str) -> tuple:
    from federe.accounts.models import User, Workspace
    from federe.connections.models import Connection
    from federe.inbox.models import Conversation, Label, Message
    from federe.people.models import Identity, Person
    from federe.search.analysis import document
    from federe.search.models import SearchDocument

    rng = random.Random(42)
    ws = Workspace.objects.create(slug="bench", name="Bench", timezone="Europe/Paris")
    agents = [User.objects.create(username=f"agent{n}") for n in range(3)]
    channels = [Connection.objects.create(workspace=ws, network="dummy", name=f"Channel {n}") for n in range(4)]
    people = Person.objects.bulk_create([Person(workspace=ws, display_name=f"Person {n}") for n in range(5000)])
    identities = Identity.objects.bulk_create(
        Identity(workspace=ws, connection=channels[n % 4], person=p, external_id=f"a{n}", handle=f"user{n}",
                 display_name=f"Person {n}")
        for n, p in enumerate(people)
    )  # fmt: skip
    start = datetime(2025, 1, 1, tzinfo=UTC)
    threads = Conversation.objects.bulk_create(
        (Conversation(workspace=ws, connection=channels[n % 4], external_id=f"t{n}", title=f"Thread {n}",
                      status=STATUSES[n % 4], assignee=agents[n % 3] if n % 4 == 1 else None,
                      last_message_at=start)
         for n in range(100_000)),
        batch_size=5000,
    )  # fmt: skip
    labels = [Label.objects.create(workspace=ws, name=name) for name in ("bug", "lead", "press")]
    Conversation.labels.through.objects.bulk_create(
        [Conversation.labels.through(conversation_id=t.pk, label_id=labels[n % 3].pk) for n, t in
         enumerate(threads[::10])], batch_size=5000
    )  # fmt: skip
    span = 700 * 86400
    rows, docs = [], []
    for n in range(1, count + 1):
        text, language = text_of(rng, n)
        thread = threads[rng.randrange(len(threads))]
        rows.append((n, ws.pk, thread.connection_id, thread.pk, identities[rng.randrange(len(identities))].pk,
                     f"m{n}", text, language, SENTIMENTS[rng.randrange(3)],
                     start + timedelta(seconds=rng.randrange(span))))  # fmt: skip
        docs.append((n, ws.pk, document(text, language), rows[-1][2], rows[-1][4], rows[-1][9]))
    if backend == "postgres":
        copy_rows(rows, docs)
    else:
        Message.objects.bulk_create(
            (Message(pk=r[0], workspace_id=r[1], connection_id=r[2], conversation_id=r[3], author_id=r[4],
                     external_id=r[5], body_html=r[6], body_text=r[6], language=r[7], sentiment=r[8], posted_at=r[9])
             for r in rows),
            batch_size=2000,
        )  # fmt: skip
        SearchDocument.objects.bulk_create(
            (SearchDocument(message_id=d[0], workspace_id=d[1], document=d[2], connection_id=d[3], author_id=d[4],
                            posted_at=d[5]) for d in docs),
            batch_size=2000,
        )  # fmt: skip
    return ws, channels, agents, labels


def existing() -> tuple:
    """The workspace, channels, agents and labels of a database that ``populate`` wrote before."""
    from federe.accounts.models import User, Workspace
    from federe.connections.models import Connection
    from federe.inbox.models import Label

    ws = Workspace.objects.get(slug="bench")
    channels = list(Connection.objects.filter(workspace=ws).order_by("pk"))
    agents = list(User.objects.filter(username__startswith="agent").order_by("pk"))
    return ws, channels, agents, list(Label.objects.filter(workspace=ws).order_by("pk"))


def copy_rows(rows: list[tuple], docs: list[tuple]) -> None:
    from django.db import connection

    now = datetime.now(UTC)
    columns = ("id, workspace_id, connection_id, conversation_id, author_id, external_id, body_html, body_text,"
               " language, sentiment, posted_at, parent_external_id, direction, kind, network_status, review, nlp,"
               " created_at, updated_at, url")  # fmt: skip
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(f"COPY inbox_message ({columns}) FROM STDIN") as copy:
            for r in rows:
                copy.write_row((*r[:6], r[6], r[6], r[7], r[8], r[9], "", "in", "comment", "published", "", "{}",
                                now, now, ""))  # fmt: skip
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('inbox_message', 'id'), (SELECT max(id) FROM inbox_message))"
        )
        cursor.execute("DROP INDEX search_document_tsv")
        copy_documents = (
            "COPY search_document (message_id, workspace_id, document, connection_id, author_id, posted_at)"
        )
        with raw.copy(copy_documents + " FROM STDIN") as copy:
            for d in docs:
                copy.write_row(d)
        cursor.execute("SET maintenance_work_mem = '512MB'")  # the server's 64 MB default makes this minutes longer
        cursor.execute("CREATE INDEX search_document_tsv ON search_document USING gin (tsv)")
        cursor.execute("ANALYZE")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--count", type=int, default=1_000_000)
    parser.add_argument("--backend", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--postgres-url", default=os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL))
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--existing", action="store_true", help="query a database kept by --keep (migrated since), as it is: no drop"
    )
    args = parser.parse_args()
    if args.existing:
        args.keep = True
    database = setup(args)
    try:
        run(args, database)
    finally:
        if not args.keep:
            throwaway_pg.remove(database)


def run(args: argparse.Namespace, database: str) -> None:
    from federe.search.backends import search
    from federe.search.query import SearchQuery

    began = time.perf_counter()
    ws, channels, agents, labels = existing() if args.existing else populate(args.count, args.backend)
    written = "an existing database" if args.existing else f"written in {time.perf_counter() - began:.0f} s (untimed)"
    print(f"Search, {args.count:,} messages ({args.backend}), {written};"
          f" Python {platform.python_version()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}")  # fmt: skip
    queries = [
        ("word", SearchQuery(text="remboursement")),
        ("word, other form", SearchQuery(text="chevaux")),
        ("phrase", SearchQuery(text='"service client"')),
        ("two words", SearchQuery(text="colis abîmé")),
        (
            "word + channel, dates, status",
            SearchQuery(
                text="livraison", channel=channels[0].pk, since=date(2025, 6, 1), until=date(2025, 9, 30), status="new"
            ),
        ),
        ("word + assignee + label", SearchQuery(text="refund", assignee=agents[1].pk, label=labels[0].pk)),
        ("word + author", SearchQuery(text="commande", author="user12")),
        ("rare word", SearchQuery(text=RARE)),
        ("common word", SearchQuery(text="merci")),
        ("very common word", SearchQuery(text="the")),
    ]
    print(f"  {'query':<32} {'found':>7}  {'p50':>8}  {'p95':>8}   ({args.runs} runs, page 1 of 20, count to 1,000)")
    for label, query in queries:
        parsed = query.parsed()
        seconds, total = [], 0
        for _ in range(args.runs):
            t0 = time.perf_counter()
            total = search(ws, parsed).total
            seconds.append(time.perf_counter() - t0)
        print(f"  {label:<32} {total:>7,}  {statistics.median(seconds) * 1000:6.0f} ms  "
              f"{percentile(seconds, 0.95) * 1000:6.0f} ms")  # fmt: skip
    print(f"  load after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
