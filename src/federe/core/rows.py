"""Many small rows into one table, the fastest way the database offers, inside the caller's transaction.

PostgreSQL loads them with ``COPY … FROM STDIN`` (psycopg 3 sends the rows as one stream, without a statement to
plan or a parameter per value); other databases get multi-row INSERTs of ``CHUNK`` rows. Either way the rows go
into the real table under its constraints: a row that breaks one fails the whole call, and the transaction with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection

#: Rows per INSERT where there is no COPY (SQLite allows 32,766 parameters a statement).
CHUNK = 300


def insert(table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    if not rows:
        return
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The driver's own cursor: Django's has no COPY; its errors become Django's, as the wrapper's would.
            with (
                connection.wrap_database_errors,
                cursor.cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
            return
        one = "(" + ", ".join(["%s"] * len(columns)) + ")"
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            cursor.execute(
                f"INSERT INTO {quote(table)} ({names}) VALUES {', '.join([one] * len(chunk))}",  # noqa: S608
                [value for row in chunk for value in row],
            )
