"""The top posts: the busiest threads started in the period, busiest first, ties broken by the oldest id. On
PostgreSQL they are read ten per day and then ranked (``figures._top_threads``): the same list as sorting them all."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from federe.analytics import figures
from federe.analytics.models import ThreadCount
from federe.analytics.period import Period
from tests.factories import ConnectionFactory

pytestmark = pytest.mark.django_db

DAY0 = date(2026, 3, 1)

THREADS = st.lists(
    st.tuples(
        st.integers(0, 6),  # first day: many threads a day
        st.integers(0, 6),  # messages: small, so that ties are frequent
        st.integers(0, 1),  # channel
    ),
    max_size=80,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(threads=THREADS, start=st.integers(0, 5), length=st.integers(1, 5), limit=st.integers(1, 4))
def test_the_top_threads_are_the_busiest_of_the_period_in_order(workspace, threads, start, length, limit):
    ThreadCount.objects.filter(workspace=workspace).delete()
    channels = [ConnectionFactory(workspace=workspace).pk, ConnectionFactory(workspace=workspace).pk]
    rows = [
        ThreadCount(
            conversation_id=1000 + n, workspace=workspace, scope=channels[c], started_on=DAY0 + timedelta(days=d),
            messages=m,
        )
        for n, (d, m, c) in enumerate(threads)
    ]  # fmt: skip
    ThreadCount.objects.bulk_create(rows)
    period = Period(DAY0 + timedelta(days=start), DAY0 + timedelta(days=start + length))
    for channel in (None, channels[0]):
        expected = sorted(
            (
                (r.conversation_id, r.messages, r.started_on)
                for r in rows
                if period.since <= r.started_on < period.until
                and r.messages > 0
                and (channel is None or r.scope == channel)
            ),
            key=lambda t: (-t[1], t[0]),
        )[:limit]
        assert figures._top_threads(workspace.pk, period, channel, limit) == expected
