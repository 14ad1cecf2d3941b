"""Where a fetched message is stored: messages, threads, authors, edits, in bulk, incremental and idempotent.

Each function is one step of the ingest pipeline (``inbox.ingest``), which calls them in order inside the page's
transaction; nothing here talks to a network or decides anything about the messages (no rules, no scores).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from federe.connections.models import Connection
from federe.connectors.types import Author, Item, MalformedItem, NetworkStatus
from federe.core import rows
from federe.inbox.bodies import Body
from federe.inbox.models import Conversation, ConversationStatus, Message, MessageRevision, ReviewState
from federe.nlp.text import SURROGATE
from federe.people.identities import arrivals
from federe.people.models import Identity

CHUNK = 500  # stays under every database's bound-parameter limit


def storable(text: str) -> str:
    """``text`` as every database stores it: a lone surrogate becomes U+FFFD, a NUL is dropped."""
    return SURROGATE.sub("\ufffd", text).replace("\x00", "")


def _unstorable_field(item: Item) -> str:
    """The first text field of the item or its author that no database can store, or ''.

    A lone surrogate ("\\ud800" is valid JSON) cannot be encoded as UTF-8, and PostgreSQL refuses NUL in text:
    either would fail the whole page, again at every retry, since the cursor would never move past it.
    """
    for owner in (item, item.author):
        for spec in fields(owner):
            value = getattr(owner, spec.name)
            if isinstance(value, str) and ("\x00" in value or SURROGATE.search(value)):
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


def authors(connection: Connection, items: Sequence[Item]) -> tuple[dict[str, int], set[str]]:
    """Identity ids by external id, and the external ids created now (their person is already up to date).

    An author seen for the first time gets a person and an identity from the people app (``arrivals.create``)."""
    authors: dict[str, Author] = {item.author.external_id: item.author for item in items}
    known = _existing(Identity, connection, list(authors), "id")
    missing = [authors[key] for key in authors if key not in known]
    if missing:
        known.update(arrivals.create(connection, missing, _span(items, lambda i: i.author.external_id)))
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
        created = rows.create(
            [
                Conversation(
                    workspace_id=connection.workspace_id,
                    connection=connection,
                    external_id=item.thread_id,
                    title=(item.thread_title or texts[item.external_id][:80])[:300],
                    language=item.language or languages.get(item.external_id, "other"),
                    last_message_at=span[item.thread_id][1],
                )
                for item in missing
            ]
        )
        known.update({conv.external_id: conv.pk for conv in created})
    return known, {item.thread_id for item in missing}


def move_thread_clocks(conversation_latest: dict[int, datetime]) -> None:
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


def move_last_seen(identity_ids: dict[str, int], items: Sequence[Item]) -> None:
    """Move each known author's person's "last seen" forward (people created by this page are already right)."""
    latest: dict[int, datetime] = {}
    for item in items:
        identity = identity_ids.get(item.author.external_id)
        if identity is None:
            continue
        if identity not in latest or item.created_at > latest[identity]:
            latest[identity] = item.created_at
    arrivals.move_last_seen(latest)


def first_messages(items: Sequence[Item], new_authors: set[str]) -> set[str]:
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


SCORE_FIELDS = ["language", "spam_score", "toxicity_score", "sentiment", "sentiment_score", "nlp"]
_BODY_FIELDS = ["body_html", "body_text", "body_truncated_from", "network_status", "edited_at", "review"]


def stored_messages(connection: Connection, items: Sequence[Item]) -> dict[str, tuple]:
    """(id, body_html, network_status, review) of the page's messages stored before, by external id."""
    return _existing(Message, connection, [i.external_id for i in items], "id", "body_html", "network_status", "review")


@dataclass
class Stored:
    created: list[Message] = field(default_factory=list)  # with their ids
    updated: int = 0
    # Per thread that existed before this page: its newest new message (see move_thread_clocks).
    clocks: dict[int, datetime] = field(default_factory=dict)
    # Messages stored before whose text the network changed (with their new text and language).
    rewritten: list[Message] = field(default_factory=list)


@dataclass
class Draft:
    """The page's new messages, built but not stored yet (their threads are), and what moves the threads' clocks."""

    new: list[Message] = field(default_factory=list)
    clocks: dict[int, datetime] = field(default_factory=dict)


def draft_messages(
    connection: Connection,
    items: Sequence[Item],
    bodies: dict[str, Body],
    author_ids: dict[str, int],
    known: dict[str, tuple],
    scores: dict[str, dict],
) -> Draft:
    """The new messages as unsaved rows, in page order, their new threads created."""
    texts = {key: body.text for key, body in bodies.items()}
    languages = {key: value["language"] for key, value in scores.items()}
    conversation_ids, new_threads = _conversations(connection, items, texts, languages)
    draft = Draft()
    for item in items:
        key = item.external_id
        if key in known:
            continue
        conversation_id = conversation_ids[item.thread_id]
        author_id = author_ids[item.author.external_id]
        draft.new.append(_new_message(connection, item, conversation_id, author_id, bodies[key], scores[key]))
        if item.thread_id in new_threads:
            continue  # created with the right clock
        if conversation_id not in draft.clocks or item.created_at > draft.clocks[conversation_id]:
            draft.clocks[conversation_id] = item.created_at
    return draft


def store_messages(
    draft: Draft, items: Sequence[Item], bodies: dict[str, Body], known: dict[str, tuple], scores: dict[str, dict]
) -> Stored:
    """Create the drafted messages, update the edited ones, keeping each previous text."""
    changed, rescored, revisions = _edits(items, bodies, known, scores)
    created = rows.create(draft.new)  # the ORM's bulk_create cost more than the INSERT (``core.rows``)
    Message.objects.bulk_update(changed, _BODY_FIELDS)
    Message.objects.bulk_update(rescored, [*_BODY_FIELDS, *SCORE_FIELDS])
    MessageRevision.objects.bulk_create(revisions)
    return Stored(created=created, updated=len(changed) + len(rescored), clocks=draft.clocks, rewritten=rescored)


def _edits(
    items: Sequence[Item], bodies: dict[str, Body], known: dict[str, tuple], scores: dict[str, dict]
) -> tuple[list[Message], list[Message], list[MessageRevision]]:
    """Updates of messages the network changed: status only, or new text (re-scored); the old texts."""
    changed: list[Message] = []
    rescored: list[Message] = []
    revisions: list[MessageRevision] = []
    for item in items:
        key = item.external_id
        update = _changed_message(known[key], item, bodies[key]) if key in known else None
        if update is None:
            continue
        for name, value in scores.get(key, {}).items():
            setattr(update, name, value)
        (rescored if key in scores else changed).append(update)
        _, old_html, old_status, _ = known[key]
        if old_html != bodies[key].html:
            revisions.append(MessageRevision(message_id=update.pk, body_html=old_html, network_status=old_status))
    return changed, rescored, revisions
