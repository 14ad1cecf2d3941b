"""Many small rows into one table, the fastest way the database offers, inside the caller's transaction.

PostgreSQL loads them with ``COPY … FROM STDIN`` (psycopg 3 sends the rows as one stream, without a statement to
plan or a parameter per value); other databases get multi-row INSERTs of ``CHUNK`` rows. Either way the rows go
into the real table under its constraints: a row that breaks one fails the whole call, and the transaction with it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.db import connection, models
from django.db.models import Model

M = TypeVar("M", bound=Model)

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


def create(objs: Sequence[M]) -> list[M]:
    """``bulk_create`` of new model instances of one model, the way :func:`insert` writes, with their ids set.

    The ORM's bulk_create compiles every value through the field (and the expression machinery) one by one, which
    cost more than the INSERT itself for a page of messages. Here each field's value is taken as the database
    wants it once per column kind: text, numbers, booleans and foreign keys as they are, JSON dumped as Django
    dumps it, dates adapted by the backend, anything else through the field's own ``get_db_prep_save``. The ids
    come from the table's sequence on PostgreSQL (then ``COPY``), from ``RETURNING`` elsewhere. No signals are sent
    (bulk_create sends none either); ``tests/core/test_rows.py`` compares what both store, column by column.
    """
    if not objs:
        return []
    model = type(objs[0])
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    for obj in objs:
        for f in fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                f.pre_save(obj, add=True)
    convert = [_converter(f) for f in fields]
    values = [[c(getattr(obj, f.attname)) for f, c in zip(fields, convert, strict=True)] for obj in objs]
    quote = connection.ops.quote_name
    pk = meta.pk
    assert pk is not None and pk.column is not None
    columns = [str(f.column) for f in fields]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, pk.column, len(objs)],
            )
            ids = [row[0] for row in cursor.fetchall()]
            insert(
                meta.db_table,
                [pk.column, *columns],
                [[i, *v] for i, v in zip(ids, values, strict=True)],
            )
        else:
            ids = []
            names = ", ".join(quote(c) for c in columns)
            one = "(" + ", ".join(["%s"] * len(fields)) + ")"
            size = max(1, min(CHUNK, 32_000 // len(fields)))
            for start in range(0, len(values), size):
                chunk = values[start : start + size]
                cursor.execute(
                    f"INSERT INTO {quote(meta.db_table)} ({names}) VALUES {', '.join([one] * len(chunk))}"  # noqa: S608
                    f" RETURNING {quote(pk.column)}",
                    [value for row in chunk for value in row],
                )
                ids += [row[0] for row in cursor.fetchall()]
    for obj, pk_value in zip(objs, ids, strict=True):
        obj.pk = pk_value
        obj._state.adding = False
        obj._state.db = connection.alias
    return list(objs)


_AS_THEY_ARE = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.FloatField,
    models.BooleanField,
)


def _converter(f: models.Field) -> Callable[[Any], Any]:
    if isinstance(f, models.ForeignKey) or (isinstance(f, _AS_THEY_ARE) and not isinstance(f, models.JSONField)):
        return _same
    if isinstance(f, models.JSONField):
        encoder = f.encoder

        def dumped(value: Any) -> Any:
            return None if value is None else json.dumps(value, cls=encoder)

        return dumped
    if isinstance(f, models.DateTimeField):
        adapt = connection.ops.adapt_datetimefield_value
        return lambda value: None if value is None else adapt(value)
    return lambda value: f.get_db_prep_save(value, connection)


def _same(value: Any) -> Any:
    return value
