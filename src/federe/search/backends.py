"""``search(workspace, SearchQuery)``: the one way to search messages, on PostgreSQL or SQLite.

Both databases index the same search documents (``search/analysis.py``: folded and stemmed in Python), so the
only difference between the backends is the syntax of the match and of the rank:

- PostgreSQL: ``tsv @@ to_tsquery('simple', …)`` on the stored, GIN-indexed ``tsv`` column; a phrase is
  ``a <-> b``; ranked by ``ts_rank``.
- SQLite: ``search_fts MATCH …`` on the FTS5 table; a phrase is ``"a b"``; ranked by ``bm25``.

A term matches when one of its forms does: the words stemmed in French, in English, or not stemmed (a whole
phrase in one form). Every term is required. The filters are plain SQL on the message and its thread, the same
for both; on PostgreSQL the channel, author and date are read from the copies on the search document (indexed
there), and the message and its thread are joined only when a filter needs them (status, assignee, sentiment,
label), so that a filtered search does not join every candidate. Equal ranks are ordered newest first, then by
id, so pages never overlap.

Ranking every match of a common word ("merci" in a third of a million messages) reads every one of their
documents: seconds at a million messages. So the matches that pass the filters are taken most recently stored
first (the index of message ids, walked backwards; a rare word is found through the full-text index instead, the
database's planner chooses), at most ``CANDIDATES`` of them, and those are ranked. When a search matches more
than that, the best of the newest 5,000 come first; a search that matches fewer ranks them all. Both databases
do the same, so they return the same page for the same data.

Without filters, the candidates are first looked for among the newest ``RECENT`` documents (by id, a range of
the primary key): when that range holds ``CANDIDATES`` matches, they are exactly the newest ``CANDIDATES``
matches of the whole search, found without the database visiting every match of a phrase or of two common
words (whose number its estimates undercount); otherwise the whole search runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import connection
from django.db.models import Q
from django.utils.safestring import SafeString

from federe.accounts.models import Workspace
from federe.inbox.models import Conversation, Message
from federe.people.models import Identity
from federe.search import excerpt
from federe.search.analysis import forms
from federe.search.query import UNASSIGNED, SearchQuery, Term

PER_PAGE = 20
COUNT_LIMIT = 1000  # results are counted up to this many ("1,000 or more")
CANDIDATES = 5000  # matches ranked, the most recently stored first (see the module's docstring)
RECENT = 100_000  # documents: the newest stored, tried first when no filter is set (see the module's docstring)


@dataclass
class Match:
    """How one database matches and ranks: the rows (``source``, ``where``), the order in which candidates are
    taken (``key``, newest stored first), what each candidate carries to be scored, and the score's order."""

    source: str  # the documents, as ``d``; the message is ``m`` when joined (``{m}`` is its table)
    joined: str  # how the message is joined when a filter needs it (already in ``source`` when empty)
    columns: str  # the alias whose columns hold the channel, author and date: ``d``, or ``m``
    id: str  # the message's id
    where: str
    key: str
    carried: str
    score: str
    params: list


@dataclass
class Result:
    message: Message
    excerpt: SafeString


@dataclass
class ResultPage:
    results: list[Result]
    total: int  # at most COUNT_LIMIT
    page: int
    per_page: int

    @property
    def more_than_counted(self) -> bool:
        return self.total >= COUNT_LIMIT

    @property
    def has_next(self) -> bool:
        return self.page * self.per_page < self.total


def _postgres(terms: tuple[Term, ...]) -> Match:
    expression = " & ".join(
        "(" + " | ".join("(" + " <-> ".join(f"'{w}'" for w in form) + ")" for form in forms(term)) + ")"
        for term in terms
    )
    return Match(
        source="search_document d",
        joined=" JOIN {m} m ON m.id = d.message_id",
        columns="d",
        id="d.message_id",
        where="d.workspace_id = %s AND d.tsv @@ to_tsquery('simple', %s)",
        key="d.message_id",
        carried="d.tsv",
        score="ts_rank(carried, to_tsquery('simple', %s)) DESC",
        params=[expression],
    )


def _sqlite(terms: tuple[Term, ...]) -> Match:
    expression = " AND ".join(
        "(" + " OR ".join('"' + " ".join(form) + '"' for form in forms(term)) + ")" for term in terms
    )
    return Match(
        source="search_fts JOIN {m} m ON m.id = search_fts.rowid",
        joined="",
        columns="m",
        id="m.id",
        where="m.workspace_id = %s AND search_fts MATCH %s",
        key="search_fts.rowid",
        carried="bm25(search_fts)",
        score="carried",
        params=[expression],
    )


def _zone(workspace: Workspace) -> ZoneInfo:
    try:
        return ZoneInfo(workspace.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _day_start(day: date, zone: ZoneInfo) -> object:
    return connection.ops.adapt_datetimefield_value(datetime.combine(day, time(0), tzinfo=zone))


def _filters(workspace: Workspace, query: SearchQuery, columns: str) -> tuple[list[str], list, set[str]]:
    """SQL conditions on ``columns`` (the channel, author and date), ``m`` (the message) and ``c`` (its thread),
    with their parameters, and which of ``m`` and ``c`` they read."""
    reads: set[str] = set()
    if query.status or query.assignee is not None:
        reads |= {"m", "c"}
    if query.sentiment or query.label is not None:
        reads.add("m")
    where: list[str] = []
    params: list = []
    if query.channel is not None:
        where.append(f"{columns}.connection_id = %s")
        params.append(query.channel)
    zone = _zone(workspace)
    if query.since is not None:
        where.append(f"{columns}.posted_at >= %s")
        params.append(_day_start(query.since, zone))
    if query.until is not None and query.until < date.max:
        where.append(f"{columns}.posted_at < %s")
        params.append(_day_start(query.until + timedelta(days=1), zone))
    if query.status:
        where.append("c.status = %s")
        params.append(query.status)
    if query.assignee == UNASSIGNED:
        where.append("c.assignee_id IS NULL")
    elif query.assignee is not None:
        where.append("c.assignee_id = %s")
        params.append(query.assignee)
    if query.sentiment:
        where.append("m.sentiment = %s")
        params.append(query.sentiment)
    if query.label is not None:
        labels = Conversation.labels.through._meta.db_table
        on_thread = "cl.conversation_id = m.conversation_id AND cl.label_id = %s"
        where.append(f"EXISTS (SELECT 1 FROM {labels} cl WHERE {on_thread})")  # noqa: S608 - our table
        params.append(query.label)
    if query.author.strip():
        name = query.author.strip()
        identities = Identity.objects.filter(workspace=workspace).filter(
            Q(handle__icontains=name) | Q(display_name__icontains=name)
        )
        sql, author_params = identities.values("id").query.sql_with_params()
        where.append(f"{columns}.author_id IN ({sql})")
        params.extend(author_params)
    return where, params, reads


def _page(
    cursor: Any, match: Match, source: str, where: str, params: list, page: int, per_page: int
) -> tuple[list[int], int] | None:
    """The ids of the page and how many candidates were ranked (at most ``CANDIDATES``), or None when the page
    is empty."""
    score_params = match.params if "%s" in match.score else []
    candidates = (
        f"SELECT {match.id} AS id, {match.columns}.posted_at AS posted_at,"  # noqa: S608
        f" {match.carried} AS carried FROM {source} WHERE {where}"
        f" ORDER BY {match.key} DESC LIMIT %s"
    )
    cursor.execute(
        f"WITH candidates AS ({candidates}) SELECT id, (SELECT COUNT(*) FROM candidates) FROM candidates"  # noqa: S608
        f" ORDER BY {match.score}, posted_at DESC, id DESC LIMIT %s OFFSET %s",
        [*params, CANDIDATES, *score_params, per_page, (page - 1) * per_page],
    )
    rows = cursor.fetchall()
    if not rows:
        return None
    return [row[0] for row in rows], rows[0][1]


def search(workspace: Workspace, query: SearchQuery, *, page: int = 1, per_page: int = PER_PAGE) -> ResultPage:
    """The page of messages of the workspace that match every term and filter, best first, with excerpts.

    ``query`` must have been ``parsed()`` (its terms read); raises nothing else for any text or filter."""
    if not query.terms:
        return ResultPage([], 0, page, per_page)
    match = (_postgres if connection.vendor == "postgresql" else _sqlite)(query.terms)
    conditions, filter_params, reads = _filters(workspace, query, match.columns)
    source = match.source
    if "m" in reads:
        source += match.joined
    if "c" in reads:
        source += f" JOIN {Conversation._meta.db_table} c ON c.id = m.conversation_id"
    source = source.format(m=Message._meta.db_table)
    where = " AND ".join([match.where, *conditions])
    where_params = [workspace.pk, *match.params, *filter_params]
    with connection.cursor() as cursor:
        found = None
        if not conditions:  # the newest documents first (a filter would leave too few of them to fill)
            cursor.execute("SELECT MAX(message_id) FROM search_document")
            newest = cursor.fetchone()[0] or 0
            if newest > RECENT:
                recent = f"{where} AND {match.key} > %s"
                found = _page(cursor, match, source, recent, [*where_params, newest - RECENT], page, per_page)
                if found is not None and found[1] < CANDIDATES:
                    found = None  # fewer than CANDIDATES among the newest: the whole search decides
        if found is None:
            found = _page(cursor, match, source, where, where_params, page, per_page)
        ids = found[0] if found is not None else []
        cursor.execute(
            f"SELECT COUNT(*) FROM (SELECT 1 FROM {source} WHERE {where} LIMIT %s) AS found",  # noqa: S608 - ours
            [*where_params, COUNT_LIMIT],
        )
        total = cursor.fetchone()[0]
    messages = Message.objects.filter(workspace=workspace, pk__in=ids).select_related(
        "conversation", "connection", "author", "sent_by"
    )
    by_id = {message.pk: message for message in messages}
    results = [
        Result(by_id[pk], excerpt.highlighted(by_id[pk].body_text, by_id[pk].language, query.terms))
        for pk in ids
        if pk in by_id
    ]
    return ResultPage(results, total, page, per_page)
