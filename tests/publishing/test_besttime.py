"""Best time to post on the workspace's rows: what counts as a post's engagement, the window, the fallback to the
community's activity, and the page, API and command (tenancy, permissions, an empty workspace, bad input)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from federe.accounts.models import Role
from federe.accounts.services import create_api_token
from federe.inbox.models import Conversation, Direction, Message
from federe.publishing import besttime
from federe.publishing.besttime import observations
from federe.publishing.models import Delivery, DeliveryState
from tests.factories import ConnectionFactory

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 12, 6, 15, 0, tzinfo=UTC)


def message(conn, external_id: str, at: datetime, *, parent: str = "", thread: str = "", **fields) -> Message:
    conversation, _ = Conversation.objects.get_or_create(
        workspace=conn.workspace, connection=conn, external_id=thread or parent or external_id
    )
    return Message.objects.create(
        workspace=conn.workspace,
        connection=conn,
        conversation=conversation,
        external_id=external_id,
        parent_external_id=parent,
        body_html="<p>x</p>",
        body_text="x",
        posted_at=at,
        **fields,
    )


def six_tuesday_evenings(channel) -> None:
    """A message at 18:10 on the workspace's clock on each of six Tuesdays (wall-clock arithmetic: DST or not)."""
    today = timezone.now().astimezone(PARIS)
    day = today.date() - timedelta(days=(today.weekday() - 1) % 7 + 7)  # a Tuesday one to two weeks ago
    tuesday = datetime(day.year, day.month, day.day, 18, 10, tzinfo=PARIS)
    for week in range(6):
        message(channel, f"t{week}", (tuesday - timedelta(weeks=week)).astimezone(UTC))


@pytest.fixture
def sent(make_post):
    """A published post of the brand on a channel: a sent delivery with its network id and time."""

    def make(channel, at: datetime, external_id: str) -> Delivery:
        post = make_post(when=timezone.now() + timedelta(days=1), on=[channel])
        delivery = post.deliveries.get()
        Delivery.objects.filter(pk=delivery.pk).update(state=DeliveryState.SENT, sent_at=at, external_id=external_id)
        return delivery

    return make


def test_a_posts_engagement_is_its_answers_in_48_hours_or_the_networks_counter(channels, sent):
    one, two = channels
    at = NOW - timedelta(days=10)
    sent(one, at, "p1")
    message(one, "r1", at + timedelta(hours=1), parent="p1")  # answers the post
    message(one, "r2", at + timedelta(hours=30), parent="r1", thread="p1")  # in the post's thread
    message(one, "r3", at + timedelta(hours=49), parent="p1")  # too late
    message(one, "r4", at + timedelta(hours=2), parent="p1", direction=Direction.OUTBOUND)  # the team's own
    message(two, "r5", at + timedelta(hours=2), parent="p1")  # another channel's "p1"
    sent(two, at, "p2")
    message(two, "p2", at, direction=Direction.OUTBOUND, engagement=7)  # the post as stored, with its counter
    message(two, "r6", at + timedelta(hours=3), parent="p2")
    posts = observations.brand_posts(one.workspace, NOW - timedelta(weeks=8), NOW, None)
    posts = observations.with_engagement(one.workspace, posts)
    assert [(p.external_id, p.replies, p.counter, p.engagement) for p in posts] == [
        ("p1", 2, 0, 2),
        ("p2", 1, 7, 7),
    ]
    assert [p.external_id for p in observations.brand_posts(one.workspace, at - timedelta(1), NOW, two)] == ["p2"]


def test_outbound_posts_count_once_and_the_teams_replies_are_not_posts(channels, sent):
    one, _two = channels
    at = NOW - timedelta(days=3)
    sent(one, at, "p1")
    message(one, "p1", at, direction=Direction.OUTBOUND)  # the same post, seen again by the sync
    message(one, "own", at + timedelta(hours=5), direction=Direction.OUTBOUND)  # a post written on the network
    message(one, "x", at, parent="q", direction=Direction.OUTBOUND)  # a reply of the team
    ids = [p.external_id for p in observations.brand_posts(one.workspace, NOW - timedelta(weeks=4), NOW, None)]
    assert ids == ["p1", "own"]


def _weekly_posts(channel, sent, count: int) -> None:
    """``count`` posts on Tuesdays at 18:10 in Paris, going back a week at a time, three answers each."""
    tuesday = datetime(2026, 12, 1, 18, 10, tzinfo=PARIS)
    for week in range(count):
        at = (tuesday - timedelta(weeks=week % 11, minutes=week // 11)).astimezone(UTC)
        sent(channel, at, f"w{week}")
        for n in range(3):
            message(channel, f"w{week}-r{n}", at + timedelta(hours=n + 1), parent=f"w{week}")


def test_too_few_posts_fall_back_to_the_communitys_activity(channels, sent):
    one, _ = channels
    _weekly_posts(one, sent, besttime.MIN_POSTS - 1)
    result = besttime.best_time(one.workspace, weeks=12, now=NOW)
    assert result.fallback and result.grid.measure == besttime.ACTIVITY and result.posts == besttime.MIN_POSTS - 1
    # the answers, each by its own hour
    assert [result.grid.rows[1][hour].observations for hour in (18, 19, 20, 21, 22)] == [0, 19, 19, 19, 0]
    forced = besttime.best_time(one.workspace, weeks=12, measure=besttime.POSTS, now=NOW)
    assert not forced.fallback and forced.grid.measure == besttime.POSTS
    assert forced.grid.rows[1][18].observations == besttime.MIN_POSTS - 1


def test_enough_posts_learn_from_their_answers(channels, sent):
    one, _ = channels
    _weekly_posts(one, sent, besttime.MIN_POSTS)
    result = besttime.best_time(one.workspace, weeks=12, now=NOW)
    assert result.grid.measure == besttime.POSTS and not result.fallback
    tuesday = result.grid.rows[1][18]
    assert tuesday.observations == besttime.MIN_POSTS and tuesday.score == 3.0
    assert result.grid.observations == besttime.MIN_POSTS


def test_the_window_and_the_posts_still_getting_answers(channels, sent):
    one, _ = channels
    sent(one, NOW - timedelta(weeks=4, hours=1), "old")
    sent(one, NOW - timedelta(hours=47), "fresh")  # its 48 hours are not over
    sent(one, NOW - timedelta(days=20), "in")
    assert besttime.best_time(one.workspace, weeks=4, now=NOW).posts == 1
    assert besttime.best_time(one.workspace, weeks=8, now=NOW).posts == 2
    message(one, "m-old", NOW - timedelta(weeks=4, hours=1))
    message(one, "m-new", NOW - timedelta(hours=1))
    message(one, "m-spam", NOW - timedelta(hours=1), network_status="spam")
    assert besttime.best_time(one.workspace, weeks=4, measure="activity", now=NOW).grid.observations == 1


def test_another_workspaces_channel_is_refused(workspace, other_workspace):
    _ws, _owner, theirs = other_workspace
    with pytest.raises(ValueError):
        besttime.best_time(workspace, channel=theirs)


# --------------------------------------------------------------------------- the page


def page(slug: str) -> str:
    return reverse("publishing:best-time", args=[slug])


def test_an_empty_workspace_gets_a_calm_word_not_a_grid(client, owner, workspace):
    client.force_login(owner)
    response = client.get(page(workspace.slug))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Not enough data yet" in html and 'class="heatmap"' not in html
    assert "No slot to suggest yet" in html


def test_the_page_shows_each_cells_count_the_threshold_and_the_suggestions(client, owner, channels):
    one, _ = channels
    six_tuesday_evenings(one)
    client.force_login(owner)
    html = client.get(page(one.workspace.slug), {"weeks": 12, "measure": "activity"}).content.decode()
    assert "When your community is active" in html
    assert "Fewer than 5 messages: not enough to say." in html
    assert '<span aria-hidden="true">6</span>' in html
    assert "6 messages, messages per week: 0.5" in html
    assert len(re.findall(r'<td class="heat-\d suggested"', html)) == 1


def test_the_page_in_french(client, owner, workspace, channels):
    owner.language = "fr"
    owner.save()
    client.force_login(owner)
    message(channels[0], "m1", timezone.now() - timedelta(days=1))
    html = client.get(page(workspace.slug), headers={"accept-language": "fr"}).content.decode()
    assert "Meilleur moment pour publier" in html
    assert "Moins de 5 messages : pas assez pour conclure." in html


def test_bad_input_is_said_and_the_default_shown(client, owner, workspace):
    client.force_login(owner)
    for params in ({"weeks": "5"}, {"weeks": "²"}, {"measure": "nope"}, {"weeks": "9" * 40}):
        response = client.get(page(workspace.slug), params)
        assert response.status_code == 200
        assert "The default is shown." in response.content.decode()
    assert client.get(page(workspace.slug), {"channel": "9" * 40}).status_code == 404
    assert client.get(page(workspace.slug), {"channel": "abc"}).status_code == 404


def test_tenancy_and_permissions(client, owner, workspace, member_factory, other_workspace):
    ws_b, _owner_b, conn_b = other_workspace
    client.force_login(owner)
    assert client.get(page(ws_b.slug)).status_code == 404
    assert client.get(page(workspace.slug), {"channel": conn_b.pk}).status_code == 404
    client.force_login(member_factory(Role.CLIENT))
    assert client.get(page(workspace.slug)).status_code == 200
    client.logout()
    assert client.get(page(workspace.slug)).status_code == 302


# --------------------------------------------------------------------------- API and command


def test_api_gives_168_cells_and_refuses_another_workspaces_channel(
    client, owner, workspace, channels, other_workspace
):
    _ws, _owner, theirs = other_workspace
    _token, raw = create_api_token(user=owner, workspace=workspace, name="t")
    auth = {"Authorization": f"Bearer {raw}"}
    message(channels[0], "m1", timezone.now() - timedelta(days=1))
    body = client.get("/api/v1/posts/best-time", headers=auth).json()
    assert len(body["cells"]) == 168 and body["measure"] == "activity" and body["fallback"]
    assert sum(c["observations"] for c in body["cells"]) == 1 and body["threshold"] == besttime.ENOUGH
    assert body["timezone"] == "Europe/Paris" and body["suggestions"] == []
    assert client.get("/api/v1/posts/best-time", {"channel": theirs.pk}, headers=auth).status_code == 404
    assert client.get("/api/v1/posts/best-time", {"weeks": 5}, headers=auth).status_code == 422
    for weeks in besttime.WINDOWS:  # a query string is text: "12" is the window of 12 weeks
        chosen = client.get("/api/v1/posts/best-time", {"weeks": weeks, "measure": "posts"}, headers=auth)
        assert chosen.status_code == 200 and (chosen.json()["weeks"], chosen.json()["measure"]) == (weeks, "posts")
    one = client.get("/api/v1/posts/best-time", {"channel": channels[1].pk}, headers=auth).json()
    assert sum(c["observations"] for c in one["cells"]) == 0


def test_command_prints_the_grid(workspace, channels, other_workspace):
    message(channels[0], "m1", timezone.now() - timedelta(days=1))
    out = StringIO()
    call_command("posts", "best-time", "--workspace", workspace.slug, "--weeks", "4", stdout=out)
    text = out.getvalue()
    assert "When your community is active" in text and "Mon" in text and "(1)" in text
    with pytest.raises(CommandError):
        call_command("posts", "best-time", "--workspace", workspace.slug, "--channel", str(other_workspace[2].pk))


def test_a_channel_created_elsewhere_is_not_listed(client, owner, workspace, other_workspace):
    ConnectionFactory(workspace=workspace, name="Notre canal")
    client.force_login(owner)
    html = client.get(page(workspace.slug)).content.decode()
    assert "Notre canal" in html and other_workspace[2].name not in html


def test_the_databases_quarter_hours_land_in_the_local_hour_dst_and_half_hour_zones_included(workspace, channels):
    one, _ = channels
    now = datetime(2026, 8, 1, tzinfo=UTC)
    for n, at in enumerate(
        [
            datetime(2026, 7, 7, 2, 30, tzinfo=UTC),  # Tuesday 04:30 in Paris (summer)
            datetime(2026, 5, 12, 2, 59, 59, tzinfo=UTC),  # Tuesday 04:59:59 in Paris
            datetime(2026, 7, 7, 10, 20, tzinfo=UTC),  # 12:20 in Paris; 15:50 in Kolkata (UTC+05:30)
            datetime(2026, 7, 7, 10, 40, tzinfo=UTC),  # 12:40 in Paris; 16:10 in Kolkata
        ]
    ):
        message(one, f"m{n}", at)
    grid = besttime.best_time(workspace, weeks=12, measure="activity", now=now).grid
    assert [(c.weekday, c.hour, c.observations) for c in grid.cells if c.observations] == [(1, 4, 2), (1, 12, 2)]
    workspace.timezone = "Asia/Kolkata"
    grid = besttime.best_time(workspace, weeks=12, measure="activity", now=now).grid
    assert [(c.weekday, c.hour, c.observations) for c in grid.cells if c.observations] == [
        (1, 8, 2),  # 08:00 and 08:29:59
        (1, 15, 1),
        (1, 16, 1),
    ]
    message(one, "w", datetime(2027, 1, 5, 2, 30, tzinfo=UTC))  # Tuesday 03:30 in Paris (winter)
    workspace.timezone = "Europe/Paris"
    winter = besttime.best_time(workspace, weeks=4, measure="activity", now=datetime(2027, 1, 20, tzinfo=UTC)).grid
    assert [(c.weekday, c.hour, c.observations) for c in winter.cells if c.observations] == [(1, 3, 1)]


def test_a_suggestion_becomes_a_queue_slot_of_the_channel_through_the_queue_page(client, owner, channels):
    from federe.publishing.models import QueueSlot

    one, _two = channels
    six_tuesday_evenings(one)
    client.force_login(owner)
    html = client.get(page(one.workspace.slug), {"channel": one.pk}).content.decode()
    assert f"Add as a queue slot for {one.name}" in html
    form = re.search(r'<form method="post" action="([^"]+)" class="add-slot">(.*?)</form>', html, re.S)
    assert form and form[1] == reverse("publishing:queue", args=[one.workspace.slug])
    fields = dict(re.findall(r'<input type="hidden" name="(days|times|channels)" value="([^"]+)">', form[2]))
    assert fields == {"days": "1", "times": "18:00", "channels": str(one.pk)}
    response = client.post(form[1], fields)
    assert response.status_code == 302
    slot = QueueSlot.objects.get()
    assert (slot.connection_id, slot.weekday, slot.at.strftime("%H:%M")) == (one.pk, 1, "18:00")
    every = client.get(page(one.workspace.slug)).content.decode()  # every channel: the channel is chosen in the form
    assert '<select name="channels">' in every and "Add as a queue slot<" in every


def test_only_a_role_that_publishes_sees_the_button(client, workspace, channels, member_factory):
    six_tuesday_evenings(channels[0])
    client.force_login(member_factory(Role.CLIENT))
    html = client.get(page(workspace.slug)).content.decode()
    assert "Tuesday 18:00–19:00" in html and "add-slot" not in html
    client.force_login(member_factory(Role.COMMUNITY_MANAGER))
    assert "add-slot" in client.get(page(workspace.slug)).content.decode()


def test_an_answer_is_counted_once_even_when_its_parent_and_thread_are_two_posts_read_apart(
    channels, sent, monkeypatch
):
    """A post published as a reply in the thread of an earlier post (Bluesky can): an answer to it has the first
    as thread and the second as parent. Read in separate batches, it was counted twice."""
    monkeypatch.setattr(observations, "CHUNK", 1)
    one, _ = channels
    at = NOW - timedelta(days=5)
    sent(one, at, "root")
    sent(one, at + timedelta(hours=1), "follow-up")
    message(one, "a", at + timedelta(hours=2), parent="follow-up", thread="root")
    posts = observations.with_engagement(one.workspace, observations.brand_posts(one.workspace, at, NOW, None))
    assert [(p.external_id, p.replies) for p in posts] == [("root", 0), ("follow-up", 1)]
