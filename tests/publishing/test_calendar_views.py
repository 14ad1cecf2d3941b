"""The calendar pages: posts placed on the workspace's clock, filtered by channel, repeats shown; moving a post by
the form a drag fills (htmx) or by hand (no JavaScript), its deliveries following at once; refusals in words."""

from __future__ import annotations

import calendar as stdlib_calendar
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from federe.accounts.models import Role
from federe.core.models import AuditEvent
from federe.publishing.models import Delivery, DeliveryState, Post, PostStatus

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
HTMX = {"HTTP_HX_REQUEST": "true"}


def last_sunday(year: int, month: int) -> date:
    last = stdlib_calendar.monthrange(year, month)[1]
    day = date(year, month, last)
    return day - timedelta(days=(day.weekday() + 1) % 7)


def future_change(month: int) -> date:
    """The next (never past) night summer time starts (3) or ends (10) in Europe/Paris."""
    return last_sunday(timezone.now().year + 1, month)


def paris(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS).astimezone(UTC)


def cal_url(**query) -> str:
    address = reverse("publishing:calendar", args=["acme"])
    return address + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


MOVE = reverse("publishing:calendar-move", args=["acme"])


@pytest.fixture
def logged(client, owner):
    client.force_login(owner)
    return client


def test_the_month_shows_posts_at_their_local_time_with_state_and_channels(logged, make_post, channels):
    day = future_change(10)
    at = datetime.combine(day, time(0, 30), tzinfo=UTC)  # 02:30 summer time, then 02:30 winter time an hour later
    make_post(when=at, body="Nuit du changement d'heure, première fois")
    make_post(when=at + timedelta(hours=1), body="Nuit du changement d'heure, seconde fois")
    page = logged.get(cal_url(view="month", date=day.isoformat())).content.decode()
    assert "Europe/Paris" in page
    assert page.count("<time") >= 2 and page.count(">02:30</time>") >= 2  # both 02:30s, in the grid and the list
    assert "Nuit du changement" in page and "Channel 1" in page and "Scheduled" in page


def test_the_week_puts_a_post_in_its_hour_row(logged, make_post):
    day = future_change(3)
    post = make_post(when=datetime.combine(day, time(2, 30)))  # naive: the workspace's clock; 02:30 is skipped
    assert post.scheduled_at.astimezone(PARIS).strftime("%H:%M") == "03:30"
    response = logged.get(cal_url(view="week", date=day.isoformat()))
    grid = response.context["grid"]
    assert [p.entry.post_id for p in grid.days[6].at_hour(3)] == [post.pk]
    assert b'data-drop-time="03:00"' in response.content


def test_the_channel_filter_and_repeats(logged, make_post, channels):
    start = timezone.now() + timedelta(days=1)
    make_post(when=start, body="Only on one", on=channels[:1])
    weekly = make_post(when=start, body="Every week", on=channels[1:], recurrence="weekly")
    response = logged.get(cal_url(view="month", date=start.date().isoformat(), channel=channels[1].pk))
    entries = [p.entry for day in response.context["grid"].days for p in day.entries]
    assert {e.post_id for e in entries} == {weekly.pk}
    assert [e.occurrence for e in entries][:2] == [0, 1] and "↻ Repeat" in response.content.decode()


def test_bad_dates_say_so_and_show_today(logged):
    response = logged.get(cal_url(view="nonsense", date="2026-13-45", channel="x"))
    assert response.status_code == 200
    assert "This date could not be read" in response.content.decode()
    assert logged.get(cal_url(date="0001-01-01")).status_code == 200


def test_dragging_a_0900_post_across_the_march_change_keeps_0900_and_moves_its_deliveries(logged, make_post):
    change = future_change(3)
    post = make_post(when=paris(change - timedelta(days=2), 9))  # Friday 09:00, winter time
    response = logged.post(
        MOVE, {"post": post.pk, "day": (change + timedelta(days=1)).isoformat(), "view": "month"}, **HTMX
    )
    assert response.status_code == 200
    post.refresh_from_db()
    assert post.scheduled_at == paris(change + timedelta(days=1), 9)
    assert post.scheduled_at.astimezone(PARIS).strftime("%H:%M") == "09:00"
    assert set(Delivery.objects.filter(post=post).values_list("due_at", flat=True)) == {post.scheduled_at}
    page = response.content.decode()
    assert "Moved to Monday" in page and "09:00" in page and 'name="undo"' in page
    assert AuditEvent.objects.filter(verb="post.rescheduled", workspace=post.workspace).count() == 1


def test_a_week_slot_gives_its_time_and_undo_puts_it_back(logged, make_post):
    day = (timezone.now() + timedelta(days=3)).astimezone(PARIS).date()
    post = make_post(when=paris(day, 9, 15))
    logged.post(MOVE, {"post": post.pk, "day": (day + timedelta(days=1)).isoformat(), "time": "14:00"}, **HTMX)
    post.refresh_from_db()
    assert post.scheduled_at == paris(day + timedelta(days=1), 14)
    response = logged.post(MOVE, {"post": post.pk, "day": day.isoformat(), "time": "09:15", "undo": "1"}, **HTMX)
    post.refresh_from_db()
    assert post.scheduled_at == paris(day, 9, 15)
    assert "Moved back to" in response.content.decode() and 'name="undo"' not in response.content.decode()


def test_without_javascript_the_form_moves_and_redirects_with_the_confirmation(logged, make_post):
    day = (timezone.now() + timedelta(days=3)).astimezone(PARIS).date()
    post = make_post(when=paris(day, 9))
    response = logged.post(MOVE, {"post": post.pk, "day": (day + timedelta(days=2)).isoformat(), "view": "week"})
    assert response.status_code == 302 and "view=week" in response["Location"]
    page = logged.get(response["Location"]).content.decode()
    assert "Moved to" in page and 'name="undo"' in page  # said once, with its undo
    assert "Moved to" not in logged.get(response["Location"]).content.decode()
    post.refresh_from_db()
    assert post.scheduled_at == paris(day + timedelta(days=2), 9)


def test_in_french_the_confirmation_is_french(logged, make_post):
    day = (timezone.now() + timedelta(days=3)).astimezone(PARIS).date()
    post = make_post(when=paris(day, 9))
    with translation.override("fr"):
        response = logged.post(
            MOVE, {"post": post.pk, "day": day.isoformat(), "time": "10:30"}, HTTP_ACCEPT_LANGUAGE="fr", **HTMX
        )
    assert "Déplacée au" in response.content.decode()


def test_refusals_in_words_and_nothing_moves(logged, make_post):
    day = (timezone.now() + timedelta(days=3)).astimezone(PARIS).date()
    post = make_post(when=paris(day, 9))
    cases = [
        ({"day": "2020-01-01"}, "in the past"),
        ({"day": "not a day"}, "Choose a day."),
        ({"day": day.isoformat(), "time": "25:99"}, "Enter a time such as 09:30."),
        ({"day": "9999-12-31", "time": "23:59"}, "out of range"),
    ]
    for data, words in cases:
        response = logged.post(MOVE, {"post": post.pk, **data}, **HTMX)
        assert response.status_code == 200 and words in response.content.decode(), data
    post.refresh_from_db()
    assert post.scheduled_at == paris(day, 9)


def test_a_published_post_cannot_move(logged, make_post):
    post = make_post(when=timezone.now() + timedelta(days=1))
    Delivery.objects.filter(post=post).update(state=DeliveryState.SENT)
    Post.objects.filter(pk=post.pk).update(status=PostStatus.PUBLISHED)
    response = logged.post(
        MOVE, {"post": post.pk, "day": (timezone.now() + timedelta(days=2)).date().isoformat()}, **HTMX
    )
    assert "cannot move" in response.content.decode()
    assert Post.objects.get(pk=post.pk).scheduled_at == post.scheduled_at
    page = logged.get(cal_url(view="month", date=post.scheduled_at.date().isoformat())).content.decode()
    assert "Published" in page and f'data-move-post="{post.pk}"' not in page


def test_only_who_may_publish_moves_and_sees_the_move_controls(client, member_factory, make_post):
    post = make_post(when=timezone.now() + timedelta(days=1))
    client.force_login(member_factory(Role.MODERATOR))
    page = client.get(cal_url(date=post.scheduled_at.date().isoformat())).content.decode()
    assert str(post.body) in page and "data-move-form" not in page and 'draggable="true"' not in page
    response = client.post(MOVE, {"post": post.pk, "day": (timezone.now() + timedelta(days=2)).date().isoformat()})
    assert response.status_code == 403
    assert Post.objects.get(pk=post.pk).scheduled_at == post.scheduled_at


def test_another_workspaces_post_is_not_found(logged, other_workspace):
    from federe.publishing.checks import PostInput, VariantInput
    from federe.publishing.services import create_post

    ws, rival, conn = other_workspace
    theirs = create_post(
        ws,
        rival,
        PostInput(
            body="x", variants=[VariantInput(connection_id=conn.pk)], scheduled_at=timezone.now() + timedelta(days=1)
        ),
    )
    response = logged.post(MOVE, {"post": theirs.pk, "day": (timezone.now() + timedelta(days=2)).date().isoformat()})
    assert response.status_code == 404
    assert logged.post(MOVE, {"post": "abc", "day": "2030-01-01"}).status_code == 404
    assert Post.objects.get(pk=theirs.pk).scheduled_at == theirs.scheduled_at
    page = logged.get(cal_url(channel=conn.pk, date=theirs.scheduled_at.date().isoformat())).content.decode()
    assert "Rival forum" not in page


def test_a_post_moved_on_the_calendar_never_fires_at_its_old_time(logged, make_post, publish_log):
    from federe.publishing.sending import publish_due
    from tests.publishing.conftest import network_lines

    post = make_post()  # due a second ago: the worker would take it now
    tomorrow = (timezone.now() + timedelta(days=1)).astimezone(PARIS).date()
    logged.post(MOVE, {"post": post.pk, "day": tomorrow.isoformat(), "time": "10:00"}, **HTMX)
    assert publish_due()["claimed"] == 0
    assert network_lines(publish_log) == []
    assert set(Delivery.objects.filter(post=post).values_list("due_at", flat=True)) == {paris(tomorrow, 10)}


def test_moving_a_recurring_post_moves_its_series(logged, make_post):
    day = (timezone.now() + timedelta(days=2)).astimezone(PARIS).date()
    post = make_post(when=paris(day, 9), recurrence="weekly")
    logged.post(MOVE, {"post": post.pk, "day": (day + timedelta(days=1)).isoformat()}, **HTMX)
    response = logged.get(cal_url(view="month", date=(day + timedelta(days=8)).isoformat()))
    repeats = [p for d in response.context["grid"].days for p in d.entries if p.entry.repeat]
    assert repeats and all(p.local.weekday() == (day + timedelta(days=1)).weekday() for p in repeats)
    assert all(p.local.strftime("%H:%M") == "09:00" for p in repeats)


def test_a_monthly_post_begun_years_ago_still_shows_this_months_repeat(logged, make_post):
    post = make_post(when=timezone.now() + timedelta(days=1), recurrence="monthly")
    first = datetime(timezone.now().year - 6, 1, 31, 9, 0, tzinfo=PARIS)  # the 31st: shorter months take their last day
    Post.objects.filter(pk=post.pk).update(scheduled_at=first.astimezone(UTC))
    month = (timezone.now() + timedelta(days=40)).astimezone(PARIS).date()
    response = logged.get(cal_url(view="month", date=month.isoformat()))
    repeats = [p for d in response.context["grid"].days if d.in_month for p in d.entries if p.entry.repeat]
    last_day = stdlib_calendar.monthrange(month.year, month.month)[1]
    assert [(p.local.day, p.local.strftime("%H:%M")) for p in repeats] == [(last_day, "09:00")]


def test_a_refused_move_keeps_the_month_one_was_looking_at(logged, make_post):
    later = (timezone.now() + timedelta(days=70)).astimezone(PARIS).date()
    post = make_post(when=paris(later, 9))
    page = logged.get(cal_url(view="month", date=later.isoformat())).content.decode()
    assert f'name="date" value="{later.isoformat()}"' in page  # the move form says where the calendar is
    data = {"post": post.pk, "day": "2020-01-01", "view": "month", "date": later.isoformat()}
    response = logged.post(MOVE, data, **HTMX)
    assert "in the past" in response.content.decode()
    assert response.context["grid"].anchor == later


@pytest.mark.parametrize("channel", ["²", "٣", "9" * 30])
def test_a_channel_filter_that_is_no_channel_id_shows_every_channel_never_a_500(logged, channel):
    response = logged.get(reverse("publishing:calendar", args=["acme"]), {"channel": channel})
    assert response.status_code == 200
