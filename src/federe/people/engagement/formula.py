"""The engagement formula, written once: a table of point rules, a half-life and level thresholds.

Everything else is generated from this table, so that the three ways a score is computed cannot drift apart:

* the full recompute sums every rule over a workspace, or over some persons (``scoring.recompute``);
* the incremental update sums the same rules over the events a page of new messages brought, and adds them to
  each stored score decayed to now (``scoring.update_for_messages``); events that are no message (an event's
  check-in) are never in a page: whoever changes them recomputes the persons concerned (``update_for_persons``);
* the Python decay (``decay``, ``standing``) is the same half-life, for the signals.

A score is the sum, over every event that earns points, of ``weight * 0.5 ** (age / half-life)``. The decay is
multiplicative, so a stored score decayed from when it was computed, plus the points of new events, equals a
full recompute: only what a new page adds has to be read.

The weights and thresholds are per workspace (``ScoringSettings``); a rule names the setting it reads.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from federe.inbox.models import Direction
from federe.moderation.models import NetworkState, Verdict
from federe.people.models import Level, ScoringSettings

PUBLISHED = "published"  # Message.network_status of a message that is visible on its network
# Moderators' decisions that earn or cost points (decisions of automatic rules have no actor and never count; nor
# do decisions the channel's network cannot carry out: they stay in Fédère's history, not in the person's score).
DECISIONS_THAT_COUNT = (Verdict.APPROVE, Verdict.SPAM, Verdict.REMOVE, Verdict.DELETE, Verdict.BAN)


def _quoted(value: str) -> str:
    """A constant of the code (an enum value) as an SQL literal; values from users are always parameters."""
    value = str(value)
    if not value.replace("_", "").isalnum():
        raise ValueError(f"not a plain constant: {value!r}")
    return f"'{value}'"


@dataclass(frozen=True)
class Events:
    """Rows that earn points: where they are, who is credited, when they happened, and how to scope them.

    ``identity`` is the identity column used to scope to some persons; without one (rows that name their person
    directly, like an event's registration) the ``person`` column itself is. ``key`` is the message column used to
    scope to the messages of a new page (a reply edge is keyed by its reply message); without one the rows are no
    message, and a page's new messages bring none of them. ``replier``, when set, is the person whose replies make
    the credited person's reach.
    """

    source: str
    condition: str
    person: str
    at: str
    workspace: str
    identity: str | None = None
    key: str | None = None
    replier: str | None = None


_PUBLISHED_REPLY = f"si.person_id <> ti.person_id AND m.network_status = {_quoted(PUBLISHED)}"
_REPLIES = """people_replyedge e
    JOIN people_identity si ON si.id = e.source_id
    JOIN people_identity ti ON ti.id = e.target_id
    JOIN inbox_message m ON m.id = e.message_id"""

POSTS = Events(
    source="inbox_message m JOIN people_identity i ON i.id = m.author_id",
    condition=f"m.direction = {_quoted(Direction.INBOUND)} AND m.network_status = {_quoted(PUBLISHED)}",
    person="i.person_id",
    at="m.posted_at",
    workspace="m.workspace_id",
    identity="m.author_id",
    key="m.id",
)
REPLIES_GIVEN = Events(
    source=_REPLIES,
    condition=_PUBLISHED_REPLY,
    person="si.person_id",
    at="e.posted_at",
    workspace="e.workspace_id",
    identity="e.source_id",
    key="e.message_id",
)
REPLIES_RECEIVED = Events(
    source=_REPLIES,
    condition=_PUBLISHED_REPLY,
    person="ti.person_id",
    at="e.posted_at",
    workspace="e.workspace_id",
    identity="e.target_id",
    key="e.message_id",
    replier="si.person_id",
)
DECISIONS = Events(
    source="""moderation_decision d
    JOIN inbox_message m ON m.id = d.message_id
    JOIN people_identity i ON i.id = m.author_id""",
    condition="d.actor_id IS NOT NULL AND d.action IN ({}) AND d.network_state <> {}".format(
        ", ".join(map(_quoted, DECISIONS_THAT_COUNT)), _quoted(NetworkState.UNSUPPORTED)
    ),
    person="i.person_id",
    at="d.created_at",
    workspace="d.workspace_id",
    identity="m.author_id",
    key="d.message_id",
)
# A check-in at one of the workspace's events, of a registration linked to a person of the same workspace (a
# registration names its person, not an identity; a cancelled registration that was checked in still counts, as
# on the person's timeline). The registration may have no person: it then counts for nobody.
ATTENDANCE = Events(
    source="""events_registration r
    JOIN events_event ev ON ev.id = r.event_id
    JOIN people_person rp ON rp.id = r.person_id""",
    condition="r.checked_in_at IS NOT NULL AND rp.workspace_id = ev.workspace_id",
    person="r.person_id",
    at="r.checked_in_at",
    workspace="ev.workspace_id",
)


@dataclass(frozen=True)
class PointRule:
    """Who earns how much for which events. ``weight`` is SQL over the settings' parameters (``params``)."""

    name: str
    events: Events
    weight: str


RULES: tuple[PointRule, ...] = (
    # every published message a person posts, on any channel
    PointRule("post", POSTS, "%(weight_post)s"),
    # a published reply to someone else (on top of posting it); replies to oneself count as posting only
    PointRule("reply", REPLIES_GIVEN, "%(weight_reply)s"),
    # a published reply someone else wrote to one of the person's messages
    PointRule("received", REPLIES_RECEIVED, "%(weight_received)s"),
    # a moderator approving one of their messages, or removing it, marking it as spam, banning them
    PointRule(
        "moderated",
        DECISIONS,
        f"CASE WHEN d.action = {_quoted(Verdict.APPROVE)} THEN %(weight_approved)s ELSE %(weight_removed)s END",
    ),
    # being checked in at one of the workspace's events (from the check-in's time)
    PointRule("attended", ATTENDANCE, "%(weight_attended)s"),
)
# Levels from the highest: the first threshold the score reaches gives the level; below them all, newcomer.
LEVELS: tuple[tuple[str, str], ...] = (
    (Level.CHAMPION, "threshold_champion"),
    (Level.REGULAR, "threshold_regular"),
    (Level.OCCASIONAL, "threshold_occasional"),
)
HALF_LIFE_FIELD = "half_life_days"
# The settings the statements read: every rule's weight (``%(weight_…)s``) and the thresholds.
SETTINGS_FIELDS = (*ScoringSettings.WEIGHT_FIELDS, *(field for _level, field in LEVELS))


class Settings(Protocol):
    """What the formula reads of ``ScoringSettings`` (a protocol, so that tests may pass a plain object)."""

    half_life_days: float
    reach_days: int


# --------------------------------------------------------------------------- decay and levels, in Python


def half_life_seconds(s: Settings) -> float:
    """The half-life the SQL and the Python decay both use (never zero: a zero would divide)."""
    return max(float(getattr(s, HALF_LIFE_FIELD)), 0.01) * 86400.0


def decay(seconds: float, s: Settings) -> float:
    """What one point earned ``seconds`` ago is worth now (a future date counts as now)."""
    return math.exp(-math.log(2) * max(seconds, 0.0) / half_life_seconds(s))


def standing(score: float, last_seen: datetime | None, s: Settings, now: datetime) -> float:
    """The score a person had when last seen: today's score with the decay since then undone."""
    if last_seen is None:
        return score
    return score / decay((now - last_seen).total_seconds(), s)


def level_for(score: float, s: Settings) -> str:
    for level, field in LEVELS:
        if score >= getattr(s, field):
            return str(level)
    return str(Level.NEWCOMER)


# --------------------------------------------------------------------------- the same, in SQL


def age_sql(column: str, vendor: str) -> str:
    """Seconds between %(now)s and a timestamp column, never negative (a future date counts as now)."""
    if vendor == "postgresql":
        # date_part gives double precision; EXTRACT gives numeric since PostgreSQL 14, ten times slower here.
        return f"GREATEST(date_part('epoch', %(now)s::timestamptz - {column}), 0)"
    return f"MAX((julianday(%(now)s) - julianday({column})) * 86400.0, 0)"


def decay_sql(column: str, vendor: str) -> str:
    """``decay`` in SQL: EXP in double precision, with the half-life in %(half_life)s."""
    return f"EXP(-{math.log(2)!r} * {age_sql(column, vendor)} / %(half_life)s)"


def level_sql(score: str) -> str:
    """``level_for`` in SQL, over a score expression."""
    cases = " ".join(f"WHEN {score} >= %({field})s THEN {_quoted(level)}" for level, field in LEVELS)
    return f"CASE {cases} ELSE {_quoted(Level.NEWCOMER)} END"


def params(s: Settings, now_sql: object, reach_since_sql: object) -> dict[str, object]:
    """The query parameters every generated statement reads (timestamps already adapted for the database)."""
    values: dict[str, object] = {name: getattr(s, name) for name in SETTINGS_FIELDS}
    values.update(now=now_sql, reach_since=reach_since_sql, half_life=half_life_seconds(s))
    return values


def ids_sql(values: Sequence[int]) -> str:
    """A list of ids for an IN (...): int() makes formatting them in safe; an empty list matches nothing."""
    return ",".join(str(int(v)) for v in values) or "NULL"


# --------------------------------------------------------------------------- which events a sum covers


@dataclass(frozen=True)
class Scope:
    """The events a sum covers: a whole workspace (``%(ws)s``), some persons, or those of some new messages."""

    persons: Sequence[int] | None = None
    messages: Sequence[int] | None = None

    def covers(self, events: Events) -> bool:
        """Whether the scope can hold any of these events: new messages hold no events that are no message."""
        return self.messages is None or events.key is not None

    def condition(self, events: Events) -> str:
        if self.persons is not None:
            if events.identity is None:
                return f"{events.person} IN ({ids_sql(self.persons)})"
            identities = f"SELECT id FROM people_identity WHERE person_id IN ({ids_sql(self.persons)})"  # noqa: S608
            return f"{events.identity} IN ({identities})"
        if self.messages is not None:
            if events.key is None:
                return "1 = 0"  # not a message: never among a page's
            return f"{events.key} IN ({ids_sql(self.messages)})"
        return f"{events.workspace} = %(ws)s"


def rule_sql(rule: PointRule, scope: Scope, vendor: str) -> str:
    """One rule's points per person over a scope, with the reach when the rule's events carry repliers."""
    events = rule.events
    reach = (
        f"COUNT(DISTINCT CASE WHEN {events.at} >= %(reach_since)s THEN {events.replier} END)" if events.replier else "0"
    )
    return f"""SELECT {events.person} AS pid, SUM({rule.weight} * {decay_sql(events.at, vendor)}) AS pts,
        {reach} AS reach
    FROM {events.source}
    WHERE {scope.condition(events)} AND {events.condition}
    GROUP BY {events.person}"""  # noqa: S608 - constants and int() ids only


def points_sql(scope: Scope, vendor: str) -> str:
    """Every rule's points per person over a scope: ``pid``, ``score`` (decayed to %(now)s) and ``reach``."""
    rules = [rule for rule in RULES if scope.covers(rule.events)]
    parts = "\n    UNION ALL ".join(rule_sql(rule, scope, vendor) for rule in rules)
    return f"SELECT pid, SUM(pts) AS score, MAX(reach) AS reach FROM (\n    {parts}\n) AS u GROUP BY pid"  # noqa: S608


def replier_pairs_sql(scope: Scope) -> str:
    """(replier, replied) person pairs within the reach window among the reply events of a scope."""
    events = REPLIES_RECEIVED
    return f"""SELECT DISTINCT {events.replier}, {events.person} FROM {events.source}
    WHERE {scope.condition(events)} AND {events.condition} AND {events.at} >= %(reach_since)s"""  # noqa: S608
