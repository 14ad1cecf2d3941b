"""Where search documents are written: at ingest (one bulk write per page), when a reply is recorded as sent,
when a message's text is erased, and by ``federe search reindex`` for messages stored before search existed."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.db import transaction

from federe.inbox.models import Message
from federe.search.analysis import document
from federe.search.models import SearchDocument

BATCH = 2000
MAX_DOCUMENT = 100_000  # characters: a tsvector must stay under 1 MB


def _document(message: Message) -> str:
    return document(message.body_text, message.language)[:MAX_DOCUMENT]


def index_messages(workspace_id: int, messages: Iterable[Message]) -> int:
    """Write (or rewrite) the documents of these messages (their ``pk``, ``body_text`` and ``language`` are
    read) in one statement per ``BATCH``. Returns how many."""
    rows = [SearchDocument(message_id=m.pk, workspace_id=workspace_id, document=_document(m)) for m in messages]
    if rows:
        SearchDocument.objects.bulk_create(
            rows, batch_size=BATCH, update_conflicts=True, unique_fields=["message"], update_fields=["document"]
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
        chunk = list(messages.filter(pk__gt=last).only("pk", "workspace_id", "body_text", "language")[:batch])
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
