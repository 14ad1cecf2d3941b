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
    if db.vendor == "sqlite" and sqlite3.sqlite_version_info < (3, 33):  # no UPDATE ... FROM
        model._default_manager.bulk_update([model(pk=pk, **{name: value}) for pk, value in values.items()], [name])
        return
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field) and field.column and model._meta.pk and model._meta.pk.column
    qn = db.ops.quote_name
    table, column, pk_column = qn(model._meta.db_table), qn(field.column), qn(model._meta.pk.column)
    cast = f"::{field.db_type(db)}" if db.vendor == "postgresql" else ""
    rows = list(values.items())
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        params: list[Any] = []
        for pk, value in chunk:
            params += [pk, field.get_db_prep_save(value, db)]
        placeholders = ", ".join([f"(%s, %s{cast})"] * len(chunk))
        with db.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET {column} = v.column2 FROM (VALUES {placeholders}) AS v "  # noqa: S608
                f"WHERE {table}.{pk_column} = v.column1",
                params,
            )
