"""Recurring posts: the next occurrence comes from the schedule on the workspace's clock, summer time included,
never from when the worker ran."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from federe.publishing.checks import PostInput, VariantInput
from federe.publishing.models import Delivery, DeliveryState, Recurrence
from federe.publishing.recurrence import occurrence_at
from federe.publishing.sending import publish_due
from federe.publishing.services import update_post

PARIS = ZoneInfo("Europe/Paris")


def test_weekly_at_nine_stays_at_nine_across_the_march_change():
    first = datetime(2027, 3, 22, 8, 0, tzinfo=UTC)  # 09:00 in Paris (winter time, UTC+1)
    assert occurrence_at(first, Recurrence.WEEKLY, 1, PARIS) == datetime(2027, 3, 29, 7, 0, tzinfo=UTC)  # 09:00 CEST


def test_daily_at_nine_stays_at_nine_across_the_october_change():
    first = datetime(2026, 10, 24, 7, 0, tzinfo=UTC)  # 09:00 in Paris (summer time, UTC+2)
    assert occurrence_at(first, Recurrence.DAILY, 1, PARIS) == datetime(2026, 10, 25, 8, 0, tzinfo=UTC)  # 09:00 CET
    assert occurrence_at(first, Recurrence.DAILY, 2, PARIS).astimezone(PARIS).hour == 9


def test_an_hour_skipped_in_march_moves_forward():
    first = datetime(2027, 3, 27, 1, 30, tzinfo=UTC)  # 02:30 in Paris the day before the change
    second = occurrence_at(first, Recurrence.DAILY, 1, PARIS)  # 02:30 does not exist on 28 March
    assert second.astimezone(PARIS).hour == 3 and second == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)


def test_monthly_on_the_31st_falls_on_the_last_day_of_shorter_months():
    first = datetime(2027, 1, 31, 8, 0, tzinfo=UTC)
    assert occurrence_at(first, Recurrence.MONTHLY, 1, PARIS).astimezone(PARIS).date().isoformat() == "2027-02-28"
    assert occurrence_at(first, Recurrence.MONTHLY, 2, PARIS).astimezone(PARIS).date().isoformat() == "2027-03-31"


@pytest.mark.django_db(transaction=True)
def test_the_next_occurrence_follows_the_schedule_not_the_worker(make_post, channels):
    post = make_post(on=channels[:1], recurrence=Recurrence.DAILY)
    publish_due()
    first, second = Delivery.objects.filter(post=post).order_by("occurrence")
    assert first.state == DeliveryState.SENT
    assert second.occurrence == 1 and second.state == DeliveryState.SCHEDULED
    assert second.due_at == occurrence_at(post.scheduled_at, Recurrence.DAILY, 1, PARIS)
    assert second.due_at - post.scheduled_at == timedelta(days=1)  # not from sent_at
    publish_due()
    assert Delivery.objects.filter(post=post).count() == 2  # the next one is not due: nothing more


@pytest.mark.django_db(transaction=True)
def test_a_series_that_stops_repeating_drops_its_next_occurrence(make_post, channels, owner):
    post = make_post(on=channels[:1], recurrence=Recurrence.WEEKLY)
    publish_due()
    data = PostInput(
        body=post.body,
        scheduled_at=post.scheduled_at,
        variants=[VariantInput(connection_id=channels[0].pk)],
        recurrence=Recurrence.NONE,
    )
    data.scheduled_at = timezone.now()  # the first occurrence's time is past; a new time for the post
    update_post(post, owner, data)
    later = Delivery.objects.get(post=post, occurrence=1)
    assert later.state == DeliveryState.CANCELLED
