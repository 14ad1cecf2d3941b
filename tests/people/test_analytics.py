"""people.analytics on data small enough to compute by hand, and on the real french.meta dump."""

from __future__ import annotations

import io
import math
import xml.etree.ElementTree as ET
from collections import defaultdict
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.core.management import call_command

from federe.connections.models import Connection
from federe.people import analytics
from federe.people.models import Identity, Person
from tests.connectors.stackexchange.dumpwriter import import_dump, question, user, write_dump
from tests.factories import WorkspaceFactory

REAL_DUMP = (
    Path(__file__).resolve().parents[2].parent / "shared" / "datasets" / "community" / "french_meta_stackexchange"
)


# --------------------------------------------------------------------------- Spearman, by hand


def test_average_ranks_share_ties():
    assert analytics.average_ranks([10, 20, 20, 30]) == [1, 2.5, 2.5, 4]
    assert analytics.average_ranks([5, 5, 5]) == [2, 2, 2]
    assert analytics.average_ranks([3, 1, 2]) == [3, 1, 2]


def test_spearman_on_hand_computed_examples():
    assert analytics.spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert analytics.spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    # No ties: 1 - 6 * sum(d^2) / (n (n^2 - 1)) = 1 - 6 * 4 / 120 = 0.8
    assert analytics.spearman([1, 2, 3, 4, 5], [2, 1, 4, 3, 5]) == pytest.approx(0.8)
    # Ties: ranks x = 1, 2.5, 2.5, 4 and y = 1, 2, 3, 4 give 4.5 / sqrt(4.5 * 5) = 3 / sqrt(10)
    assert analytics.spearman([1, 2, 2, 3], [1, 2, 3, 4]) == pytest.approx(3 / math.sqrt(10))
    assert analytics.spearman([1], [2]) is None
    assert analytics.spearman([1, 1, 1], [1, 2, 3]) is None
    with pytest.raises(ValueError):
        analytics.spearman([1, 2], [1])


def test_spearman_agrees_with_scipy_on_ties():
    stats = pytest.importorskip("scipy.stats")
    x = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5]
    y = [2, 7, 1, 8, 2, 8, 1, 8, 2, 8, 4]
    assert analytics.spearman(x, y) == pytest.approx(stats.spearmanr(x, y).statistic)


# --------------------------------------------------------------------------- a tiny community


def tiny_community(workspace, tmp_path: Path) -> Connection:
    """Alice, Bob, Chloé and Dan post; Eve never does.

    Alice: 10 Jan 10:00, 10 Jan 12:00 (day 0), 15 Feb (day 36).
    Bob:   20 Jan, 25 Jan (day 5), 10 Apr (day 81).
    Chloé: 1 Feb only. Dan: 1 Jun only (the last post of the data).
    """
    posts = [
        question(1, 1, "2024-01-10T10:00:00.000"),
        question(2, 1, "2024-01-10T12:00:00.000"),
        question(3, 1, "2024-02-15T10:00:00.000"),
        question(4, 2, "2024-01-20T08:00:00.000"),
        question(5, 2, "2024-01-25T08:00:00.000"),
        question(6, 2, "2024-04-10T08:00:00.000"),
        question(7, 3, "2024-02-01T08:00:00.000"),
        question(8, 4, "2024-06-01T08:00:00.000"),
    ]
    users = [
        user(1, "Alice", reputation=100),
        user(2, "Bob", reputation=50),
        user(3, "Chloé", reputation=10),
        user(4, "Dan", reputation=10),
        user(5, "Eve", reputation=500),
    ]
    report = import_dump(workspace, write_dump(tmp_path / "tiny", users=users, posts=posts))
    return report.connection


def person(connection: Connection, user_id: int) -> int:
    return Identity.objects.get(connection=connection, external_id=str(user_id)).person_id


def test_monthly_active_counts_distinct_members_and_fills_gaps(workspace, tmp_path):
    connection = tiny_community(workspace, tmp_path)
    expected = [
        (date(2024, 1, 1), 2),  # Alice (twice the same day, then again), Bob
        (date(2024, 2, 1), 2),  # Alice, Chloé
        (date(2024, 3, 1), 0),
        (date(2024, 4, 1), 1),  # Bob
        (date(2024, 5, 1), 0),
        (date(2024, 6, 1), 1),  # Dan
    ]
    assert analytics.monthly_active(workspace) == expected
    assert analytics.monthly_active(workspace, connection) == expected
    assert analytics.monthly_active(WorkspaceFactory()) == []


def test_retention_by_cohort_follows_the_documented_windows(workspace, tmp_path):
    tiny_community(workspace, tmp_path)
    cohorts = analytics.retention_curve(workspace)
    assert [(c.cohort, c.size) for c in cohorts] == [
        (date(2024, 1, 1), 2),
        (date(2024, 2, 1), 1),
        (date(2024, 6, 1), 1),
    ]
    january, february, june = cohorts
    # Bob came back on day 5 and day 81; Alice's second post on day 0 does not count, her day 36 does.
    assert january.returned == (1, 1, 1) and january.observed == (2, 2, 2)
    assert january.shares == (0.5, 0.5, 0.5)
    assert january.points == [(30, 0.5), (60, 0.5), (90, 0.5)]
    assert february.shares == (0.0, 0.0, 0.0)
    # Dan's first post is the last of the data: nothing can be observed for him yet.
    assert june.observed == (0, 0, 0) and june.shares == (None, None, None)
    overall = analytics.retention_overall(cohorts)
    assert overall == [((1, 30), 3, pytest.approx(1 / 3)), ((31, 60), 3, pytest.approx(1 / 3)), ((61, 90), 3, 1 / 3)]

    # As of 15 April, Bob's days 61-90 have not fully elapsed (20 Jan + 91 days = 20 April).
    early = analytics.retention_curve(workspace, as_of=datetime(2024, 4, 15, tzinfo=UTC))
    assert early[0].observed == (2, 2, 1)
    assert early[0].returned == (1, 1, 0)

    yearly = analytics.retention_curve(workspace, period="year")
    assert [(c.cohort, c.size) for c in yearly] == [(date(2024, 1, 1), 4)]
    weekly = analytics.retention_curve(workspace, windows=[(7 * k - 6, 7 * k) for k in range(1, 14)])
    assert weekly[0].returned[0] == 1  # Bob, day 5
    assert weekly[0].returned[5] == 1  # Alice, day 36 is in week 6 (days 36-42)


def test_retention_day_boundaries(workspace, tmp_path):
    posts = [
        question(1, 1, "2024-03-01T00:00:00.000"),
        question(2, 1, "2024-03-31T23:59:00.000"),  # 30 days 23 h 59 after: day 30
        question(3, 2, "2024-03-01T00:00:00.000"),
        question(4, 2, "2024-04-01T00:00:00.000"),  # 31 days after: day 31
        question(5, 3, "2024-09-01T00:00:00.000"),
    ]
    import_dump(workspace, write_dump(tmp_path / "d", users=[user(i, f"u{i}") for i in (1, 2, 3)], posts=posts))
    march = analytics.retention_curve(workspace)[0]
    assert march.returned == (1, 1, 0)


def test_spearman_against_reputation_for_members_who_posted(workspace, tmp_path):
    connection = tiny_community(workspace, tmp_path)
    alice, bob, chloe = (person(connection, i) for i in (1, 2, 3))
    assert analytics.network_reputation(workspace)[alice] == 100
    # Posts: Alice 3, Bob 3, Chloé 1, Dan 1; reputation 100, 50, 10, 10. Eve (500) never posted: left out.
    # Ranks of posts 3.5, 3.5, 1.5, 1.5 (deviations from 2.5: 1, 1, -1, -1) and of reputation 4, 3, 1.5, 1.5
    # (1.5, 0.5, -1, -1): rho = 4 / sqrt(4 * 4.5) = 0.9428
    baseline = analytics.posts_baseline(workspace)
    assert baseline.members == 4
    assert baseline.rho == pytest.approx(4 / math.sqrt(4 * 4.5))

    scores = {alice: 1.0, bob: 9.0, chloe: 3.0}  # Dan has no score
    result = analytics.reputation_correlation(workspace, scores)
    assert (result.members, result.without_score) == (3, 1)
    # Ranks of scores 1, 3, 2 and of reputation 3, 2, 1: sum d^2 = 4 + 1 + 1 = 6, rho = 1 - 36 / 24 = -0.5
    assert result.rho == pytest.approx(-0.5)

    other = WorkspaceFactory()
    assert analytics.posts_baseline(other).members == 0


def test_level_distribution_in_level_order_with_zeros(workspace, tmp_path):
    connection = tiny_community(workspace, tmp_path)
    Person.objects.filter(pk=person(connection, 1)).update(level="champion")
    Person.objects.filter(pk=person(connection, 2)).update(level="regular")
    distribution = analytics.level_distribution(workspace)
    assert [(level, count) for level, _label, count in distribution] == [
        ("newcomer", 3),
        ("occasional", 0),
        ("regular", 1),
        ("champion", 1),
    ]


def test_people_stats_command_prints_the_three_analyses(workspace, tmp_path):
    tiny_community(workspace, tmp_path)
    out = io.StringIO()
    call_command("people_stats", "--workspace", workspace.slug, "--recompute", stdout=out)
    text = out.getvalue()
    assert "2024-03       0" in text
    assert "2024-01          2         50.0%         50.0%         50.0%" in text
    assert "number of posts (baseline): rho = 0.943 over 4 members" in text
    assert "engagement score: rho = " in text


# --------------------------------------------------------------------------- the real dump


@pytest.mark.skipif(not (REAL_DUMP / "Posts.xml").is_file(), reason=f"the real dump is not at {REAL_DUMP}")
def test_real_dump_analytics_match_a_direct_reading_of_the_files(workspace):
    import_dump(workspace, REAL_DUMP)
    # Who posted when, straight from the XML: questions, answers and comments; deleted accounts by their name.
    activity: list[tuple[str, str]] = []
    for name, kinds in (("Posts.xml", {"1", "2"}), ("Comments.xml", None)):
        for row in ET.parse(REAL_DUMP / name).getroot().iter("row"):  # noqa: S314 - a known file
            if kinds is not None and row.get("PostTypeId") not in kinds:
                continue
            who = row.get("OwnerUserId") or row.get("UserId")
            who = who or "deleted:" + (row.get("OwnerDisplayName") or row.get("UserDisplayName") or "")
            activity.append((who, row.get("CreationDate", "")))
    by_month: dict[str, set[str]] = defaultdict(set)
    for who, created in activity:
        by_month[created[:7]].add(who)
    series = analytics.monthly_active(workspace)
    assert {f"{month:%Y-%m}": n for month, n in series if n} == {m: len(who) for m, who in by_month.items()}

    # The baseline correlation, recomputed from the files with scipy.
    stats = pytest.importorskip("scipy.stats")
    reputation = {
        row.get("Id"): int(row.get("Reputation"))
        for row in ET.parse(REAL_DUMP / "Users.xml").getroot().iter("row")  # noqa: S314
    }
    posts: dict[str, int] = defaultdict(int)
    for who, _created in activity:
        if who in reputation:
            posts[who] += 1
    members = sorted(posts)
    expected = stats.spearmanr([posts[m] for m in members], [reputation[m] for m in members]).statistic
    baseline = analytics.posts_baseline(workspace)
    assert baseline.members == len(members)
    assert baseline.rho == pytest.approx(expected)

    cohorts = analytics.retention_curve(workspace)
    first_posts = {}
    for who, created in sorted(activity, key=lambda pair: pair[1]):
        first_posts.setdefault(who, created[:7])
    assert sum(c.size for c in cohorts) == len(first_posts)
    assert all(0 <= share <= 1 for c in cohorts for share in c.shares if share is not None)
