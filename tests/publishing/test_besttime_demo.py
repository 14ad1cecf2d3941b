"""The demo makes the best-time page meaningful: enough posts to learn from their answers, a few suggestions,
hours with too few posts, and the same data every time."""

from __future__ import annotations

from datetime import UTC, datetime
from io import StringIO
from zoneinfo import ZoneInfo

from django.core.management import call_command
from django.utils import timezone

from federe.accounts.models import Workspace
from federe.core import demo
from federe.publishing import besttime
from federe.publishing import demo as publishing_demo
from federe.publishing.models import Delivery, DeliveryState

#: The demo's dates follow today's, and which weeks fall inside the window changes what it learns (some days Tuesday
#: evening has 4 posts in the window, too few to say): the test runs on one fixed day.
DEMO_DAY = datetime(2026, 12, 7, 6, 45, tzinfo=UTC)


def test_the_demo_has_posts_answers_and_suggestions(db, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: DEMO_DAY)
    small = [
        (slug, name, [(channels[0][0], channels[0][1], 0.8, 3600, 30, 11)]) for slug, name, channels in demo.WORKSPACES
    ]
    monkeypatch.setattr(demo, "WORKSPACES", small[:1])
    assert demo.load_demo(say=lambda _line: None)
    result = besttime.best_time(Workspace.objects.get(slug=small[0][0]))
    grid = result.grid
    assert grid.measure == besttime.POSTS and not result.fallback and result.posts >= besttime.MIN_POSTS
    assert 3 <= len(grid.suggestions) <= 5
    assert (grid.suggestions[0].weekday, grid.suggestions[0].hour) == (1, 18)  # Tuesday evening, the best habit
    assert any(cell.observations and not cell.enough for cell in grid.cells)  # the odd hours: too few to say
    sent = Delivery.objects.filter(state=DeliveryState.SENT).count()
    assert sent - 1 <= result.posts <= sent  # the oldest may have just left the window
    out = StringIO()
    call_command("posts", "best-time", "--workspace", small[0][0], stdout=out)
    assert "When your posts got answers" in out.getvalue() and "Suggested slots:" in out.getvalue()
    print(out.getvalue())


def test_the_demos_plan_is_the_same_every_time_and_on_the_local_clock():
    now = datetime(2026, 12, 6, 15, 0, tzinfo=UTC)
    paris = ZoneInfo("Europe/Paris")
    first = publishing_demo.plan(11, paris, now, "fr")
    assert first == publishing_demo.plan(11, paris, now, "fr")
    habits = {(weekday, hour) for weekday, hour, _minute, _mean in publishing_demo.HABITS}
    on_habit = [p for p in first if (p.at.astimezone(paris).weekday(), p.at.astimezone(paris).hour) in habits]
    # the habits cross the end of summer time (25 October 2026) and stay at their local hour
    assert any(p.at.astimezone(paris).utcoffset().seconds == 7200 for p in on_habit)
    assert any(p.at.astimezone(paris).utcoffset().seconds == 3600 for p in on_habit)
    assert len(on_habit) >= len(first) - publishing_demo.ODD_HOURS
