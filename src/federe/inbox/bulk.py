"""Set-based writes shared by ingest and the classifiers."""

from __future__ import annotations

import sqlite3
from typing import Any

from django.db import connection as db
from django.db import models

CHUNK = 500


def set_column(model: type[models.Model], name: str, values: dict[int, Any]) -> None:
    """Set one column of many rows, each to its own value, in one statement per CHUNK rows.

    bulk_update() builds a CASE WHEN per row, which costs more Python than the update itself.
    UPDATE ... FROM (VALUES ...) works on PostgreSQL and on SQLite >= 3.33.
    """
    set_columns(model, (name,), {pk: (value,) for pk, value in values.items()})


def set_columns(model: type[models.Model], names: tuple[str, ...], values: dict[int, tuple[Any, ...]]) -> None:
    """Set several columns of many rows (``values``: primary key → the columns' values, in ``names`` order)."""
    if db.vendor == "sqlite" and sqlite3.sqlite_version_info < (3, 33):  # no UPDATE ... FROM
        model._default_manager.bulk_update(
            [model(pk=pk, **dict(zip(names, row, strict=True))) for pk, row in values.items()], list(names)
        )
        return
    fields = [model._meta.get_field(name) for name in names]
    assert all(isinstance(f, models.Field) and f.column for f in fields) and model._meta.pk and model._meta.pk.column
    qn = db.ops.quote_name
    table, pk_column = qn(model._meta.db_table), qn(model._meta.pk.column)
    casts = [f"::{f.db_type(db)}" if db.vendor == "postgresql" else "" for f in fields]  # type: ignore[union-attr]
    sets = ", ".join(f"{qn(str(f.column))} = v.column{n + 2}" for n, f in enumerate(fields))  # type: ignore[union-attr]
    row_placeholder = "(" + ", ".join(["%s", *(f"%s{cast}" for cast in casts)]) + ")"
    rows = list(values.items())
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        params: list[Any] = []
        for pk, row in chunk:
            params.append(pk)
            params += [f.get_db_prep_save(v, db) for f, v in zip(fields, row, strict=True)]  # type: ignore[union-attr]
        placeholders = ", ".join([row_placeholder] * len(chunk))
        with db.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET {sets} FROM (VALUES {placeholders}) AS v "  # noqa: S608
                f"WHERE {table}.{pk_column} = v.column1",
                params,
            )
