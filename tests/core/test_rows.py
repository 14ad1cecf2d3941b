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
