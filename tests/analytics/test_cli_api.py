"""``federe analytics show|rebuild`` and ``/api/v1/analytics/…``: the same figures as the page, refusals in words."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from federe.accounts.services import create_api_token
from federe.analytics.models import WHOLE, DailyCount
from federe.connections.services import sync_connection
from federe.inbox.models import Message

pytestmark = pytest.mark.django_db


@pytest.fixture
def synced_dates(connection):
    sync_connection(connection.pk, worker_id="test")
    first = Message.objects.order_by("posted_at").first().posted_at.date()
    last = Message.objects.order_by("posted_at").last().posted_at.date()
    return first.isoformat(), last.isoformat()


def test_show_prints_every_family_and_a_csv(workspace, synced_dates):
    since, until = synced_dates
    out = io.StringIO()
    call_command("analytics", "show", "--workspace", workspace.slug, "--since", since, "--until", until, stdout=out)
    text = out.getvalue()
    for title in ("Community growth", "Activity", "Engagement", "Response times", "Moderation", "Top posts"):
        assert f"== {title} ==" in text
    inbound = Message.objects.filter(direction="in").count()
    assert any(line.startswith("Messages from the community") and line.split()[4] == str(inbound) for line in
               text.splitlines())  # fmt: skip
    out = io.StringIO()
    call_command("analytics", "show", "--workspace", workspace.slug, "--family", "activity", "--csv", "--since", since,
                 "--until", until, stdout=out)  # fmt: skip
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("Day,") and sum(int(line.split(",")[1]) for line in lines[1:]) == inbound


def test_show_refuses_a_bad_period_and_another_workspaces_channel(workspace, other_workspace, synced_dates):
    with pytest.raises(CommandError, match="7, 30 or 90"):
        call_command("analytics", "show", "--workspace", workspace.slug, "--days", "5", stdout=io.StringIO())
    with pytest.raises(CommandError, match="No channel"):
        call_command("analytics", "show", "--workspace", workspace.slug, "--channel", "999999", stdout=io.StringIO())


def test_rebuild_counts_the_same_as_ingest(workspace, synced_dates):
    before = sorted(
        DailyCount.objects.filter(workspace=workspace).values_list("scope", "day", "messages", "new_members")
    )
    DailyCount.objects.filter(workspace=workspace, scope=WHOLE).update(messages=0)
    out, err = io.StringIO(), io.StringIO()
    call_command("analytics", "rebuild", "--workspace", workspace.slug, stdout=out, stderr=err)
    after = sorted(
        DailyCount.objects.filter(workspace=workspace).values_list("scope", "day", "messages", "new_members")
    )
    assert after == before
    assert f"{Message.objects.count()} messages counted again." in out.getvalue()


def test_the_api_answers_each_family_with_the_previous_period(client, owner, workspace, synced_dates):
    since, until = synced_dates
    _token, raw = create_api_token(user=owner, workspace=workspace, name="script")
    headers = {"Authorization": f"Bearer {raw}"}
    answer = client.get("/api/v1/analytics/activity", {"since": since, "until": until}, headers=headers).json()
    assert answer["current"]["messages"] == Message.objects.filter(direction="in").count()
    assert answer["period"] == {"since": since, "until": until} and answer["before"]["messages"] == 0
    growth = client.get("/api/v1/analytics/growth", {"since": since, "until": until}, headers=headers).json()
    assert growth["current"]["new"] == growth["current"]["members"] > 0
    refused = client.get("/api/v1/analytics/growth", {"since": since}, headers=headers)
    assert refused.status_code == 422 and "both dates" in refused.json()["error"]["message"]
