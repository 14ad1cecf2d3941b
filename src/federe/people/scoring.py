"""Engagement score, level and reach, computed in the database with set-based SQL.

The model (weights and thresholds are per workspace, in ``ScoringSettings``; defaults in brackets):

* every published message a person posts on any channel earns ``weight_post`` [1];
* a message that replies to someone else earns ``weight_reply`` [2] on top;
* every reply someone else writes to one of the person's messages earns them ``weight_received`` [1];
* a moderator approving one of their messages earns ``weight_approved`` [2]; a moderator removing one, marking it
  as spam or banning them costs ``weight_removed`` [-5] (decisions of automatic rules do not count);
* each of these points halves every ``half_life_days`` [90]: points earned 90 days ago count half, 180 days ago a
  quarter. The score is the sum of the decayed points.
* The level follows the score: newcomer below ``threshold_occasional`` [3], then occasional, regular from
  ``threshold_regular`` [15], champion from ``threshold_champion`` [50].
* Reach is kept apart: how many distinct other persons replied to the person's messages in the last
  ``reach_days`` [365] days.

Messages held, removed or marked as spam on their network earn nothing. Replies to oneself (including replies
between two identities of the same person) count as posting only. Messages sent by the team from Fédère have
no author identity and count for nobody; replies they receive are not counted either.

``recompute(workspace)`` recomputes every person of a workspace; ``update_for_messages`` /
``update_for_identities`` / ``update_for_persons`` recompute only the persons a change touched.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from django.db import connection as db
from django.db import transaction
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from federe.accounts.models import Workspace
from federe.people.models import Identity, Person, ScoringSettings

CHUNK = 2000
# A periodic refresh of merge suggestions and "gone quiet" runs at most this often per workspace.
REFRESH_EVERY = timedelta(minutes=10)
DECISIONS_THAT_COUNT = ("approve", "spam", "remove", "delete", "ban")


def settings_for(workspace: Workspace | int) -> ScoringSettings:
    workspace_id = workspace if isinstance(workspace, int) else workspace.pk
    found = ScoringSettings.objects.filter(workspace_id=workspace_id).first()
    if found is None:
        found, _created = ScoringSettings.objects.get_or_create(workspace_id=workspace_id)
    return found


def level_for(score: float, s: ScoringSettings) -> str:
    if score >= s.threshold_champion:
        return "champion"
    if score >= s.threshold_regular:
        return "regular"
    if score >= s.threshold_occasional:
        return "occasional"
    return "newcomer"


def explain(s: ScoringSettings) -> list[str]:
    """The formula in plain words, with this workspace's numbers, in the reader's language."""

    def n(value: float) -> str:
        return formats.number_format(int(value) if float(value).is_integer() else value)

    return [
        ngettext(
            "Each message a person posts, on any channel, is worth %(w)s point.",
            "Each message a person posts, on any channel, is worth %(w)s points.",
            int(s.weight_post),
        )
        % {"w": n(s.weight_post)},
        _("A message that replies to someone else is worth %(w)s more.") % {"w": n(s.weight_reply)},
        _("Each reply someone else writes to one of their messages is worth %(w)s.") % {"w": n(s.weight_received)},
        _("A moderator approving one of their messages is worth %(w)s; removing one or marking it as spam, %(r)s.")
        % {"w": n(s.weight_approved), "r": n(s.weight_removed)},
        ngettext(
            "Points fade with time: they count half after %(d)s day, a quarter after twice as long.",
            "Points fade with time: they count half after %(d)s days, a quarter after twice as long.",
            int(s.half_life_days),
        )
        % {"d": n(s.half_life_days)},
        ngettext(
            "Levels: newcomer below %(o)s point, occasional from %(o)s, regular from %(r)s, champion from %(c)s.",
            "Levels: newcomer below %(o)s points, occasional from %(o)s, regular from %(r)s, champion from %(c)s.",
            int(s.threshold_occasional),
        )
        % {"o": n(s.threshold_occasional), "r": n(s.threshold_regular), "c": n(s.threshold_champion)},
        ngettext(
            "Reach is counted apart: how many different people replied to their messages in the last %(d)s day.",
            "Reach is counted apart: how many different people replied to their messages in the last %(d)s days.",
            int(s.reach_days),
        )
        % {"d": s.reach_days},
    ]


# --------------------------------------------------------------------------- SQL pieces


def _ts(value: datetime) -> Any:
    return db.ops.adapt_datetimefield_value(value)


def _age_seconds(column: str) -> str:
    """Seconds between %(now)s and a timestamp column, never negative (a future date counts as now)."""
    if db.vendor == "postgresql":
        # date_part gives double precision; EXTRACT gives numeric since PostgreSQL 14, ten times slower here.
        return f"GREATEST(date_part('epoch', %(now)s::timestamptz - {column}), 0)"
    return f"MAX((julianday(%(now)s) - julianday({column})) * 86400.0, 0)"


def _decay(column: str) -> str:
    """0.5 ** (age / half-life), as EXP in double precision."""
    return f"EXP(-0.6931471805599453 * {_age_seconds(column)} / %(half_life)s)"


def _ids(values: Iterable[int]) -> str:
    return ",".join(str(int(v)) for v in values) or "NULL"


def _score_sql(person_ids: Sequence[int] | None) -> str:
    """One statement that recomputes score, level and reach for a workspace, or for some of its persons."""
    if person_ids is None:
        scope_persons = "p2.workspace_id = %(ws)s"
        own_scope = "m.workspace_id = %(ws)s"
        given_scope = "e.workspace_id = %(ws)s"
        received_scope = "e.workspace_id = %(ws)s"
        moderated_scope = "d.workspace_id = %(ws)s"
    else:
        ids = _ids(person_ids)
        identities = f"(SELECT id FROM people_identity WHERE person_id IN ({ids}))"  # noqa: S608 - ids are int()
        scope_persons = f"p2.workspace_id = %(ws)s AND p2.id IN ({ids})"
        own_scope = f"m.author_id IN {identities}"
        given_scope = f"e.source_id IN {identities}"
        received_scope = f"e.target_id IN {identities}"
        moderated_scope = f"m.author_id IN {identities}"
    decisions = ", ".join(f"'{a}'" for a in DECISIONS_THAT_COUNT)
    # Only constants and int() ids are formatted in; every value is a query parameter.
    return f"""
WITH own AS (
    SELECT i.person_id AS pid, SUM(%(w_post)s * {_decay("m.posted_at")}) AS pts
    FROM inbox_message m JOIN people_identity i ON i.id = m.author_id
    WHERE {own_scope} AND m.direction = 'in' AND m.network_status = 'published'
    GROUP BY i.person_id
),
given AS (
    SELECT si.person_id AS pid, SUM(%(w_reply)s * {_decay("e.posted_at")}) AS pts
    FROM people_replyedge e
    JOIN people_identity si ON si.id = e.source_id
    JOIN people_identity ti ON ti.id = e.target_id
    JOIN inbox_message m ON m.id = e.message_id
    WHERE {given_scope} AND si.person_id <> ti.person_id AND m.network_status = 'published'
    GROUP BY si.person_id
),
received AS (
    SELECT ti.person_id AS pid,
           SUM(%(w_received)s * {_decay("e.posted_at")}) AS pts,
           COUNT(DISTINCT CASE WHEN e.posted_at >= %(reach_since)s THEN si.person_id END) AS reach
    FROM people_replyedge e
    JOIN people_identity si ON si.id = e.source_id
    JOIN people_identity ti ON ti.id = e.target_id
    JOIN inbox_message m ON m.id = e.message_id
    WHERE {received_scope} AND si.person_id <> ti.person_id AND m.network_status = 'published'
    GROUP BY ti.person_id
),
moderated AS (
    SELECT i.person_id AS pid,
           SUM(CASE WHEN d.action = 'approve' THEN %(w_approved)s ELSE %(w_removed)s END
               * {_decay("d.created_at")}) AS pts
    FROM moderation_decision d
    JOIN inbox_message m ON m.id = d.message_id
    JOIN people_identity i ON i.id = m.author_id
    WHERE {moderated_scope} AND d.actor_id IS NOT NULL AND d.action IN ({decisions})
    GROUP BY i.person_id
),
points AS (
    SELECT pid, SUM(pts) AS score, MAX(reach) AS reach FROM (
        SELECT pid, pts, 0 AS reach FROM own
        UNION ALL SELECT pid, pts, 0 FROM given
        UNION ALL SELECT pid, pts, reach FROM received
        UNION ALL SELECT pid, pts, 0 FROM moderated
    ) AS u GROUP BY pid
),
v AS (
    SELECT p2.id AS id, COALESCE(t.score, 0) AS score, COALESCE(t.reach, 0) AS reach
    FROM people_person p2 LEFT JOIN points t ON t.pid = p2.id
    WHERE {scope_persons}
)
UPDATE people_person SET
    score = v.score,
    reach = v.reach,
    level = CASE WHEN v.score >= %(t_champion)s THEN 'champion'
                 WHEN v.score >= %(t_regular)s THEN 'regular'
                 WHEN v.score >= %(t_occasional)s THEN 'occasional'
                 ELSE 'newcomer' END,
    computed_at = %(now)s
FROM v WHERE people_person.id = v.id
"""  # noqa: S608


def _params(s: ScoringSettings, now: datetime) -> dict[str, Any]:
    return {
        "ws": s.workspace_id,
        "now": _ts(now),
        "half_life": max(s.half_life_days, 0.01) * 86400.0,
        "reach_since": _ts(now - timedelta(days=s.reach_days)),
        "w_post": s.weight_post,
        "w_reply": s.weight_reply,
        "w_received": s.weight_received,
        "w_approved": s.weight_approved,
        "w_removed": s.weight_removed,
        "t_occasional": s.threshold_occasional,
        "t_regular": s.threshold_regular,
        "t_champion": s.threshold_champion,
    }


def _edges_sql(message_ids: Sequence[int] | None) -> str:
    """Add the reply edges that are missing: for a workspace, or for some messages.

    ON CONFLICT rather than NOT EXISTS: while the table fills, an anti-join planned on an empty table would
    rescan what the statement itself inserts (quadratic).
    """
    scope = "c.workspace_id = %(ws)s" if message_ids is None else f"c.id IN ({_ids(message_ids)})"
    return f"""
INSERT INTO people_replyedge (message_id, workspace_id, source_id, target_id, posted_at)
SELECT c.id, c.workspace_id, c.author_id, p.author_id, c.posted_at
FROM inbox_message c
JOIN inbox_message p ON p.connection_id = c.connection_id AND p.external_id = c.parent_external_id
WHERE {scope} AND c.parent_external_id <> '' AND c.direction = 'in'
  AND c.author_id IS NOT NULL AND p.author_id IS NOT NULL AND c.author_id <> p.author_id
ON CONFLICT (message_id) DO NOTHING
"""  # noqa: S608


def _execute(sql: str, params: dict[str, Any]) -> int:
    with db.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


# --------------------------------------------------------------------------- entry points


@dataclass
class RecomputeResult:
    persons: int
    edges_added: int
    seconds: float


def recompute(workspace: Workspace, *, now: datetime | None = None) -> RecomputeResult:
    """Recompute every person of the workspace: reply edges first, then scores, levels and reach, then signals."""
    from federe.people import signals

    started = timezone.now()
    now = now or started
    s = settings_for(workspace)
    with transaction.atomic():
        edges = _execute(_edges_sql(None), {"ws": workspace.pk})
        if db.vendor == "postgresql" and edges > 10_000:
            _execute("ANALYZE people_replyedge", {})  # plan the scores with the links just added
        _execute(_score_sql(None), _params(s, now))
        persons = Person.objects.filter(workspace=workspace).count()
        ScoringSettings.objects.filter(pk=s.pk).update(computed_at=now)
        signals.refresh(workspace, now=now)
    return RecomputeResult(persons=persons, edges_added=edges, seconds=(timezone.now() - started).total_seconds())


def update_for_persons(workspace: Workspace | int, person_ids: Iterable[int], *, now: datetime | None = None) -> int:
    """Recompute some persons of a workspace (after a merge, an unmerge, or new messages)."""
    from federe.people import signals

    ids = sorted({int(pk) for pk in person_ids})
    if not ids:
        return 0
    now = now or timezone.now()
    s = settings_for(workspace)
    updated = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        updated += _execute(_score_sql(chunk), _params(s, now))
        signals.mark_back(s.workspace_id, chunk, now=now)
    return updated


def update_for_identities(
    workspace: Workspace | int, identity_ids: Iterable[int], *, now: datetime | None = None
) -> int:
    ids = {int(pk) for pk in identity_ids}
    persons = set(Identity.objects.filter(pk__in=ids).values_list("person_id", flat=True)) if ids else set()
    return update_for_persons(workspace, persons, now=now)


def update_for_messages(workspace: Workspace | int, message_ids: Iterable[int], *, now: datetime | None = None) -> int:
    """New messages were stored: add their points to their authors and to the persons they replied to.

    The cost depends on the new messages only, not on the persons' history: each touched person's stored score
    is decayed to now and the new points are added (exactly what a recompute would give, as points only add up).
    Reach grows when a reply comes from someone who had not replied to that person within the reach window.
    Persons never scored yet are recomputed in full (they are new, so that is cheap). What this does not see -
    moderation decisions, status changes on the network, repliers leaving the reach window, replies that arrived
    before their parent - the next full recompute reconciles.
    """
    workspace_id = workspace if isinstance(workspace, int) else workspace.pk
    ids = sorted({int(pk) for pk in message_ids})
    if not ids:
        return 0
    now = now or timezone.now()
    s = settings_for(workspace_id)
    touched = 0
    for start in range(0, len(ids), CHUNK):
        touched += _add_points(s, ids[start : start + CHUNK], now)
    _maybe_queue_refresh(workspace_id)
    return touched


def _add_points(s: ScoringSettings, ids: list[int], now: datetime) -> int:
    from federe.people import signals

    _execute(_edges_sql(ids), {})
    with db.cursor() as cursor:
        cursor.execute(
            f"""SELECT m.posted_at, m.network_status, ai.person_id, e.source_id, e.target_id, ti.person_id
            FROM inbox_message m
            JOIN people_identity ai ON ai.id = m.author_id
            LEFT JOIN people_replyedge e ON e.message_id = m.id
            LEFT JOIN people_identity ti ON ti.id = e.target_id
            WHERE m.id IN ({_ids(ids)}) AND m.direction = 'in'"""  # noqa: S608
        )
        rows = cursor.fetchall()
    half_life = max(s.half_life_days, 0.01) * 86400.0
    reach_since = now - timedelta(days=s.reach_days)

    def decay(at: datetime) -> float:
        return 0.5 ** (max((now - at).total_seconds(), 0.0) / half_life)

    delta: dict[int, float] = {}
    new_pairs: set[tuple[int, int]] = set()  # (replier person, replied person)
    for raw_posted_at, status, author, _source, _target, target_person in rows:
        posted_at = _aware(raw_posted_at)
        delta.setdefault(author, 0.0)
        if target_person is not None:
            delta.setdefault(target_person, 0.0)
        if status != "published":
            continue
        delta[author] += s.weight_post * decay(posted_at)
        if target_person is not None and target_person != author:
            delta[author] += s.weight_reply * decay(posted_at)
            delta[target_person] += s.weight_received * decay(posted_at)
            if posted_at >= reach_since:
                new_pairs.add((author, target_person))
    if not delta:
        return 0
    persons = list(delta)
    fresh = set(
        Person.objects.filter(pk__in=persons, computed_at__isnull=True).values_list("pk", flat=True)
    )  # never scored: recompute them in full below
    reach_gain: dict[int, int] = {}
    known = _earlier_repliers(new_pairs, ids, reach_since)
    for _replier, replied in new_pairs - known:
        reach_gain[replied] = reach_gain.get(replied, 0) + 1
    values = [(pk, delta[pk], reach_gain.get(pk, 0)) for pk in persons if pk not in fresh]
    if values:
        _apply_deltas(s, values, now)
    if fresh:
        _execute(_score_sql(sorted(fresh)), _params(s, now))
    signals.mark_back(s.workspace_id, persons, now=now)
    return len(persons)


def _aware(value: Any) -> datetime:
    """Raw SQL gives SQLite's timestamps as naive UTC (or text): make them aware."""
    if isinstance(value, str):
        value = parse_datetime(value)
    return value if timezone.is_aware(value) else value.replace(tzinfo=UTC)


def _earlier_repliers(pairs: set[tuple[int, int]], batch: list[int], since: datetime) -> set[tuple[int, int]]:
    """Among (replier, replied) person pairs: those with a reply in the window before this batch."""
    if not pairs:
        return set()
    persons = {p for pair in pairs for p in pair}
    identities: dict[int, list[int]] = {}
    for pk, person in Identity.objects.filter(person_id__in=persons).values_list("pk", "person_id"):
        identities.setdefault(person, []).append(pk)
    owner = {pk: person for person, pks in identities.items() for pk in pks}
    links = [
        (a, b) for replier, replied in pairs for a in identities.get(replier, []) for b in identities.get(replied, [])
    ]
    found: set[tuple[int, int]] = set()
    for start in range(0, len(links), 500):
        chunk = links[start : start + 500]
        values = ", ".join(f"({int(a)}, {int(b)})" for a, b in chunk)
        with db.cursor() as cursor:
            cursor.execute(
                f"""SELECT DISTINCT e.source_id, e.target_id FROM people_replyedge e
                JOIN (VALUES {values}) AS v ON e.source_id = v.column1 AND e.target_id = v.column2
                WHERE e.posted_at >= %(since)s AND e.message_id NOT IN ({_ids(batch)})""",  # noqa: S608
                {"since": _ts(since)},
            )
            found.update((owner[a], owner[b]) for a, b in cursor.fetchall())
    return found


def _apply_deltas(s: ScoringSettings, values: list[tuple[int, float, int]], now: datetime) -> None:
    cast = ("::bigint", "::double precision", "::integer") if db.vendor == "postgresql" else ("", "", "")
    params = _params(s, now)
    rows = ", ".join(f"(%(i{n})s{cast[0]}, %(d{n})s{cast[1]}, %(r{n})s{cast[2]})" for n in range(len(values)))
    for n, (pk, points, reach) in enumerate(values):
        params.update({f"i{n}": pk, f"d{n}": points, f"r{n}": reach})
    decayed = f"people_person.score * {_decay('people_person.computed_at')}"
    new_score = f"({decayed} + v.column2)"
    _execute(
        f"""UPDATE people_person SET
            score = {new_score},
            reach = people_person.reach + v.column3,
            level = CASE WHEN {new_score} >= %(t_champion)s THEN 'champion'
                         WHEN {new_score} >= %(t_regular)s THEN 'regular'
                         WHEN {new_score} >= %(t_occasional)s THEN 'occasional'
                         ELSE 'newcomer' END,
            computed_at = %(now)s
        FROM (VALUES {rows}) AS v
        WHERE people_person.id = v.column1""",  # noqa: S608
        params,
    )


def after_new_messages(workspace_id: int, messages: Sequence[Any]) -> None:
    """The call made by connections.services after a page is stored (in the page's transaction)."""
    if messages:
        update_for_messages(workspace_id, [m.pk for m in messages])


def _maybe_queue_refresh(workspace_id: int) -> None:
    """At most every REFRESH_EVERY: queue the refresh of merge suggestions and "gone quiet" after commit."""
    from federe.people.tasks import refresh_people_task

    now = timezone.now()
    settings_for(workspace_id)
    claimed = (
        ScoringSettings.objects.filter(workspace_id=workspace_id)
        .exclude(refresh_queued_at__gt=now - REFRESH_EVERY)
        .update(refresh_queued_at=now)
    )
    if claimed:
        transaction.on_commit(partial(refresh_people_task.enqueue, workspace_id))


def standing(person: Person, s: ScoringSettings, now: datetime) -> float:
    """The score the person had when last seen (the decay since then undone)."""
    if person.last_seen_at is None:
        return person.score
    silent = max((now - person.last_seen_at).total_seconds(), 0.0)
    return person.score * 2 ** (silent / (max(s.half_life_days, 0.01) * 86400.0))
