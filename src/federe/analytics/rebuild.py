"""``federe analytics rebuild``: the summary tables of a workspace counted again from every message and decision.
For a workspace whose history was imported out of order, whose persons were merged since, or that existed before
the dashboards.

Messages are counted set-based, in the database, by three ``INSERT … SELECT`` statements: the same definitions as
``rollup`` (which counts page by page at ingest), written once more as SQL, because a loop over ten million
messages in Python takes over an hour where these take minutes. ``tests/analytics/test_rollup.py`` checks that
both give the same rows. A member's days in a scope are their distinct UTC days with a message; the first is the
day they are new, and a day ``rollup.QUIET_DAYS`` or more after the previous one is a return. Each statement is an
upsert that overwrites: a page ingested meanwhile may have written a row since the tables were emptied, and the
statement counts that page's messages when they were committed before it (a page committed later adds to its row).
Decisions (about one message in a hundred) go through ``rollup.count_decisions`` in batches.
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace

from django.db import connection, transaction

from federe.analytics import rollup
from federe.analytics.models import WHOLE

BATCH = 5000
Progress = Callable[[str, int, int], None]  # (what, done, total)


def rebuild(workspace_id: int, progress: Progress | None = None) -> tuple[int, int]:
    """In one transaction: readers see the old figures until the new ones are complete. (messages, decisions)."""
    from federe.inbox.models import Message
    from federe.moderation.models import Decision, Verdict

    tell = progress or (lambda _what, _done, _total: None)
    with transaction.atomic():
        rollup.forget_workspace(workspace_id)
        messages = Message.objects.filter(workspace_id=workspace_id).count()
        tell("messages", 0, messages)
        _count_messages(workspace_id)
        tell("messages", messages, messages)
        decisions = Decision.objects.filter(workspace_id=workspace_id, action__in=Verdict.values)
        total, done = decisions.count(), 0
        for start in range(0, total, BATCH):
            chunk = decisions.order_by("pk").values_list(
                "workspace_id", "action", "reasons", "actor_id", "created_at", "message__connection_id"
            )[start : start + BATCH]
            rollup.count_decisions([_decision(*values) for values in chunk])
            done += BATCH
            tell("decisions", min(done, total), total)
    return messages, total


def _decision(workspace_id: int, action: str, reasons: list, actor_id: int | None, created_at, channel: int):
    """What ``rollup.count_decisions`` reads of a decision, without loading the row."""
    return SimpleNamespace(
        workspace_id=workspace_id,
        action=action,
        reasons=reasons,
        actor_id=actor_id,
        created_at=created_at,
        message=SimpleNamespace(connection_id=channel),
    )


# ------------------------------------------------------------------------------------------------ messages, in SQL

#: A message's UTC day, and the days between two such days, in each database's words.
DAY = {"postgresql": "(m.posted_at AT TIME ZONE 'UTC')::date", "sqlite": "date(m.posted_at)"}
DAYS_BETWEEN = {"postgresql": "day - previous", "sqlite": "julianday(day) - julianday(previous)"}

#: Each message once per scope (its channel, then the whole workspace), with its day and its author's person.
SCOPED = """
WITH m AS (
    SELECT m.connection_id AS channel, m.conversation_id, m.direction, m.parent_external_id, m.sentiment, m.reach,
           m.engagement, i.person_id, {day} AS day
    FROM inbox_message m LEFT JOIN people_identity i ON i.id = m.author_id
    WHERE m.workspace_id = %(workspace)s
),
scoped AS (
    SELECT channel AS scope, direction, parent_external_id, sentiment, reach, engagement, person_id, day FROM m
    UNION ALL
    SELECT {whole}, direction, parent_external_id, sentiment, reach, engagement, person_id, day FROM m
),
member_days AS (
    SELECT DISTINCT scope, person_id, day FROM scoped WHERE direction = 'in' AND person_id IS NOT NULL
),
gaps AS (
    SELECT scope, person_id, day, LAG(day) OVER (PARTITION BY scope, person_id ORDER BY day) AS previous
    FROM member_days
)
"""

INBOUND = "CASE WHEN direction = 'in' {more} THEN {value} ELSE 0 END"


def _inbound(more: str = "", value: str = "1") -> str:
    return "SUM(" + INBOUND.format(more=more, value=value) + ")"


DAILY = """
INSERT INTO analytics_dailycount (workspace_id, scope, day, messages, community_replies, sent, new_members,
    {returning}, positive, neutral, negative, reach, engagement)
SELECT %(workspace)s, scope, day, SUM(messages), SUM(community_replies), SUM(sent), SUM(new_members),
    SUM(back), SUM(positive), SUM(neutral), SUM(negative), SUM(reach), SUM(engagement)
FROM (
    SELECT scope, day,
        {messages} AS messages,
        {replies} AS community_replies,
        SUM(CASE WHEN direction = 'in' THEN 0 ELSE 1 END) AS sent,
        0 AS new_members, 0 AS back,
        {positive} AS positive, {neutral} AS neutral, {negative} AS negative,
        {reach} AS reach, {engagement} AS engagement
    FROM scoped GROUP BY scope, day
    UNION ALL
    SELECT scope, day, 0, 0, 0,
        SUM(CASE WHEN previous IS NULL THEN 1 ELSE 0 END),
        SUM(CASE WHEN previous IS NOT NULL AND {between} >= {quiet} THEN 1 ELSE 0 END),
        0, 0, 0, 0, 0
    FROM gaps GROUP BY scope, day
) counted
WHERE true
GROUP BY scope, day
ON CONFLICT (workspace_id, scope, day) DO UPDATE SET {overwrite}
"""

SPANS = """
INSERT INTO analytics_memberspan (workspace_id, scope, person_id, first_day, last_day)
SELECT %(workspace)s, scope, person_id, MIN(day), MAX(day) FROM member_days WHERE true GROUP BY scope, person_id
ON CONFLICT (workspace_id, scope, person_id) DO UPDATE SET first_day = excluded.first_day, last_day = excluded.last_day
"""

THREADS = """
INSERT INTO analytics_threadcount (conversation_id, workspace_id, scope, started_on, messages)
SELECT conversation_id, %(workspace)s, MIN(channel), MIN(day), {messages} FROM m WHERE true GROUP BY conversation_id
ON CONFLICT (conversation_id) DO UPDATE SET scope = excluded.scope, started_on = excluded.started_on,
    messages = excluded.messages
"""


def _count_messages(workspace_id: int) -> None:
    """The daily counters, member spans and thread counts of every message of a workspace (tables emptied first)."""
    vendor = connection.vendor
    with_ = SCOPED.format(day=DAY[vendor], whole=WHOLE)
    has_both = "AND reach IS NOT NULL AND engagement IS NOT NULL"
    daily = DAILY.format(
        returning=connection.ops.quote_name("returning"),  # a column, and an SQL word
        messages=_inbound(),
        replies=_inbound("AND parent_external_id <> ''"),
        positive=_inbound("AND sentiment = 'positive'"),
        neutral=_inbound("AND sentiment = 'neutral'"),
        negative=_inbound("AND sentiment = 'negative'"),
        reach=_inbound(has_both, "reach"),
        engagement=_inbound(has_both, "engagement"),
        between=DAYS_BETWEEN[vendor],
        quiet=rollup.QUIET_DAYS,
        overwrite=", ".join(f"{q} = excluded.{q}" for q in map(connection.ops.quote_name, rollup.COUNTERS)),
    )
    # Table and column names are ours, never input; the workspace is a parameter.
    with connection.cursor() as cursor:
        for statement in (daily, SPANS, THREADS.format(messages=_inbound())):
            cursor.execute(with_ + statement, {"workspace": workspace_id})
