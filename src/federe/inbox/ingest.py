"""The ingest pipeline: everything that happens to a page of fetched items, step by step, in the order it runs.

A sync stores each page in one transaction together with the cursor that follows it (connections.services), so a
crash mid-page loses nothing and stores nothing twice; every step below runs inside that transaction, and none
talks to a network (what must reach one, a rule's decision or an alert, is enqueued to run after the commit).

Each step is a function of the :class:`Page`: it reads what earlier steps found and adds what it finds. A new step
(publishing engagement, campaigns) is one more function, put in ``SYNC_STEPS`` at its place; ``bench/ingest.py
--profile`` times every step by its name.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from federe.analytics import rollup as analytics_rollup
from federe.connections.models import Connection
from federe.connectors.types import Item, MalformedItem
from federe.inbox import store
from federe.inbox.bodies import Body
from federe.inbox.models import Message
from federe.inbox.prepare import Pending, Prepared, preparer
from federe.listening import services as listening
from federe.moderation.services import moderate_new_messages
from federe.nlp import waves
from federe.nlp.pipeline import ToScore, message_scores
from federe.nlp.refine import queue as deep_queue
from federe.people import languages as person_languages
from federe.people.engagement.scoring import after_new_messages
from federe.search import indexing as search_indexing
from federe.sla import tracking as sla_tracking
from federe.webhooks import announce as webhooks_announce


@dataclass
class IngestStats:
    stored: int = 0
    updated: int = 0
    new_messages: list[Message] = field(default_factory=list)  # with their ids, for moderation
    skipped: list[MalformedItem] = field(default_factory=list)  # items no database could store

    def add(self, other: IngestStats) -> None:
        self.stored += other.stored
        self.updated += other.updated
        self.skipped += other.skipped


@dataclass
class Page:
    """What the steps know about the page so far."""

    connection: Connection
    items: list[Item]  # after ``screen``: the storable items, once each
    skipped: list[MalformedItem] = field(default_factory=list)
    bodies: dict[str, Body] = field(default_factory=dict)  # by external id
    author_ids: dict[str, int] = field(default_factory=dict)  # identity id by the author's external id
    new_authors: set[str] = field(default_factory=set)  # authors seen for the first time
    known: dict[str, tuple] = field(default_factory=dict)  # messages stored by earlier pages
    scores: dict[str, dict] = field(default_factory=dict)  # classifier columns of new and re-edited messages
    prepared: Prepared | None = None  # the pure work, done on both cores (``inbox.prepare``)
    pending: Pending | None = None  # that work, started in a worker process before the page's turn
    draft: store.Draft = field(default_factory=store.Draft)  # the new messages, before they are stored
    bands: waves.Bands | None = None  # their LSH bands, recorded once they have ids
    stored: store.Stored = field(default_factory=store.Stored)

    @property
    def workspace_id(self) -> int:
        return self.connection.workspace_id

    @property
    def created(self) -> list[Message]:
        return self.stored.created


# ------------------------------------------------------------------------------------------------ the steps


def screen(page: Page) -> None:
    """Leave out what no database can store (a lone surrogate, a NUL), said why; keep each item once."""
    kept, page.skipped = store.screen_items(page.items)
    page.items = list({item.external_id: item for item in kept}.values())


def prepare(page: Page) -> None:
    """The work that needs no database, on both cores: sanitise each body's HTML and extract its text (the only
    HTML Fédère ever shows); clean it, find its language, hash its features and sign it (``inbox.prepare``)."""
    page.prepared = page.pending.result(page.items) if page.pending else preparer.prepare(page.items)
    page.bodies = page.prepared.bodies


def find_authors(page: Page) -> None:
    """Each author's identity; a first-time author gets a person and an identity."""
    page.author_ids, page.new_authors = store.authors(page.connection, page.items)


def find_stored(page: Page) -> None:
    """The page's messages that earlier pages stored: they are updated, not created again."""
    page.known = store.stored_messages(page.connection, page.items)


def classify(page: Page) -> None:
    """Language, spam, toxicity and sentiment of new messages and edited texts; a status change keeps its scores."""
    first = store.first_messages(page.items, page.new_authors)
    fresh = [item for item in page.items if _text_is_new(page, item)]
    docs, ready = page.prepared.for_scoring([i.external_id for i in fresh], first) if page.prepared else (None, None)
    scores = message_scores(
        page.workspace_id,
        [ToScore(page.bodies[i.external_id].text, i.language, i.external_id in first) for i in fresh],
        docs=docs,
        ready=ready,
    )
    page.scores = {item.external_id: columns for item, columns in zip(fresh, scores, strict=True)}


def _text_is_new(page: Page, item: Item) -> bool:
    known = page.known.get(item.external_id)
    return known is None or known[1] != page.bodies[item.external_id].html


def draft_messages(page: Page) -> None:
    """The new messages built, not stored yet (their new threads are): the waves decide on them first."""
    page.draft = store.draft_messages(
        page.connection, page.items, page.bodies, page.author_ids, page.known, page.scores
    )


def join_waves(page: Page) -> None:
    """Near-duplicates join a spam wave and share its score: the new messages are stored with their wave, score
    and details (no update after); earlier messages that join are updated (``nlp.waves``)."""
    signed = page.prepared.signatures if page.prepared else {}
    page.bands = waves.detect(page.workspace_id, page.draft.new, [signed.get(m.external_id) for m in page.draft.new])


def store_messages(page: Page) -> None:
    """Create the new messages; update the edited ones, keeping each previous text."""
    page.stored = store.store_messages(page.draft, page.items, page.bodies, page.known, page.scores)


def record_bands(page: Page) -> None:
    """The new messages' LSH bands, for later pages' look-ups (``nlp.waves``), now that they have ids."""
    waves.record(page.bands, page.created)


def index_for_search(page: Page) -> None:
    """The search documents of the new messages and of the edited texts, in one bulk write (``search``)."""
    search_indexing.index_messages(page.workspace_id, page.created, new=True)
    search_indexing.index_messages(page.workspace_id, page.stored.rewritten)


def listen(page: Page) -> None:
    """Every saved listening query matched in one pass; spikes checked for the queries that got news."""
    new_mentions = listening.match_messages(page.workspace_id, page.created)
    listening.check_spikes(page.workspace_id, list(new_mentions))


def move_clocks(page: Page) -> None:
    """Threads that got news move forward (and reopen if answered or closed); so do their authors' "last seen"."""
    store.move_thread_clocks(page.stored.clocks)
    returning = {key: pk for key, pk in page.author_ids.items() if key not in page.new_authors}
    store.move_last_seen(returning, page.items)


def sla_clocks(page: Page) -> None:
    """The SLA clocks of the threads that got customer messages (a few queries a page; none without a policy)."""
    sla_tracking.customer_messages(page.workspace_id, page.created)


def moderate(page: Page) -> None:
    """The workspace's rules decide on each new message (what reaches the network is enqueued after commit)."""
    moderate_new_messages(page.connection, page.created)


def refine_later(page: Page) -> None:
    """New messages in French or English wait for the deep tier (one durable row each, in this transaction); the
    worker refines their scores within seconds and runs the score-based rules again (``nlp.refine``)."""
    _queue_for_deep(page, deep_queue.LIVE)


def refine_history(page: Page) -> None:
    """An imported history waits for the deep tier too, behind new messages; no rule runs on it again."""
    _queue_for_deep(page, deep_queue.BACKFILL)


def _queue_for_deep(page: Page, priority: int) -> None:
    if deep_queue.enabled():
        ids = [m.pk for m in page.created if m.language in deep_queue.LANGUAGES]
        deep_queue.enqueue(page.workspace_id, ids, priority=priority, new=True)


def count_for_dashboards(page: Page) -> None:
    """The dashboards' daily counters, members' first and last days and threads' sizes, from the new messages only
    (a re-sent page adds nothing): a few set-based upserts (``analytics.rollup``)."""
    analytics_rollup.count_messages(analytics_rollup.rows_of(page.created))


def announce(page: Page) -> None:
    """One "message received" webhook event per new inbound message, in one bulk insert (nothing when no endpoint
    of the workspace subscribes); delivered by the worker after commit (``webhooks``)."""
    webhooks_announce.messages_received(page.workspace_id, page.created)


def score_people(page: Page) -> None:
    """The authors' engagement scores, levels, reach and languages, and those of the people they replied to; the
    languages of the authors of edited texts (an edit may change a message's language)."""
    after_new_messages(page.workspace_id, page.created)
    person_languages.follow_edits([m.pk for m in page.stored.rewritten])


# ------------------------------------------------------------------------------------------------ the order

Step = Callable[[Page], None]

#: A sync's page, in this order. The rules see the wave's spam score; people are scored on the page's messages.
SYNC_STEPS: tuple[Step, ...] = (
    screen,
    prepare,
    find_authors,
    find_stored,
    classify,
    draft_messages,
    join_waves,
    store_messages,
    record_bands,
    index_for_search,
    listen,
    move_clocks,
    sla_clocks,
    moderate,
    refine_later,
    score_people,
    count_for_dashboards,
    announce,
)

#: An imported history: stored, classified and matched like a sync's page, but no rule acts on years-old messages,
#: no SLA clock starts on them and people's scores are recomputed once, at the end of the import; the deep tier
#: refines it behind new messages.
HISTORY_STEPS: tuple[Step, ...] = tuple(
    refine_history if step is refine_later else step
    for step in SYNC_STEPS
    if step not in (sla_clocks, moderate, score_people, announce)
)


def ingest_page(connection: Connection, items: Sequence[Item], pending: Pending | None = None) -> IngestStats:
    """A sync's page, every step; call inside the page's transaction (the cursor is saved in the same one).
    ``pending``: the page's pure work, submitted ahead (``inbox.prepare.Preparer.submit``)."""
    return _run(Page(connection, list(items), pending=pending), SYNC_STEPS)


def ingest_items(connection: Connection, items: Sequence[Item]) -> IngestStats:
    """Store items of an imported history (``HISTORY_STEPS``: no rules, no people scores); in a transaction.

    Items that no database can store are left out and returned in ``skipped``; the rest is stored.
    """
    return _run(Page(connection, list(items)), HISTORY_STEPS)


def _run(page: Page, steps: Sequence[Step]) -> IngestStats:
    for step in steps:
        step(page)
        if not page.items:
            break  # nothing storable left: no later step has work
    created = page.created
    return IngestStats(stored=len(created), updated=page.stored.updated, new_messages=created, skipped=page.skipped)
