"""core.rows.insert: rows go into the real table, with their values and types, under its constraints (COPY on
PostgreSQL, multi-row INSERTs on SQLite: run on both)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import DatabaseError, transaction

from federe.core import rows
from federe.inbox.models import Conversation, Message
from federe.nlp.models import WaveSignature

pytestmark = pytest.mark.django_db

COLUMNS = ("workspace_id", "band", "message_id", "created_at", "updated_at")


def test_rows_are_stored_with_their_values_in_one_call_whatever_their_number(workspace, connection):
    thread = Conversation.objects.create(workspace=workspace, connection=connection, external_id="t")
    message = Message.objects.create(
        workspace=workspace,
        connection=connection,
        conversation=thread,
        external_id="m",
        body_text="x",
        posted_at=datetime(2026, 12, 7, tzinfo=UTC),
    )
    at = datetime(2026, 12, 7, 10, 30, 15, 123456, tzinfo=UTC)
    wanted = [(workspace.pk, (-1) ** n * (2**62 + n), message.pk, at, at) for n in range(rows.CHUNK * 2 + 7)]
    rows.insert(WaveSignature._meta.db_table, COLUMNS, wanted)
    stored = WaveSignature.objects.order_by("pk").values_list(*COLUMNS)
    assert [tuple(row) for row in stored] == wanted


def test_a_row_that_breaks_a_constraint_fails_the_call(workspace):
    at = datetime(2026, 12, 7, tzinfo=UTC)
    with pytest.raises(DatabaseError), transaction.atomic():
        rows.insert(WaveSignature._meta.db_table, COLUMNS, [(workspace.pk, 1, None, at, at)])  # no message: NOT NULL
    assert not WaveSignature.objects.exists()


def _message_values(message: Message) -> tuple:
    skip = {"id", "conversation", "external_id", "created_at", "updated_at"}  # the clock at each call
    return tuple(getattr(message, f.attname) for f in Message._meta.concrete_fields if f.name not in skip)


def test_create_stores_what_bulk_create_stores_column_by_column(workspace, connection):
    """Every kind of column a message has: text, numbers, a big integer, floats, JSON, dates with and without a
    value, foreign keys, a null one; read back, the two ways give the same row, and the ids are set in order."""
    thread = Conversation.objects.create(workspace=workspace, connection=connection, external_id="t")
    at = datetime(2026, 12, 7, 10, 30, 15, 123456, tzinfo=UTC)

    def message(n: int, way: str) -> Message:
        return Message(
            workspace=workspace,
            connection=connection,
            conversation=thread,
            external_id=f"{way}-{n}",
            parent_external_id="p" if n % 2 else "",
            body_html=f'<p>é\\t\\n{n} "quoted" \\\\N</p>',
            body_text=f'é\t\n{n} "quoted" \\N',
            language="fr" if n % 3 else "en",
            posted_at=at,
            edited_at=at if n % 2 else None,
            spam_score=None if n % 4 == 0 else n / 7,
            sentiment="positive",
            nlp={"models": {"spam": "x"}, "notes": ["ü", n], "nested": {"a": [1.5, None, True]}} if n % 5 else {},
            reach=n if n % 2 else None,
            body_truncated_from=2**40 + n if n == 3 else None,
        )

    count = rows.CHUNK + 13
    orm = Message.objects.bulk_create([message(n, "orm") for n in range(count)])
    ours = rows.create([message(n, "ours") for n in range(count)])
    assert all(m.pk is not None for m in ours)
    assert [m.external_id for m in Message.objects.filter(pk__in=[m.pk for m in ours]).order_by("pk")] == [
        f"ours-{n}" for n in range(count)
    ]
    read = {m.external_id: m for m in Message.objects.all()}
    for n in range(count):
        assert _message_values(read[f"ours-{n}"]) == _message_values(read[f"orm-{n}"])
    assert len(orm) == count


def test_create_writes_a_model_whose_key_the_caller_gives_and_one_without_ids_wanted(workspace, connection):
    """A search document's key is its message's; a deep-tier queue row has its own id: both stored as
    bulk_create stores them."""
    from federe.nlp.models import DeepPending
    from federe.search.models import SearchDocument

    thread = Conversation.objects.create(workspace=workspace, connection=connection, external_id="t")
    at = datetime(2026, 12, 7, 10, 30, 15, 123456, tzinfo=UTC)
    messages = Message.objects.bulk_create(
        Message(workspace=workspace, connection=connection, conversation=thread, external_id=f"m{n}", posted_at=at)
        for n in range(6)
    )
    orm, ours = messages[:3], messages[3:]

    def documents(batch):
        return [
            SearchDocument(
                message_id=m.pk, workspace_id=workspace.pk, document=f"'mot':{m.pk}", connection_id=None, posted_at=at
            )
            for m in batch
        ]

    def queued(batch):
        return [DeepPending(workspace_id=workspace.pk, message_id=m.pk, priority=1, queued_at=at) for m in batch]

    SearchDocument.objects.bulk_create(documents(orm))
    DeepPending.objects.bulk_create(queued(orm))
    rows.create(documents(ours))
    rows.create(queued(ours))

    def stored(model, batch):
        fields = [f.attname for f in model._meta.concrete_fields if f.attname not in ("id", "message_id", "document")]
        return [model.objects.filter(message_id=m.pk).values_list(*fields).get() for m in batch]

    for model in (SearchDocument, DeepPending):
        assert stored(model, ours) == stored(model, orm)
    assert SearchDocument.objects.get(message_id=ours[0].pk).document == f"'mot':{ours[0].pk}"
