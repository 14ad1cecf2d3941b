"""``INSERT … ON CONFLICT … DO UPDATE`` for the summary tables: counters are added, not overwritten, so two pages
committed at once (two channels of one workspace) never lose each other's counts. The same SQL runs on SQLite
(3.24 and later) and PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection

from federe.core.rows import values_in_chunks

BATCH = 500


def add(table: str, keys: Sequence[str], counters: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Insert each row (keys, then counters), or add its counters to the row already there."""
    q = connection.ops.quote_name  # "returning" is a column and an SQL word
    updates = ", ".join(f"{q(c)} = {table}.{q(c)} + excluded.{q(c)}" for c in counters)
    _upsert(table, [*keys, *counters], keys, updates, rows)


def widen(table: str, keys: Sequence[str], first: str, last: str, rows: Sequence[Sequence[Any]]) -> None:
    """Insert each row (keys, first, last), or move the stored ``first`` earlier and ``last`` later."""
    updates = (
        f"{first} = CASE WHEN excluded.{first} < {table}.{first} THEN excluded.{first} ELSE {table}.{first} END, "
        f"{last} = CASE WHEN excluded.{last} > {table}.{last} THEN excluded.{last} ELSE {table}.{last} END"
    )
    _upsert(table, [*keys, first, last], keys, updates, rows)


def add_thread(table: str, rows: Sequence[Sequence[Any]]) -> None:
    """(conversation, workspace, scope, started_on, messages): the earliest day kept, messages added."""
    updates = (
        f"started_on = CASE WHEN excluded.started_on < {table}.started_on THEN excluded.started_on "
        f"ELSE {table}.started_on END, messages = {table}.messages + excluded.messages"
    )
    columns = ["conversation_id", "workspace_id", "scope", "started_on", "messages"]
    _upsert(table, columns, ["conversation_id"], updates, rows)


def _upsert(table: str, columns: Sequence[str], keys: Sequence[str], updates: str, rows: Sequence[Sequence[Any]]):
    # Table, column and key names come from our models, never from input; the values are parameters.
    values_in_chunks(table, columns, rows, then=f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {updates}", size=BATCH)
