"""Storing what a connector fetched: incremental, idempotent, in bulk.

A page is stored in one transaction together with the cursor that follows it,
so a crash mid-batch loses nothing and stores nothing twice.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from federe.connections.models import Connection
from federe.connectors.types import Author, Item, MalformedItem, NetworkStatus
from federe.inbox.bodies import Body, body_of
from federe.inbox.bulk import set_column
from federe.inbox.models import Conversation, ConversationStatus, Message, MessageRevision, ReviewState
from federe.nlp import waves
from federe.nlp.pipeline import enrich, message_fields
from federe.nlp.text import prepare
from federe.people.models import Identity, Person

CHUNK = 500  # stays under every database's bound-parameter limit


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


_SURROGATE = re.compile("[\ud800-\udfff]")
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(text: str) -> str:
    """``text`` as every database stores it: a lone surrogate becomes U+FFFD, a NUL is dropped."""
    return _SURROGATE.sub("\ufffd", text).replace("\x00", "")


def _unstorable_field(item: Item) -> str:
    """The first text field of the item or its author that no database can store, or ''.

    A lone surrogate ("\\ud800" is valid JSON) cannot be encoded as UTF-8, and PostgreSQL refuses NUL in text:
    either would fail the whole page, again at every retry, since the cursor would never move past it.
    """
    for owner in (item, item.author):
        for spec in fields(owner):
            value = getattr(owner, spec.name)
            if isinstance(value, str) and _UNSTORABLE.search(value):
                return f"{'author.' if owner is item.author else ''}{spec.name}"
    return ""


def screen_items(items: Sequence[Item]) -> tuple[list[Item], list[MalformedItem]]:
    """The items a database can store, and the others as malformed, each with its reason."""
    kept: list[Item] = []
    skipped: list[MalformedItem] = []
    for item in items:
        problem = _unstorable_field(item)
        if not problem:
            kept.append(item)
            continue
        shown = storable(item.external_id)[:80]
        reason = _("Item %(id)s was skipped: a character in its %(field)s cannot be stored.") % {
            "id": shown,
            "field": _FIELD_WORDS.get(problem, problem),
        }
        skipped.append(MalformedItem(reason=reason, external_id=shown))
    return kept, skipped


_FIELD_WORDS = {
    "external_id": _lazy("id"),
    "thread_id": _lazy("thread id"),
    "parent_id": _lazy("parent id"),
    "body_html": _lazy("text"),
    "thread_title": _lazy("title"),
    "url": _lazy("address"),
    "language": _lazy("language"),
    "author.external_id": _lazy("author id"),
    "author.handle": _lazy("author name"),
    "author.display_name": _lazy("author name"),
    "author.profile_url": _lazy("author address"),
    "author.email": _lazy("author e-mail"),
    "author.avatar_url": _lazy("author picture"),
}


def _chunks(values: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _existing(model: type, connection: Connection, external_ids: Sequence[str], *fields: str) -> dict:
    found: dict = {}
    for chunk in _chunks(external_ids):
        rows = model.objects.filter(connection=connection, external_id__in=chunk).values_list(  # type: ignore[attr-defined]
            "external_id", *fields
        )
        found.update({row[0]: row[1:] if len(fields) > 1 else row[1] for row in rows})
    return found


def _span(items: Sequence[Item], key: Callable[[Item], str]) -> dict[str, tuple[datetime, datetime]]:
    """First and last date per key (author, thread) in one pass."""
    span: dict[str, tuple[datetime, datetime]] = {}
    for item in items:
        k = key(item)
        first, last = span.get(k, (item.created_at, item.created_at))
        span[k] = (min(first, item.created_at), max(last, item.created_at))
    return span


def _identities(connection: Connection, items: Sequence[Item]) -> tuple[dict[str, int], set[str]]:
    """Identity ids by external id, and the external ids created now (their person is already up to date)."""
    authors: dict[str, Author] = {item.author.external_id: item.author for item in items}
    known = _existing(Identity, connection, list(authors), "id")
    missing = [authors[key] for key in authors if key not in known]
    if missing:
        seen = _span(items, lambda i: i.author.external_id)
        persons = Person.objects.bulk_create(
            Person(
                workspace_id=connection.workspace_id,
                display_name=(a.display_name or a.handle or a.external_id)[:200],
                first_seen_at=seen[a.external_id][0],
                last_seen_at=seen[a.external_id][1],
            )
            for a in missing
        )
        created = Identity.objects.bulk_create(
            Identity(
                workspace_id=connection.workspace_id,
                connection=connection,
                person=person,
                external_id=a.external_id,
                handle=a.handle[:255],
                display_name=a.display_name[:255],
                profile_url=a.profile_url[:500],
                email=a.email,
                avatar_url=a.avatar_url[:500],
            )
            for a, person in zip(missing, persons, strict=True)
        )
        known.update({identity.external_id: identity.pk for identity in created})
    return known, {a.external_id for a in missing}


def _conversations(
    connection: Connection, items: Sequence[Item], texts: dict[str, str], languages: dict[str, str]
) -> tuple[dict[str, int], set[str]]:
    """Conversation ids by thread id, and the thread ids created now (their clock is already right)."""
    roots: dict[str, Item] = {}
    for item in items:
        current = roots.get(item.thread_id)
        if current is None or item.created_at < current.created_at:
            roots[item.thread_id] = item
    known = _existing(Conversation, connection, list(roots), "id")
    missing = [roots[key] for key in roots if key not in known]
    if missing:
        span = _span(items, lambda i: i.thread_id)
        created = Conversation.objects.bulk_create(
            Conversation(
                workspace_id=connection.workspace_id,
                connection=connection,
                external_id=item.thread_id,
                title=(item.thread_title or texts[item.external_id][:80])[:300],
                language=item.language or languages.get(item.external_id, "other"),
                last_message_at=span[item.thread_id][1],
            )
            for item in missing
        )
        known.update({conv.external_id: conv.pk for conv in created})
    return known, {item.thread_id for item in missing}


def _touch_conversations(conversation_latest: dict[int, datetime]) -> None:
    """Move each thread's clock forward and reopen answered or closed threads that got news."""
    conversations = Conversation.objects.filter(pk__in=list(conversation_latest))
    changed = []
    for conv in conversations:
        latest = conversation_latest[conv.pk]
        if conv.last_message_at is None or latest > conv.last_message_at:
            conv.last_message_at = latest
            if conv.status in (ConversationStatus.ANSWERED, ConversationStatus.CLOSED):
                conv.status = ConversationStatus.ASSIGNED if conv.assignee_id else ConversationStatus.NEW
            changed.append(conv)
    Conversation.objects.bulk_update(changed, ["last_message_at", "status"])


def _touch_persons(identity_ids: dict[str, int], items: Sequence[Item]) -> None:
    latest: dict[int, datetime] = {}
    for item in items:
        identity = identity_ids.get(item.author.external_id)
        if identity is None:
            continue
        if identity not in latest or item.created_at > latest[identity]:
            latest[identity] = item.created_at
    persons = Person.objects.filter(identities__in=list(latest)).values_list("identities", "id", "last_seen_at")
    stale = []
    for identity_id, person_id, last_seen in persons:
        if last_seen is None or latest[identity_id] > last_seen:
            stale.append(Person(pk=person_id, last_seen_at=latest[identity_id]))
    set_column(Person, "last_seen_at", {person.pk: person.last_seen_at for person in stale})


def _scores(connection: Connection, items: Sequence[Item], texts: dict[str, str], first: set[str]) -> dict[str, dict]:
    """Classifier columns per external id (language, spam, toxicity, sentiment), in one batch."""
    if not items:
        return {}
    docs = [
        prepare(texts[item.external_id], language=item.language, meta={"first_message": item.external_id in first})
        for item in items
    ]
    results = enrich(docs, workspace_id=connection.workspace_id, keep_language=[bool(i.language) for i in items])
    out = {}
    for i, (item, doc) in enumerate(zip(items, docs, strict=True)):
        fields = message_fields(doc, results, i)
        fields["language"] = item.language or doc.language
        out[item.external_id] = fields
    return out


def _first_messages(items: Sequence[Item], new_authors: set[str]) -> set[str]:
    """External ids of the first message, in this page, of each author seen for the first time."""
    first: dict[str, Item] = {}
    for item in items:
        key = item.author.external_id
        if key in new_authors and (key not in first or item.created_at < first[key].created_at):
            first[key] = item
    return {item.external_id for item in first.values()}


def _new_message(connection: Connection, item: Item, conversation_id: int, author_id: int, body: Body, scores: dict):
    return Message(
        workspace_id=connection.workspace_id,
        connection=connection,
        conversation_id=conversation_id,
        external_id=item.external_id,
        parent_external_id=item.parent_id,
        author_id=author_id,
        kind=item.kind,
        body_html=body.html,
        body_text=body.text,
        body_truncated_from=body.truncated_from,
        network_status=item.status,
        url=item.url[:500],
        posted_at=item.created_at,
        edited_at=item.edited_at,
        review=ReviewState.PENDING if item.status == NetworkStatus.HELD else ReviewState.NONE,
        reach=_count(item.raw.get("reach")),
        engagement=_count(item.raw.get("engagement")),
        **scores,
    )


def _count(value: Any) -> int | None:
    """A non-negative count the network gave, or None."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number >= 0 else None


def _changed_message(known: tuple, item: Item, body: Body) -> Message | None:
    """The update to make when the network edited the item or changed its status, else None."""
    pk, old_html, old_status, review = known
    if old_html == body.html and old_status == item.status:
        return None
    if review == ReviewState.PENDING and item.status != NetworkStatus.HELD:
        review = ReviewState.REVIEWED  # a moderator decided on the network itself
    return Message(
        pk=pk,
        body_html=body.html,
        body_text=body.text,
        body_truncated_from=body.truncated_from,
        network_status=item.status,
        edited_at=item.edited_at or item.created_at,
        review=review,
    )


def ingest_items(connection: Connection, items: Sequence[Item]) -> IngestStats:
    """Store new items, update edited ones; call inside the page's transaction.

    Items that no database can store are left out and returned in ``skipped``; the rest is stored.
    """
    items, skipped = screen_items(items)
    if not items:
        return IngestStats(skipped=skipped)
    unique = list({item.external_id: item for item in items}.values())
    bodies = {item.external_id: body_of(item.body_html) for item in unique}
    html = {key: body.html for key, body in bodies.items()}
    texts = {key: body.text for key, body in bodies.items()}
    identity_ids, new_authors = _identities(connection, unique)
    fields = ("id", "body_html", "network_status", "review")
    known = _existing(Message, connection, [i.external_id for i in unique], *fields)
    # New messages and edited texts are scored; a status change alone keeps the scores.
    to_score = [i for i in unique if i.external_id not in known or known[i.external_id][1] != html[i.external_id]]
    scores = _scores(connection, to_score, texts, _first_messages(unique, new_authors))
    languages = {key: value["language"] for key, value in scores.items()}
    conversation_ids, new_threads = _conversations(connection, unique, texts, languages)
    new_messages, changed, rescored, revisions = [], [], [], []
    latest: dict[int, datetime] = {}
    for item in unique:
        key = item.external_id
        if key in known:
            update = _changed_message(known[key], item, bodies[key])
            if update is not None:
                for name, value in scores.get(key, {}).items():
                    setattr(update, name, value)
                (rescored if key in scores else changed).append(update)
                _, old_html, old_status, _ = known[key]
                if old_html != html[key]:
                    revisions.append(
                        MessageRevision(message_id=update.pk, body_html=old_html, network_status=old_status)
                    )
            continue
        conversation_id = conversation_ids[item.thread_id]
        author_id = identity_ids[item.author.external_id]
        new_messages.append(_new_message(connection, item, conversation_id, author_id, bodies[key], scores[key]))
        if item.thread_id in new_threads:
            continue  # created with the right clock
        if conversation_id not in latest or item.created_at > latest[conversation_id]:
            latest[conversation_id] = item.created_at
    created = Message.objects.bulk_create(new_messages, batch_size=CHUNK)
    base = ["body_html", "body_text", "body_truncated_from", "network_status", "edited_at", "review"]
    Message.objects.bulk_update(changed, base)
    Message.objects.bulk_update(rescored, [*base, *SCORE_FIELDS])
    MessageRevision.objects.bulk_create(revisions)
    _join_waves(connection.workspace_id, created)
    _listen(connection.workspace_id, created)
    _touch_conversations(latest)
    _touch_persons({k: v for k, v in identity_ids.items() if k not in new_authors}, unique)
    return IngestStats(stored=len(created), updated=len(changed) + len(rescored), new_messages=created, skipped=skipped)


SCORE_FIELDS = ["language", "spam_score", "toxicity_score", "sentiment", "sentiment_score", "nlp"]


def _listen(workspace_id: int, created: Sequence[Message]) -> None:
    """Saved listening queries, all matched in one pass; spikes checked for the queries that got news."""
    from federe.listening import services as listening

    new_mentions = listening.match_messages(workspace_id, created)
    listening.check_spikes(workspace_id, list(new_mentions))


def _join_waves(workspace_id: int, created: Sequence[Message]) -> None:
    """Near-duplicates join a wave and share its spam score; the in-memory rows follow, for moderation."""
    changed = waves.detect(workspace_id, created)
    if not changed:
        return
    fresh = dict(Message.objects.filter(pk__in=changed).values_list("pk", "spam_score"))
    for message in created:
        if message.pk in fresh:
            message.spam_score = fresh[message.pk]
