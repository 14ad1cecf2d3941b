"""Channel queues (publishing/queueing.py): slots added and removed, the next free times, posts added to the queue
from the services, the compose page, the queue page, the command line and the API."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from federe.accounts.models import Role
from federe.accounts.services import create_api_token
from federe.core.models import AuditEvent
from federe.publishing import queueing
from federe.publishing.checks import PostInput, VariantInput
from federe.publishing.models import Delivery, Post, QueueSlot
from federe.publishing.services import cancel_post, create_post, update_post

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
EVERY_DAY = range(7)


def every_day_at(*hours: int) -> list[tuple[int, time]]:
    return [(day, time(hour)) for day in EVERY_DAY for hour in hours]


def queued(workspace, owner, on, **extra) -> Post:
    data = PostInput(body="Dans la file", variants=[VariantInput(connection_id=c.pk) for c in on], queue=True, **extra)
    return create_post(workspace, owner, data)


def test_add_slots_keeps_each_time_once_and_is_recorded(channels, owner):
    one = channels[0]
    added = queueing.add_slots(one, [(1, time(9)), (1, time(9, 0, 30)), (3, time(17))], by=owner)
    assert [(s.weekday, s.at) for s in added] == [(1, time(9)), (3, time(17))]  # seconds dropped: the same 09:00
    assert queueing.add_slots(one, [(1, time(9)), (4, time(8))]) != []  # the operator (no user), only the new one
    assert [(s.weekday, s.at) for s in queueing.slots_of(one)] == [(1, time(9)), (3, time(17)), (4, time(8))]
    assert AuditEvent.objects.filter(verb="queue.slots_added").count() == 2
    assert not QueueSlot.objects.filter(connection=channels[1]).exists()


def test_add_slots_refuses_a_day_that_is_not_a_weekday_and_a_role_that_cannot_publish(channels, member_factory):
    with pytest.raises(ValidationError):
        queueing.add_slots(channels[0], [(7, time(9))])
    with pytest.raises(PermissionDenied):
        queueing.add_slots(channels[0], [(1, time(9))], by=member_factory(Role.ANALYST))
    assert not QueueSlot.objects.exists()


def test_next_free_skips_the_times_other_posts_of_the_channel_hold(channels, owner, workspace, make_post):
    one, two = channels
    queueing.add_slots(one, every_day_at(9, 17))
    after = datetime.now(UTC)
    first, second, third = queueing.next_free([one], count=3, after=after)
    assert first < second < third
    assert {m.astimezone(PARIS).hour for m in (first, second, third)} <= {9, 17}
    make_post(when=first, on=[one])
    make_post(when=second, on=[two])  # another channel's post does not hold this one's time
    assert queueing.next_free([one], count=2, after=after) == [second, third]
    # a cancelled post gives its time back
    cancel_post(Post.objects.get(scheduled_at=first), owner)
    assert queueing.next_free([one], count=1, after=after) == [first]


def test_several_channels_take_a_time_of_every_one_free_on_each(channels, make_post):
    one, two = channels
    queueing.add_slots(one, every_day_at(9, 12))
    queueing.add_slots(two, every_day_at(12, 18))
    after = datetime.now(UTC)
    common = queueing.next_free([one, two], count=2, after=after)
    assert {m.astimezone(PARIS).hour for m in common} == {12}
    make_post(when=common[0], on=[two])
    assert queueing.next_free([one, two], count=1, after=after) == [common[1]]


def test_a_post_added_to_the_queue_takes_the_next_free_time_and_the_next_post_the_one_after(workspace, owner, channels):
    one = channels[0]
    queueing.add_slots(one, every_day_at(9))
    expected = queueing.next_free([one], count=2)
    first = queued(workspace, owner, [one])
    second = queued(workspace, owner, [one])
    assert [first.scheduled_at, second.scheduled_at] == expected
    assert first.scheduled_at.astimezone(PARIS).time() == time(9)
    assert Delivery.objects.get(post=first).due_at == expected[0]


def test_queueing_refuses_channels_with_no_time_in_common_and_a_time_given_as_well(workspace, owner, channels):
    one, two = channels
    queueing.add_slots(one, every_day_at(9))
    queueing.add_slots(two, every_day_at(10))
    with pytest.raises(ValidationError) as refused:
        queued(workspace, owner, [one, two])
    assert "no free time in common" in str(refused.value)
    with pytest.raises(ValidationError) as both:
        queued(workspace, owner, [one], scheduled_at=datetime.now(UTC) + timedelta(days=1))
    assert "not both" in str(both.value)
    assert not Post.objects.exists()


def test_an_edited_post_put_back_in_the_queue_keeps_its_own_time(workspace, owner, channels):
    one = channels[0]
    queueing.add_slots(one, every_day_at(9))
    post = queued(workspace, owner, [one])
    first = post.scheduled_at
    again = PostInput(body="Modifié", variants=[VariantInput(connection_id=one.pk)], queue=True)
    assert update_post(post, owner, again).scheduled_at == first  # its own time does not count as taken


# --------------------------------------------------------------------------- pages


def test_the_queue_page_adds_times_to_several_channels_and_removes_one(client, owner, workspace, channels):
    client.force_login(owner)
    url = reverse("publishing:queue", args=[workspace.slug])
    response = client.post(url, {"channels": [c.pk for c in channels], "days": ["0", "4"], "times": "9h, 17:30"})
    assert response.status_code == 302
    assert QueueSlot.objects.count() == 8
    page = client.get(url).content.decode()
    assert "17:30" in page and "Next free times" in page
    slot = QueueSlot.objects.filter(connection=channels[0]).first()
    assert client.post(reverse("publishing:queue-remove", args=[workspace.slug, slot.pk])).status_code == 302
    assert QueueSlot.objects.count() == 7


def test_the_queue_page_says_what_is_wrong_in_words(client, owner, workspace, channels):
    client.force_login(owner)
    url = reverse("publishing:queue", args=[workspace.slug])
    response = client.post(url, {"channels": [channels[0].pk], "days": ["9"], "times": "25:00"})
    assert response.status_code == 200
    assert "Unknown time" in response.content.decode()
    assert not QueueSlot.objects.exists()


def test_the_queue_page_in_french(client, owner, workspace, channels):
    owner.language = "fr"
    owner.save()
    queueing.add_slots(channels[0], [(1, time(9))])
    client.force_login(owner)
    page = client.get(reverse("publishing:queue", args=[workspace.slug]), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "File d’attente" in page and "mardi" in page.lower()


def test_an_analyst_sees_the_queue_but_cannot_change_it(client, member_factory, workspace, channels):
    queueing.add_slots(channels[0], [(1, time(9))])
    client.force_login(member_factory(Role.ANALYST))
    page = client.get(reverse("publishing:queue", args=[workspace.slug]))
    assert page.status_code == 200 and b"queue-remove" not in page.content and b'name="times"' not in page.content
    slot = QueueSlot.objects.get()
    assert client.post(reverse("publishing:queue-remove", args=[workspace.slug, slot.pk])).status_code == 403
    assert QueueSlot.objects.count() == 1


def test_compose_shows_the_next_free_time_then_adds_the_post_to_the_queue(client, owner, workspace, channels):
    one = channels[0]
    queueing.add_slots(one, every_day_at(9))
    expected = queueing.next_free([one], count=1)[0]
    client.force_login(owner)
    shown = client.post(reverse("publishing:queue-next", args=[workspace.slug]), {"channels": [one.pk]})
    local = expected.astimezone(PARIS)
    assert f"{local:%H:%M}" in shown.content.decode() and "Next free time" in shown.content.decode()
    response = client.post(
        reverse("publishing:compose", args=[workspace.slug]),
        {"body": "Dans la file", "when": "queue", "channels": [one.pk]},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Post.objects.get().scheduled_at == expected


def test_compose_refuses_a_queue_with_no_time_in_words(client, owner, workspace, channels):
    client.force_login(owner)
    nothing = client.post(reverse("publishing:queue-next", args=[workspace.slug]), {"channels": [channels[0].pk]})
    assert "has no free time in its queue" in nothing.content.decode()
    response = client.post(
        reverse("publishing:compose", args=[workspace.slug]),
        {"body": "Dans la file", "when": "queue", "channels": [channels[0].pk]},
    )
    assert response.status_code == 200 and "has no free time in its queue" in response.content.decode()
    assert not Post.objects.exists()


def test_queue_next_ignores_junk_ids(client, owner, workspace, channels):
    client.force_login(owner)
    response = client.post(
        reverse("publishing:queue-next", args=[workspace.slug]), {"channels": ["²", "-1", "9" * 40], "post": "x"}
    )
    assert response.status_code == 200


# --------------------------------------------------------------------------- command line and API


def test_the_command_adds_times_lists_the_queue_and_creates_a_queued_post(workspace, channels):
    out = StringIO()
    one = channels[0]
    call_command(
        "posts", "queue", "--workspace", workspace.slug, "--channel", str(one.pk), "--days", "mon-fri", "--times",
        "9:00,17:30", stdout=out,
    )  # fmt: skip
    text = out.getvalue()
    assert "10 times added." in text and "Monday 09:00" in text and "→" in text
    expected = queueing.next_free([one], count=1)[0]
    call_command(
        "posts", "create", "--workspace", workspace.slug, "--channel", str(one.pk), "--text", "Hi", "--queue",
        stdout=StringIO(),
    )  # fmt: skip
    assert Post.objects.get().scheduled_at == expected
    with pytest.raises(CommandError):
        call_command("posts", "queue", "--workspace", workspace.slug, "--days", "mon", "--times", "9", stdout=out)
    with pytest.raises(CommandError, match="Unknown day"):
        call_command(
            "posts", "queue", "--workspace", workspace.slug, "--channel", str(one.pk), "--days", "someday",
            "--times", "9", stdout=out,
        )  # fmt: skip


@pytest.fixture
def api(client, owner, workspace):
    _token, raw = create_api_token(user=owner, workspace=workspace, name="script")

    def send(method: str, path: str, body: object = None, **headers: str):
        return client.generic(
            method,
            "/api/v1" + path,
            json.dumps(body) if body is not None else b"",
            content_type="application/json",
            headers={"Authorization": f"Bearer {raw}", **headers},
        )

    return send


def test_the_api_adds_slots_lists_them_and_queues_a_post_once_per_idempotency_key(api, channels):
    one = channels[0]
    added = api(
        "POST", "/queue/slots", {"connection_ids": [one.pk], "weekdays": [0, 1, 2, 3, 4, 5, 6], "times": ["09:00"]}
    )
    assert added.status_code == 201 and added.json() == {"added": 7}
    listed = {q["connection_id"]: q for q in api("GET", "/queue").json()}
    assert len(listed[one.pk]["slots"]) == 7 and len(listed[one.pk]["next_free"]) == 5
    assert listed[channels[1].pk]["slots"] == []
    payload = {"body": "Dans la file", "queue": True, "variants": [{"connection_id": one.pk}]}
    first = api("POST", "/posts", payload, **{"Idempotency-Key": "q-1"})
    again = api("POST", "/posts", payload, **{"Idempotency-Key": "q-1"})
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"] and Post.objects.count() == 1
    assert datetime.fromisoformat(first.json()["scheduled_at"]) == datetime.fromisoformat(
        listed[one.pk]["next_free"][0]
    )
    other = api("POST", "/posts", payload)
    assert other.json()["scheduled_at"] != first.json()["scheduled_at"]
    slot = listed[one.pk]["slots"][0]["id"]
    assert api("DELETE", f"/queue/slots/{slot}").status_code == 204
    assert QueueSlot.objects.count() == 6


def test_the_api_refuses_a_queue_without_times_and_bad_slots_in_words(api, channels):
    refused = api("POST", "/posts", {"body": "x", "queue": True, "variants": [{"connection_id": channels[0].pk}]})
    assert refused.status_code == 422 and "no free time" in refused.content.decode()
    bad = api("POST", "/queue/slots", {"connection_ids": [channels[0].pk], "weekdays": [8], "times": ["09:00"]})
    assert bad.status_code == 422
    assert not Post.objects.exists() and not QueueSlot.objects.exists()
