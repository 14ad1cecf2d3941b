"""Where search documents are written: at ingest (one bulk write per page), when a reply is recorded as sent,
when a message's text is erased, and by ``federe search reindex`` for messages stored before search existed."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.db import transaction

from federe.core import rows as core_rows
from federe.inbox.models import Message
from federe.search.analysis import document
from federe.search.models import SearchDocument

BATCH = 2000
FIELDS = ("pk", "workspace_id", "body_text", "language", "connection_id", "author_id", "posted_at")
MAX_DOCUMENT = 100_000  # characters: a tsvector must stay under 1 MB


def _document(message: Message) -> str:
    return document(message.body_text, message.language)[:MAX_DOCUMENT]


def _without_columns(message: Message) -> bool:
    """Whether this message was loaded (or built) without its channel or date."""
    deferred = message.get_deferred_fields()
    if {"posted_at", "connection_id", "author_id"} & deferred:
        return True
    return message.posted_at is None or message.connection_id is None


def index_messages(workspace_id: int, messages: Iterable[Message], *, new: bool = False) -> int:
    """Write (or rewrite) the documents of these messages (their ``pk``, ``body_text`` and ``language`` are
    read, and their channel, author and date, which are looked up for messages loaded without them) in one
    statement per ``BATCH``. Returns how many. ``new``: messages created in this transaction, which have no
    document yet (written by ``core.rows``, without the upsert)."""
    messages = list(messages)
    partial = [m.pk for m in messages if _without_columns(m)]
    known = {
        pk: (connection, author, posted_at)
        for pk, connection, author, posted_at in Message.objects.filter(pk__in=partial).values_list(
            "pk", "connection_id", "author_id", "posted_at"
        )
    } if partial else {}  # fmt: skip
    rows = []
    for m in messages:
        connection, author, posted_at = known.get(m.pk, (m.connection_id, m.author_id, m.posted_at))
        rows.append(
            SearchDocument(
                message_id=m.pk,
                workspace_id=workspace_id,
                document=_document(m),
                connection_id=connection,
                author_id=author,
                posted_at=posted_at,
            )
        )
    if rows and new:
        core_rows.create(rows)
    elif rows:
        SearchDocument.objects.bulk_create(
            rows,
            batch_size=BATCH,
            update_conflicts=True,
            unique_fields=["message"],
            update_fields=["document", "connection", "author", "posted_at"],
        )
    return len(rows)


def forget(message_ids: Iterable[int]) -> None:
    """The documents of these messages no longer hold their words (their text was erased)."""
    ids = list(message_ids)
    for start in range(0, len(ids), BATCH):
        SearchDocument.objects.filter(message_id__in=ids[start : start + BATCH]).delete()


def reindex(workspace_id: int | None = None, *, batch: int = BATCH) -> Iterator[tuple[int, int]]:
    """Rewrite every message's document (of one workspace, or all), ``batch`` messages per transaction, in id
    order; yields (done, total) after each batch."""
    messages = Message.objects.order_by("pk")
    if workspace_id is not None:
        messages = messages.filter(workspace_id=workspace_id)
    total = messages.count()
    done, last = 0, 0
    while True:
        chunk = list(messages.filter(pk__gt=last).only(*FIELDS)[:batch])
        if not chunk:
            break
        with transaction.atomic():
            by_workspace: dict[int, list[Message]] = {}
            for message in chunk:
                by_workspace.setdefault(message.workspace_id, []).append(message)
            for workspace, members in by_workspace.items():
                index_messages(workspace, members)
        done, last = done + len(chunk), chunk[-1].pk
        yield done, total
