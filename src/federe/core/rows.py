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
    values_in_chunks(table, columns, rows)


def values_in_chunks(
    table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], *, then: str = "", size: int = CHUNK
) -> list[tuple]:
    """Multi-row ``INSERT … VALUES`` of at most ``size`` rows each (fewer when the columns are many), ``then``
    added to each statement (``RETURNING …``, ``ON CONFLICT …``: names from our models, never from input); the rows
    the statements return. Table and column names are quoted here; the values are parameters."""
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    size = max(1, min(size, 32_000 // max(1, len(columns))))
    returned: list[tuple] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            chunk = rows[start : start + size]
            cursor.execute(
                f"INSERT INTO {quote(table)} ({names}) VALUES {', '.join([one] * len(chunk))} {then}",  # noqa: S608
                [value for row in chunk for value in row],
            )
            if then.lstrip().upper().startswith("RETURNING"):
                returned += cursor.fetchall()
    return returned


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
    pk = meta.pk
    assert pk is not None and pk.column is not None
    if not isinstance(pk, models.AutoField):  # a key given by the caller (a one-to-one's): a column like the others
        every = list(meta.concrete_fields)
        insert(meta.db_table, [str(f.column) for f in every], _values(every, objs))
        return _stored(objs, None)
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    values = _values(fields, objs)
    quote = connection.ops.quote_name
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
            returned = values_in_chunks(meta.db_table, columns, values, then=f"RETURNING {quote(pk.column)}")
            ids = [row[0] for row in returned]
    return _stored(objs, ids)


def _values(fields: list[models.Field], objs: Sequence[Model]) -> list[list[Any]]:
    """Each object's values of these fields, as the database takes them (``auto_now`` fields set first)."""
    for obj in objs:
        for f in fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                f.pre_save(obj, add=True)
    convert = [_converter(f) for f in fields]
    return [[c(getattr(obj, f.attname)) for f, c in zip(fields, convert, strict=True)] for obj in objs]


def _stored(objs: Sequence[M], ids: list[Any] | None) -> list[M]:
    for i, obj in enumerate(objs):
        if ids is not None:
            obj.pk = ids[i]
        obj._state.adding = False
        obj._state.db = connection.alias
    return list(objs)


#: Fields whose values go to the database as they are (their own classes only: a subclass may prepare its values).
_AS_THEY_ARE = {
    models.CharField,
    models.TextField,
    models.URLField,
    models.EmailField,
    models.SlugField,
    models.BooleanField,
    models.ForeignKey,
    models.OneToOneField,
}
_NUMBERS = {
    models.IntegerField: int,
    models.BigIntegerField: int,
    models.SmallIntegerField: int,
    models.PositiveIntegerField: int,
    models.PositiveBigIntegerField: int,
    models.PositiveSmallIntegerField: int,
    models.FloatField: float,
}


def _converter(f: models.Field) -> Callable[[Any], Any]:
    kind = type(f)
    if kind in _AS_THEY_ARE:
        return _same
    if kind in _NUMBERS:
        cast = _NUMBERS[kind]
        return lambda value: None if value is None else cast(value)
    if kind is models.JSONField:
        encoder = f.encoder  # type: ignore[attr-defined]

        def dumped(value: Any) -> Any:
            return None if value is None else json.dumps(value, cls=encoder)

        return dumped
    if kind is models.DateTimeField:
        adapt = connection.ops.adapt_datetimefield_value

        def adapted(value: Any) -> Any:
            if value is None or value.tzinfo is None:  # a naive one is made aware as Django does, with its warning
                return f.get_db_prep_save(value, connection)
            return adapt(value)

        return adapted
    return lambda value: f.get_db_prep_save(value, connection)


def _same(value: Any) -> Any:
    return value
