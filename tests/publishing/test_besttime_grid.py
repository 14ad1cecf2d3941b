"""The best-time grid without a database: local buckets across DST, the shrunk score, the "too few" threshold."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from federe.publishing.besttime.grid import ACTIVITY, ENOUGH, POSTS, PRIOR, Observation, build_grid, local_slot

PARIS = ZoneInfo("Europe/Paris")


def test_02_30_utc_lands_in_paris_local_hour_in_summer_and_in_winter():
    summer = datetime(2026, 7, 7, 2, 30, tzinfo=UTC)  # a Tuesday, UTC+2
    winter = datetime(2026, 1, 6, 2, 30, tzinfo=UTC)  # a Tuesday, UTC+1
    assert local_slot(summer, PARIS) == (1, 4)
    assert local_slot(winter, PARIS) == (1, 3)


def test_the_same_local_hour_on_both_sides_of_the_october_change_is_one_cell():
    # 18:10 in Paris on Thursday 22 October 2026 (UTC+2) and Thursday 29 October 2026 (UTC+1)
    before = datetime(2026, 10, 22, 16, 10, tzinfo=UTC)
    after = datetime(2026, 10, 29, 17, 10, tzinfo=UTC)
    grid = build_grid([Observation(before), Observation(after)], zone=PARIS, measure=ACTIVITY, weeks=4)
    assert grid.rows[3][18].observations == 2
    assert sum(cell.observations for cell in grid.cells) == 2


def test_the_march_change_the_hour_after_the_gap_and_a_day_that_starts_on_sunday_in_utc():
    # Sunday 29 March 2026: 01:30 UTC is 03:30 in Paris (02:00 to 03:00 does not exist that night)
    assert local_slot(datetime(2026, 3, 29, 1, 30, tzinfo=UTC), PARIS) == (6, 3)
    # Sunday 23:30 UTC in winter is already Monday 00:30 in Paris
    assert local_slot(datetime(2026, 1, 4, 23, 30, tzinfo=UTC), PARIS) == (0, 0)
    # a zone whose offset is not whole hours
    assert local_slot(datetime(2026, 1, 5, 10, 40, tzinfo=UTC), ZoneInfo("Asia/Kolkata")) == (0, 16)


def _posts(weekday_hour_values: list[tuple[int, int, list[float]]]) -> list[Observation]:
    monday = datetime(2026, 1, 5, tzinfo=PARIS)
    out = []
    for weekday, hour, values in weekday_hour_values:
        for week, value in enumerate(values):
            at = monday + timedelta(days=weekday + 7 * week, hours=hour, minutes=5)
            out.append(Observation(at.astimezone(UTC), value))
    return out


def test_score_is_the_cell_mean_shrunk_towards_the_overall_mean():
    grid = build_grid(
        _posts([(1, 18, [10, 10, 10, 10, 10, 10]), (0, 9, [1, 1, 1, 1, 1, 1]), (4, 12, [40])]),
        zone=PARIS,
        measure=POSTS,
        weeks=8,
    )
    mean = (60 + 6 + 40) / 13
    assert grid.mean == mean
    assert grid.rows[1][18].score == (60 + PRIOR * mean) / (6 + PRIOR)
    assert grid.rows[0][9].score == (6 + PRIOR * mean) / (6 + PRIOR)
    # one lucky post is pulled most of the way back to the mean
    lucky = grid.rows[4][12]
    assert lucky.observations == 1 and lucky.score == (40 + PRIOR * mean) / (1 + PRIOR)
    assert grid.rows[2][2].score is None and grid.rows[2][2].observations == 0


def test_a_cell_with_fewer_than_enough_posts_is_never_suggested_however_good():
    few = [30.0] * (ENOUGH - 1)
    grid = build_grid(
        _posts([(4, 12, few), (1, 18, [20.0] * ENOUGH), (0, 9, [1.0] * 10)]), zone=PARIS, measure=POSTS, weeks=12
    )
    friday = grid.rows[4][12]
    assert not friday.enough and friday.score is not None and friday.score > grid.rows[1][18].score
    assert [(c.weekday, c.hour) for c in grid.suggestions] == [(1, 18)]


def test_suggestions_are_above_the_mean_best_first_and_at_most_five():
    cells = [(day, 9, [float(day + 1)] * ENOUGH) for day in range(7)] + [(0, 20, [7.0] * ENOUGH)]
    grid = build_grid(_posts(cells), zone=PARIS, measure=POSTS, weeks=8)
    chosen = [(c.weekday, c.hour) for c in grid.suggestions]
    # a tie goes to the week's order; Thursday (4 a post) is below the mean (4.375 a post): not suggested
    assert chosen == [(0, 20), (6, 9), (5, 9), (4, 9)]
    assert all(c.score > grid.mean for c in grid.suggestions)
    evenings = [(day, 20, [9.0] * ENOUGH) for day in range(7)]
    assert len(build_grid(_posts(cells + evenings), zone=PARIS, measure=POSTS, weeks=8).suggestions) == 5


def test_activity_score_is_messages_per_week_and_its_threshold_counts_messages():
    cells = [(2, 20, [1.0] * 8), (3, 7, [1.0] * 3), (4, 9, [1.0] * 5)]
    grid = build_grid(_posts(cells), zone=PARIS, measure=ACTIVITY, weeks=4)
    assert grid.rows[2][20].score == 2.0 and grid.rows[2][20].enough
    assert grid.rows[3][7].observations == 3 and not grid.rows[3][7].enough
    assert [(c.weekday, c.hour) for c in grid.suggestions] == [(2, 20), (4, 9)]


def test_colours_spread_from_the_lowest_to_the_highest_cell_with_enough():
    cells = [(2, 20, [1.0] * 8), (3, 7, [1.0] * 3), (4, 9, [1.0] * 5), (5, 9, [1.0] * 13)]
    grid = build_grid(_posts(cells), zone=PARIS, measure=ACTIVITY, weeks=4)
    assert [grid.rows[d][h].level for d, h in ((4, 9), (2, 20), (5, 9))] == [1, 3, 5]
    assert grid.rows[3][7].level == 1  # below the lowest cell with enough: the first level
    assert grid.rows[0][0].level == 0  # nothing at all
    alone = build_grid(_posts(cells[:2]), zone=PARIS, measure=ACTIVITY, weeks=4)
    assert alone.rows[2][20].level == 3  # one cell with enough: nothing to compare it with


def test_no_observation_no_suggestion():
    grid = build_grid([], zone=PARIS, measure=POSTS, weeks=8)
    assert grid.observations == 0 and grid.suggestions == [] and not grid.has_enough
    assert {cell.level for cell in grid.cells} == {0}
