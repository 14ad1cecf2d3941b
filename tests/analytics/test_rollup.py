"""The summary tables at ingest: a page sent twice counts once, decisions and refined scores move the counters, and
the dashboards' figures equal a direct count of the stored messages (property, on random communities)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from federe.analytics import figures, rebuild, rollup
from federe.analytics.models import WHOLE, DailyCount, DailyDecision, MemberSpan, ThreadCount
from federe.analytics.period import Period
from federe.connectors.types import Author, Item
from federe.inbox import ingest
from federe.inbox import services as inbox_services
from federe.inbox.models import Message
from federe.moderation import services as moderation
from tests.factories import ConnectionFactory

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 9, 1, 10, 0, tzinfo=UTC)


def item(n: int, author: str, day: int, thread: str = "t1", parent: str = "", text: str = "") -> Item:
    return Item(
        external_id=f"m{n}",
        thread_id=thread,
        author=Author(external_id=author, handle=author, display_name=author.upper()),
        body_html=f"<p>{text or f'Message number {n} about the garden'}</p>",
        created_at=T0 + timedelta(days=day, minutes=n),
        parent_id=parent,
    )


def total(workspace, name: str, scope: int = WHOLE) -> int:
    return sum(DailyCount.objects.filter(workspace=workspace, scope=scope).values_list(name, flat=True))


def test_a_page_ingested_twice_counts_once(connection):
    page = [item(1, "ann", 0), item(2, "bob", 0, parent="m1"), item(3, "ann", 1)]
    ingest.ingest_page(connection, page)
    ingest.ingest_page(connection, page)
    ws = connection.workspace
    assert total(ws, "messages") == 3 and total(ws, "messages", connection.pk) == 3
    assert total(ws, "community_replies") == 1
    assert total(ws, "new_members") == 2
    assert MemberSpan.objects.filter(workspace=ws, scope=WHOLE).count() == 2
    assert ThreadCount.objects.get(workspace=ws).messages == 3


def test_a_member_back_after_thirty_days_is_returning_and_a_late_message_moves_their_first_day(connection):
    ingest.ingest_page(connection, [item(1, "ann", 10)])
    ingest.ingest_page(connection, [item(2, "ann", 40)])  # 30 days later: back
    ingest.ingest_page(connection, [item(3, "ann", 2)])  # an older message, late: new on day 2 now
    rows = {r.day: r for r in DailyCount.objects.filter(workspace=connection.workspace, scope=WHOLE)}
    assert rows[(T0 + timedelta(days=40)).date()].returning == 1
    assert rows[(T0 + timedelta(days=10)).date()].new_members == 0
    assert rows[(T0 + timedelta(days=2)).date()].new_members == 1


def test_a_moderator_decision_and_a_rule_decision_move_the_moderation_counters(connection, owner):
    ingest.ingest_page(connection, [item(1, "ann", 0), item(2, "bob", 0)])
    first, second = Message.objects.order_by("pk")
    moderation.decide(messages=[first], action="spam", by=owner)
    moderation.decide(messages=[second], action="remove", by=owner, reason="Off topic")
    rows = DailyDecision.objects.filter(workspace=connection.workspace, scope=connection.pk)
    assert sorted((r.action, r.reason, r.automatic, r.count) for r in rows) == [
        ("remove", "note", False, 1),
        ("spam", "", False, 1),
    ]
    moderation.save_rule(
        workspace=connection.workspace,
        by=owner,
        name="Garden",
        match="any",
        conditions=[{"type": "words", "words": ["tomatoes"]}],
        actions=[{"type": "hold"}],
    )
    ingest.ingest_page(connection, [item(3, "cid", 1, text="Who wants tomatoes?")])
    held = DailyDecision.objects.get(workspace=connection.workspace, scope=WHOLE, action="hold")
    assert (held.reason, held.automatic, held.count) == ("words", True, 1)


def test_refined_sentiment_moves_the_buckets(connection):
    ingest.ingest_page(connection, [item(1, "ann", 0)])
    message = Message.objects.get()
    old = message.sentiment
    new = "negative" if old != "negative" else "positive"
    inbox_services.refine_scores(
        {message.pk: {"spam_score": 0.1, "toxicity_score": 0.1, "sentiment": new, "sentiment_score": 0.9, "nlp": {}}}
    )
    assert total(connection.workspace, new) == 1
    assert sum(total(connection.workspace, tone) for tone in ("positive", "neutral", "negative")) == 1


# ------------------------------------------------------------------------------------------------ property


def direct(workspace, period: Period, channel: int | None) -> dict[str, int]:
    """The figures' definitions (analytics/figures.py), counted straight from the messages."""
    messages = Message.objects.filter(workspace=workspace, direction="in")
    if channel is not None:
        messages = messages.filter(connection_id=channel)
    days_of: dict[int, list[date]] = defaultdict(list)
    in_period = replies = 0
    for person, posted, parent in messages.order_by("posted_at").values_list(
        "author__person_id", "posted_at", "parent_external_id"
    ):
        day = posted.astimezone(UTC).date()
        if period.since <= day < period.until:
            in_period += 1
            replies += bool(parent)
        days_of[person].append(day)
    returning = sum(
        1
        for days in days_of.values()
        for before, day in pairwise(days)
        if period.since <= day < period.until and (day - before).days >= 30
    )
    return {
        "messages": in_period,
        "community_replies": replies,
        "members": sum(1 for days in days_of.values() if min(days) < period.until),
        "new": sum(1 for days in days_of.values() if period.since <= min(days) < period.until),
        "returning": returning,
        "gone_quiet": sum(
            1
            for days in days_of.values()
            if period.since - timedelta(days=30) <= max(days) < period.until - timedelta(days=30)
        ),
    }


def shown(workspace, period: Period, channel: int | None) -> dict[str, int]:
    counted = figures.days(workspace.pk, period, channel)
    grown = figures.growth(workspace.pk, period, channel, counted)
    done = figures.activity(workspace.pk, period, channel, counted)
    return {
        "messages": done.messages,
        "community_replies": done.community_replies,
        "members": grown.members,
        "new": grown.new,
        "returning": grown.returning,
        "gone_quiet": grown.gone_quiet,
    }


MESSAGES = st.lists(
    st.tuples(st.integers(0, 4), st.integers(0, 120), st.integers(0, 1), st.booleans()), min_size=1, max_size=25
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(messages=MESSAGES, start=st.integers(0, 100), length=st.sampled_from([7, 30, 90]), pages=st.integers(1, 4))
def test_the_figures_equal_a_direct_count(workspace, messages, start, length, pages):
    """Random authors, days, channels and replies, stored page by page in time order (as a sync does)."""
    Message.objects.filter(workspace=workspace).delete()
    for model in (DailyCount, MemberSpan, ThreadCount):
        model.objects.filter(workspace=workspace).delete()
    channels = [ConnectionFactory(workspace=workspace), ConnectionFactory(workspace=workspace)]
    ordered = sorted(enumerate(messages), key=lambda entry: (entry[1][1], entry[0]))
    size = max(1, len(ordered) // pages)
    for first in range(0, len(ordered), size):  # pages in time order, each channel's part of it in turn
        by_channel: dict[int, list[Item]] = defaultdict(list)
        for n, (author, day, channel, reply) in ordered[first : first + size]:
            by_channel[channel].append(item(n, f"p{author}", day, parent="m0" if reply and n else ""))
        for channel, items in sorted(by_channel.items()):
            ingest.ingest_page(channels[channel], items)
    period = Period(T0.date() + timedelta(days=start), T0.date() + timedelta(days=start + length))
    for scope in (None, channels[0].pk, channels[1].pk):
        assert shown(workspace, period, scope) == direct(workspace, period, scope), scope
    rebuild.rebuild(workspace.pk)
    for scope in (None, channels[0].pk):
        assert shown(workspace, period, scope) == direct(workspace, period, scope), scope


def summary_rows(workspace) -> dict[str, list[tuple]]:
    """Every summary row of a workspace (daily rows whose counters are all zero are no row at all)."""
    columns = ("scope", "day", *rollup.COUNTERS)
    daily = [row for row in DailyCount.objects.filter(workspace=workspace).values_list(*columns) if any(row[2:])]
    spans = MemberSpan.objects.filter(workspace=workspace).values_list("scope", "person_id", "first_day", "last_day")
    threads = ThreadCount.objects.filter(workspace=workspace).values_list(
        "conversation_id", "scope", "started_on", "messages"
    )
    return {"daily": sorted(daily), "spans": sorted(spans), "threads": sorted(threads)}


SHAPES = st.lists(
    st.tuples(
        st.integers(0, 4),  # author
        st.sampled_from([0, 1, 29, 30, 31, 59, 60, 61, 90, 140]),  # day: gaps of 29, 30 and 31 days are frequent
        st.integers(0, 1),  # channel
        st.integers(0, 2),  # thread
        st.booleans(),  # a reply
        st.sampled_from(["in", "in", "in", "out"]),
        st.sampled_from(["", "positive", "neutral", "negative", "unknown"]),
        st.one_of(st.none(), st.integers(0, 900)),  # reach (engagement follows it when given)
    ),
    min_size=1,
    max_size=30,
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(shapes=SHAPES)
def test_the_rebuild_in_sql_gives_the_rows_ingest_gives_in_time_order(workspace, shapes):
    """The rebuild's SQL and ``rollup``'s Python are two writings of one definition: over random messages (sent and
    received, replies, tones, reach, two channels, threads, members coming back), the rows of ``rollup`` fed one
    message at a time in time order equal the rebuild's, row for row."""
    Message.objects.filter(workspace=workspace).delete()
    channels = [ConnectionFactory(workspace=workspace), ConnectionFactory(workspace=workspace)]
    pages: dict[int, list[Item]] = defaultdict(list)
    for n, (author, day, channel, thread, reply, _way, _tone, _reach) in enumerate(shapes):
        parent = "m0" if reply and n else ""
        pages[channel].append(item(n, f"p{author}", day, thread=f"t{channel}-{thread}", parent=parent))
    for channel, page in pages.items():
        ingest.ingest_page(channels[channel], page)
    for n, (_author, _day, _channel, _thread, _reply, way, tone, reach) in enumerate(shapes):
        engagement = None if reach is None else reach // 3
        Message.objects.filter(workspace=workspace, external_id=f"m{n}").update(
            direction=way, sentiment=tone, reach=reach, engagement=engagement
        )
    rollup.forget_workspace(workspace.pk)
    for message in Message.objects.filter(workspace=workspace).order_by("posted_at", "pk"):
        rollup.count_messages(rollup.rows_of([message]))
    one_by_one = summary_rows(workspace)
    assert one_by_one["daily"], "the messages were counted"

    rebuild.rebuild(workspace.pk)
    assert summary_rows(workspace) == one_by_one


def test_a_page_counted_while_the_rebuild_runs_is_overwritten_not_a_duplicate_key(connection, monkeypatch):
    """A page ingested after the rebuild emptied the tables writes rows (a new thread, a new member, a new day)
    that the rebuild's statements then meet: they overwrite them with the full count instead of failing."""
    ingest.ingest_page(connection, [item(1, "ann", 0), item(2, "bob", 0, parent="m1"), item(3, "ann", 40)])
    workspace = connection.workspace
    expected = summary_rows(workspace)
    forget = rollup.forget_workspace

    def forget_then_a_page_lands(workspace_id: int) -> None:
        forget(workspace_id)  # as if a sync committed these three messages' counts right after
        rollup.count_messages(rollup.rows_of(Message.objects.filter(workspace_id=workspace_id)))

    monkeypatch.setattr(rollup, "forget_workspace", forget_then_a_page_lands)
    rebuild.rebuild(workspace.pk)

    assert summary_rows(workspace) == expected
