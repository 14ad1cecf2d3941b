"""Mentions: every new message matched against all of a workspace's queries at ingest (one compiled
``MultiMatcher`` per workspace, cached until a query changes), and a new query's back-fill."""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Sequence

from federe.inbox.models import Message
from federe.listening.matching.doc import MatchDoc
from federe.listening.matching.matcher import compile as compile_query
from federe.listening.matching.multi import MultiMatcher
from federe.listening.models import Mention, SavedQuery
from federe.listening.query.parser import parse

#: How many recent messages a new or edited query's back-fill looks at.
BACKFILL_SCAN = 20000

_cache_lock = threading.Lock()
_matchers: dict[int, tuple[tuple, MultiMatcher]] = {}


def forget_matcher(workspace_id: int) -> None:
    with _cache_lock:
        _matchers.pop(workspace_id, None)


def matcher_for(workspace_id: int) -> MultiMatcher | None:
    """One compiled matcher for all of a workspace's enabled queries, rebuilt when a query changes."""
    rows = list(
        SavedQuery.objects.filter(workspace_id=workspace_id, enabled=True).values_list("pk", "text", "updated_at")
    )
    if not rows:
        return None
    key = tuple(rows)
    with _cache_lock:
        cached = _matchers.get(workspace_id)
        if cached and cached[0] == key:
            return cached[1]
    matcher = MultiMatcher({pk: parse(text) for pk, text, _ in rows})
    with _cache_lock:
        _matchers[workspace_id] = (key, matcher)
    return matcher


def match_doc(message: Message, channel_name: str, author_handle: str) -> MatchDoc:
    return MatchDoc.from_message(
        text=message.body_text,
        language=message.language,
        channel_id=message.connection_id,
        channel_name=channel_name,
        url=message.url,
        author_handle=author_handle,
    )


def match_docs(messages: Sequence[Message]) -> list[MatchDoc]:
    from federe.connections.models import Connection
    from federe.people.models import Identity

    names = dict(Connection.objects.filter(pk__in={m.connection_id for m in messages}).values_list("pk", "name"))
    handles: dict[int | None, str] = dict(
        Identity.objects.filter(pk__in={m.author_id for m in messages if m.author_id}).values_list("pk", "handle")
    )
    return [match_doc(m, names.get(m.connection_id, ""), handles.get(m.author_id, "")) for m in messages]


def match_messages(workspace_id: int, messages: Sequence[Message]) -> dict[int, int]:
    """Store a mention for every (query, message) that matches; one pass over the messages for all queries.
    Returns the number of new mentions per query. Called at ingest, inside the page's transaction."""
    inbound = [m for m in messages if m.direction == "in"]
    matcher = matcher_for(workspace_id) if inbound else None
    if matcher is None:
        return {}
    rows: list[Mention] = []
    per_query: dict[int, int] = defaultdict(int)
    for message, doc in zip(inbound, match_docs(inbound), strict=True):
        for query_id in matcher.match(doc):
            rows.append(
                Mention(
                    workspace_id=workspace_id, query_id=query_id, message_id=message.pk, posted_at=message.posted_at
                )
            )
            per_query[query_id] += 1
    Mention.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    return dict(per_query)


def backfill(query: SavedQuery) -> int:
    """Match a new or edited query against the workspace's recent messages."""
    matcher = compile_query(parse(query.text))
    recent = list(
        Message.objects.filter(workspace_id=query.workspace_id, direction="in").order_by("-posted_at")[:BACKFILL_SCAN]
    )
    rows = [
        Mention(workspace_id=query.workspace_id, query=query, message_id=m.pk, posted_at=m.posted_at)
        for m, doc in zip(recent, match_docs(recent), strict=True)
        if matcher.matches(doc)
    ]
    Mention.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    return len(rows)
