"""The SQL statements that write scores, generated from ``formula``: the full recompute and the delta update.

Only constants of the code and int() ids are formatted into them; every value is a query parameter.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import connection as db

from federe.inbox.models import Direction
from federe.people import languages
from federe.people.engagement import formula
from federe.people.models import ScoringSettings


def ts(value: datetime) -> Any:
    return db.ops.adapt_datetimefield_value(value)


def params(s: ScoringSettings, now: datetime) -> dict[str, Any]:
    values = formula.params(s, ts(now), ts(now - timedelta(days=s.reach_days)))
    values["ws"] = s.workspace_id
    return values


def execute(sql: str, values: dict[str, Any]) -> int:
    with db.cursor() as cursor:
        cursor.execute(sql, values)
        return cursor.rowcount


def score_sql(person_ids: Sequence[int] | None) -> str:
    """One statement that recomputes score, level and reach for a workspace, or for some of its persons."""
    scope = formula.Scope(persons=person_ids)
    persons = "p2.workspace_id = %(ws)s"
    if person_ids is not None:
        persons += f" AND p2.id IN ({formula.ids_sql(person_ids)})"
    return f"""
WITH points AS ({formula.points_sql(scope, db.vendor)}),
v AS (
    SELECT p2.id AS id, COALESCE(t.score, 0) AS score, COALESCE(t.reach, 0) AS reach
    FROM people_person p2 LEFT JOIN points t ON t.pid = p2.id
    WHERE {persons}
)
UPDATE people_person SET
    score = v.score,
    reach = v.reach,
    level = {formula.level_sql("v.score")},
    languages = {languages.mask_sql("people_person.id")},
    computed_at = %(now)s
FROM v WHERE people_person.id = v.id
"""  # noqa: S608


def delta_sql(message_ids: Sequence[int], rows: int) -> str:
    """Add the points of some new messages to the stored scores, decayed from when they were computed to now.

    ``rows`` persons are given as parameters ``i<n>`` (person id) and ``r<n>`` (reach gained); persons never
    scored yet are not among them (they are recomputed in full).
    """
    scope = formula.Scope(messages=message_ids)
    cast = ("::bigint", "::integer") if db.vendor == "postgresql" else ("", "")
    values = ", ".join(f"(%(i{n})s{cast[0]}, %(r{n})s{cast[1]})" for n in range(rows))
    decayed = f"people_person.score * {formula.decay_sql('people_person.computed_at', db.vendor)}"
    new_score = f"({decayed} + v.gain)"
    return f"""
WITH points AS ({formula.points_sql(scope, db.vendor)}),
v AS (
    SELECT t.column1 AS id, COALESCE(p.score, 0) AS gain, t.column2 AS reach_gain
    FROM (VALUES {values}) AS t LEFT JOIN points p ON p.pid = t.column1
)
UPDATE people_person SET
    score = {new_score},
    reach = people_person.reach + v.reach_gain,
    level = {formula.level_sql(new_score)},
    languages = {languages.mask_sql("people_person.id")},
    computed_at = %(now)s
FROM v WHERE people_person.id = v.id
"""  # noqa: S608


def edges_sql(message_ids: Sequence[int] | None) -> str:
    """Add the reply edges that are missing: for a workspace, or for some messages.

    ON CONFLICT rather than NOT EXISTS: while the table fills, an anti-join planned on an empty table would
    rescan what the statement itself inserts (quadratic).
    """
    scope = "c.workspace_id = %(ws)s" if message_ids is None else f"c.id IN ({formula.ids_sql(message_ids)})"
    inbound = f"'{Direction.INBOUND.value}'"
    return f"""
INSERT INTO people_replyedge (message_id, workspace_id, source_id, target_id, posted_at)
SELECT c.id, c.workspace_id, c.author_id, p.author_id, c.posted_at
FROM inbox_message c
JOIN inbox_message p ON p.connection_id = c.connection_id AND p.external_id = c.parent_external_id
WHERE {scope} AND c.parent_external_id <> '' AND c.direction = {inbound}
  AND c.author_id IS NOT NULL AND p.author_id IS NOT NULL AND c.author_id <> p.author_id
ON CONFLICT (message_id) DO NOTHING
"""  # noqa: S608
