"""A page's pure work done partly in a worker process (``inbox.prepare``) stores exactly what one process stores."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from federe.connectors.types import Author, Item
from federe.inbox import ingest
from federe.inbox.models import Message
from federe.inbox.prepare import merged, prepare, preparer, raw_of
from federe.nlp.models import Wave
from tests.factories import ConnectionFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db(transaction=True)
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)

TEXTS = [
    "Bonjour, ma commande n'est jamais arrivée, pouvez-vous m'aider ?",
    "The new roast is great, thanks for the tip!",
    "GAGNEZ un iPhone 17 GRATUIT !!! Cliquez ici http://promo.example.com",
    "vous êtes vraiment des incapables",
    "Hola, ¿dónde está mi pedido? Gracias por la ayuda de todos",
    "<p>Un <b>message</b> en <a href='https://example.org'>HTML</a> &amp; des entités</p>",
    "I disagree, the whole beans was better before.",
    "Écrivez-moi à promo@example.com ou au 06 12 34 56 78 pour un code",
    "",
    "ok",
]


def page(seed: int, n: int) -> list[Item]:
    """Varied items: French, English, other languages, HTML, empty and short texts, near-duplicate spam from many
    authors (a wave), first messages of new authors and returning ones, a language given by the network."""
    rnd = random.Random(seed)
    items = []
    for i in range(n):
        text = rnd.choice(TEXTS)
        if rnd.random() < 0.3:
            text = f"Achetez des abonnés pas chers sur http://abonnes.example.net code {rnd.randint(1, 9)} !!!"
        author = f"a{rnd.randint(1, n // 3)}"
        items.append(
            Item(
                external_id=f"m{seed}-{i}",
                thread_id=f"t{rnd.randint(1, 12)}",
                author=Author(external_id=author, handle=author, display_name=author),
                body_html=f"<p>{text}</p>" if text else "",
                created_at=T0 + timedelta(seconds=i * 7),
                language=rnd.choice(["", "", "", "fr", "en"]),
            )
        )
    return items


COLUMNS = [
    "external_id",
    "body_html",
    "body_text",
    "language",
    "spam_score",
    "toxicity_score",
    "sentiment",
    "sentiment_score",
    "nlp",
    "review",
]


def stored(connection) -> list[tuple]:
    rows = Message.objects.filter(connection=connection).order_by("external_id").values_list(*COLUMNS, "wave_id")
    waves = dict(Wave.objects.filter(workspace=connection.workspace).values_list("pk", "size"))
    for *_, nlp, _, _ in rows:
        nlp.get("wave", {}).pop("id", None)  # the two workspaces' waves have their own ids
    return [(*row[:-1], waves.get(row[-1])) for row in rows]


def ingest_twice(settings, processes: int) -> list[tuple]:
    settings.FEDERE_INGEST_PROCESSES = processes
    settings.FEDERE_INGEST_MIN_SHARE = 1
    workspace = WorkspaceFactory(slug=f"ws{processes}")
    connection = ConnectionFactory(workspace=workspace, name="Blog")
    for seed in (1, 2):
        ingest.ingest_page(connection, page(seed, 150))
    return stored(connection)


def test_a_page_prepared_on_two_processes_stores_what_one_process_stores(settings):
    try:
        alone = ingest_twice(settings, 0)
        shared = ingest_twice(settings, 1)
        assert preparer._pool is not None  # the worker process did take its share
    finally:
        preparer.close()
    assert len(alone) == 300
    assert any(row[-1] for row in alone)  # the spam made a wave
    assert {row[3] for row in alone} >= {"fr", "en", "other"}
    assert [row for row in shared if row not in alone] == []
    assert shared == alone


def test_the_parts_of_a_page_merge_into_what_the_whole_page_gives():
    items = page(3, 40)
    whole = prepare(raw_of(items))
    parts = merged([prepare(raw_of(items[:13])), prepare(raw_of(items[13:]))])
    assert parts.bodies == whole.bodies
    assert parts.rows == whole.rows
    assert (parts.features != whole.features).nnz == 0
    assert {k: d.language for k, d in parts.docs.items()} == {k: d.language for k, d in whole.docs.items()}
    for key, sig in whole.signatures.items():
        other = parts.signatures[key]
        assert (sig is None and other is None) or (sig == other).all()


def test_the_first_message_feature_is_set_as_featurize_sets_it():
    from federe.nlp.base import DocBatch
    from federe.nlp.text import prepare as prepare_text

    items = page(4, 30)
    keys = [item.external_id for item in items]
    first = set(keys[::4])
    prepared = prepare(raw_of(items))
    docs, ready = prepared.for_scoring(keys, first)
    expected = DocBatch(
        [prepare_text(prepared.bodies[key].text, meta={"first_message": key in first}) for key in keys]
    ).features
    assert (ready.features != expected).nnz == 0
    assert [doc.meta["first_message"] for doc in docs] == [key in first for key in keys]


def test_a_sync_submits_each_next_page_before_it_stores_the_one_before(settings, monkeypatch):
    from federe.connections import services

    settings.FEDERE_INGEST_PROCESSES = 1
    settings.FEDERE_INGEST_MIN_SHARE = 1
    events: list[str] = []
    submit, ingest_page = preparer.submit, services.ingest_page

    def submitted(items):
        events.append(f"submit {items[0].external_id}")
        return submit(items)

    def stored_page(connection, items, pending=None):
        assert pending is not None
        events.append(f"store {items[0].external_id}")
        return ingest_page(connection, items, pending)

    monkeypatch.setattr(preparer, "submit", submitted)
    monkeypatch.setattr(services, "ingest_page", stored_page)
    workspace = WorkspaceFactory(slug="ahead")
    connection = ConnectionFactory(workspace=workspace, name="Blog")  # 50 items, pages of 20
    try:
        outcome = services.sync_connection(connection.pk)
    finally:
        preparer.close()
    assert outcome is not None and outcome.run.error == "" and outcome.run.pages == 3
    firsts = [event.split()[1] for event in events if event.startswith("store")]
    assert events == [
        f"submit {firsts[0]}",
        f"submit {firsts[1]}",
        f"store {firsts[0]}",
        f"submit {firsts[2]}",
        f"store {firsts[1]}",
        f"store {firsts[2]}",
    ]
    assert Message.objects.filter(connection=connection).count() == 50


def _recorded(monkeypatch, events: list[str]):
    """Each fetch and each stored page, in order, by the page's first item."""
    from federe.connections import services
    from federe.connectors.dummy.connector import DummyConnector

    fetch, ingest_page = DummyConnector.fetch, services.ingest_page

    def fetched(self, cursor):
        batch = fetch(self, cursor)
        events.append(f"fetch {batch.items[0].external_id}")
        return batch

    def stored_page(connection, items, pending=None):
        events.append(f"store {items[0].external_id}")
        return ingest_page(connection, items, pending)

    monkeypatch.setattr(DummyConnector, "fetch", fetched)
    monkeypatch.setattr(services, "ingest_page", stored_page)
    return DummyConnector


def test_a_bug_fetching_the_next_page_stores_the_page_before_first(connection, monkeypatch):
    from federe.connections.services import sync_connection
    from federe.connectors.dummy.connector import DummyConnector

    fetch = DummyConnector.fetch
    calls = []

    def second_breaks(self, cursor):
        calls.append(cursor)
        if len(calls) == 2:
            raise KeyError("a field the network stopped sending")
        return fetch(self, cursor)

    monkeypatch.setattr(DummyConnector, "fetch", second_breaks)
    run = sync_connection(connection.pk).run
    connection.refresh_from_db()
    assert run.outcome == "failed" and run.pages == 1
    assert connection.cursor == {"position": 20}
    assert Message.objects.filter(connection=connection).count() == 20


def test_a_connector_that_waits_for_news_is_not_read_ahead(connection, monkeypatch):
    from federe.connections.services import sync_connection

    events: list[str] = []
    connector = _recorded(monkeypatch, events)
    sync_connection(connection.pk)
    assert [e.split()[0] for e in events[:3]] == ["fetch", "fetch", "store"]  # read ahead
    events.clear()
    Message.objects.all().delete()
    connection.refresh_from_db()
    connection.cursor = {}
    connection.save()
    monkeypatch.setattr(connector, "long_poll_seconds", 25)
    sync_connection(connection.pk)
    assert [e.split()[0] for e in events] == ["fetch", "store"] * 3  # each page stored before the next is asked for


def test_the_worker_process_ends_with_its_parent_killed_outright(tmp_path):
    """A worker killed with SIGKILL (out of memory, kill -9) leaves no process behind."""
    import os
    import signal
    import subprocess
    import sys
    import time

    script = tmp_path / "parent.py"
    script.write_text(
        "import os, time\n"
        "if __name__ == '__main__':\n"
        "    import django\n"
        "    django.setup()\n"
        "    from django.conf import settings\n"
        "    settings.FEDERE_INGEST_PROCESSES = 1\n"
        "    from federe.inbox.prepare import preparer\n"
        "    pool = preparer._executor()\n"
        "    pool.submit(os.getpid).result()\n"
        "    print(list(pool._processes), flush=True)\n"
        "    time.sleep(60)\n"
    )
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True, env=os.environ.copy())
    try:
        children = [int(pid) for pid in parent.stdout.readline().strip("[]\n").split(",")]
        assert children and all(_alive(pid) for pid in children)
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait()
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in children)


def _alive(pid: int) -> bool:
    import os

    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ")[1][0] != "Z"  # a zombie is gone, waiting to be reaped
    except FileNotFoundError:
        return False
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
