"""Engagement score, level and reach, computed in the database with set-based SQL.

The model (weights and thresholds are per workspace, in ``ScoringSettings``; defaults in brackets):

* every published message a person posts on any channel earns ``weight_post`` [1];
* a message that replies to someone else earns ``weight_reply`` [2] on top;
* every reply someone else writes to one of the person's messages earns them ``weight_received`` [1];
* a moderator approving one of their messages earns ``weight_approved`` [2]; a moderator removing one, marking it
  as spam or banning them costs ``weight_removed`` [-5] (decisions of automatic rules do not count);
* being checked in at one of the workspace's events earns ``weight_attended`` [3], from the check-in's time, when
  the registration is linked to the person (``events.services.check_in`` recomputes that person, and so does undoing
  the check-in);
* each of these points halves every ``half_life_days`` [90]: points earned 90 days ago count half, 180 days ago a
  quarter. The score is the sum of the decayed points.
* The level follows the score: newcomer below ``threshold_occasional`` [3], then occasional, regular from
  ``threshold_regular`` [15], champion from ``threshold_champion`` [50].
* Reach is kept apart: how many distinct other persons replied to the person's messages in the last
  ``reach_days`` [365] days.

Messages held, removed or marked as spam on their network earn nothing. Replies to oneself (including replies
between two identities of the same person) count as posting only. Messages sent by the team from Fédère have
no author identity and count for nobody; replies they receive are not counted either.

The formula itself is written once, in ``people.engagement.formula``; the statements are generated from it in
``people.engagement.statements``. ``recompute(workspace)`` recomputes every person of a workspace;
``update_for_messages`` adds a new page's points to the persons it touched; ``update_for_identities`` /
``update_for_persons`` recompute only the persons a change touched.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.db import connection as db
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from federe.accounts.models import Workspace
from federe.people.engagement import community, formula
from federe.people.engagement.statements import delta_sql, edges_sql, execute, params, score_sql
from federe.people.models import Identity, Person, ScoringSettings

CHUNK = 2000
# A periodic refresh of merge suggestions and "gone quiet" runs at most this often per workspace.
REFRESH_EVERY = timedelta(minutes=10)


def settings_for(workspace: Workspace | int) -> ScoringSettings:
    workspace_id = workspace if isinstance(workspace, int) else workspace.pk
    found = ScoringSettings.objects.filter(workspace_id=workspace_id).first()
    if found is None:
        found, _created = ScoringSettings.objects.get_or_create(workspace_id=workspace_id)
    return found


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
            "Being checked in at one of the workspace's events is worth %(w)s point.",
            "Being checked in at one of the workspace's events is worth %(w)s points.",
            int(s.weight_attended),
        )
        % {"w": n(s.weight_attended)},
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


# --------------------------------------------------------------------------- entry points


@dataclass
class RecomputeResult:
    persons: int
    edges_added: int
    seconds: float


def recompute(workspace: Workspace, *, now: datetime | None = None) -> RecomputeResult:
    """Recompute every person of the workspace: reply edges first, then scores, levels and reach, then signals."""
    started = timezone.now()
    now = now or started
    s = settings_for(workspace)
    with transaction.atomic():
        edges = execute(edges_sql(None), {"ws": workspace.pk})
        if db.vendor == "postgresql" and edges > 10_000:
            execute("ANALYZE people_replyedge", {})  # plan the scores with the links just added
        execute(score_sql(None), params(s, now))
        persons = Person.objects.filter(workspace=workspace).count()
        ScoringSettings.objects.filter(pk=s.pk).update(computed_at=now)
        community.refresh(workspace, now=now)
    return RecomputeResult(persons=persons, edges_added=edges, seconds=(timezone.now() - started).total_seconds())


def update_for_persons(workspace: Workspace | int, person_ids: Iterable[int], *, now: datetime | None = None) -> int:
    """Recompute some persons of a workspace (after a merge, an unmerge, or new messages)."""
    ids = sorted({int(pk) for pk in person_ids})
    if not ids:
        return 0
    now = now or timezone.now()
    s = settings_for(workspace)
    updated = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        updated += execute(score_sql(chunk), params(s, now))
        community.mark_back(s.workspace_id, chunk, now=now)
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
    is decayed to now and the points of the new messages are added, by the same rules as a full recompute
    (exactly what a recompute would give, as decayed points only add up). Reach grows when a reply comes from
    someone who had not replied to that person within the reach window. Persons never scored yet are recomputed
    in full (they are new, so that is cheap). What this does not see - moderation decisions, status changes on
    the network, repliers leaving the reach window, replies that arrived before their parent - the next full
    recompute reconciles.
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
    execute(edges_sql(ids), {})
    persons = _touched(ids)
    if not persons:
        return 0
    fresh = set(Person.objects.filter(pk__in=persons, computed_at__isnull=True).values_list("pk", flat=True))
    known = [pk for pk in persons if pk not in fresh]
    if known:
        values = params(s, now)
        gains = _reach_gains(ids, values)
        for n, pk in enumerate(known):
            values.update({f"i{n}": pk, f"r{n}": gains.get(pk, 0)})
        execute(delta_sql(ids, len(known)), values)
    if fresh:
        execute(score_sql(sorted(fresh)), params(s, now))  # never scored: recompute them in full
    community.mark_back(s.workspace_id, persons, now=now)
    return len(persons)


def _touched(ids: list[int]) -> list[int]:
    """The authors of the new messages, and the persons they replied to."""
    with db.cursor() as cursor:
        cursor.execute(
            f"""SELECT ai.person_id, ti.person_id
            FROM inbox_message m
            JOIN people_identity ai ON ai.id = m.author_id
            LEFT JOIN people_replyedge e ON e.message_id = m.id
            LEFT JOIN people_identity ti ON ti.id = e.target_id
            WHERE m.id IN ({formula.ids_sql(ids)}) AND m.direction = %(inbound)s""",  # noqa: S608
            {"inbound": formula.Direction.INBOUND.value},
        )
        rows = cursor.fetchall()
    return list(dict.fromkeys(pk for row in rows for pk in row if pk is not None))


def _reach_gains(ids: list[int], values: dict[str, Any]) -> dict[int, int]:
    """Per replied person: how many repliers of these messages had not replied to them within the window."""
    with db.cursor() as cursor:
        cursor.execute(formula.replier_pairs_sql(formula.Scope(messages=ids)), values)
        pairs = {(int(a), int(b)) for a, b in cursor.fetchall()}
    gains: dict[int, int] = {}
    for _replier, replied in pairs - _earlier_repliers(pairs, ids, values["reach_since"]):
        gains[replied] = gains.get(replied, 0) + 1
    return gains


def _earlier_repliers(pairs: set[tuple[int, int]], batch: list[int], since: Any) -> set[tuple[int, int]]:
    """Among (replier, replied) person pairs: those with a counted reply in the window before this batch."""
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
        values = ", ".join(f"({int(a)}, {int(b)})" for a, b in links[start : start + 500])
        with db.cursor() as cursor:
            cursor.execute(
                f"""SELECT DISTINCT e.source_id, e.target_id FROM people_replyedge e
                JOIN (VALUES {values}) AS v ON e.source_id = v.column1 AND e.target_id = v.column2
                JOIN inbox_message m ON m.id = e.message_id
                WHERE e.posted_at >= %(since)s AND m.network_status = %(published)s
                  AND e.message_id NOT IN ({formula.ids_sql(batch)})""",  # noqa: S608
                {"since": since, "published": formula.PUBLISHED},
            )
            found.update((owner[a], owner[b]) for a, b in cursor.fetchall())
    return found


def after_new_messages(workspace_id: int, messages: Sequence[Any]) -> None:
    """The ingest pipeline's score_people step (inbox.ingest), after a page is stored, in its transaction."""
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
