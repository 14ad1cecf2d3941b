"""The event pages: create with the form, the detail, the check-in list on a phone, the public registration page
(no login, French and English, capacity, rate limit, never a 500), the announcement and reminder posts, the
follow-up by e-mail."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from federe.events import public_views, services
from federe.events.models import Event, FollowUp, Registration, State
from federe.events.tasks import send_follow_up_task
from federe.publishing.models import Post
from tests.events.conftest import fields
from tests.queued import run_queued

pytestmark = pytest.mark.django_db


def _form(**changes) -> dict:
    soon = timezone.localtime(timezone.now() + timedelta(days=3))
    data = {
        "title": "Apéro communauté",
        "start_day": soon.date().isoformat(),
        "start_at": "18:00",
        "end_day": soon.date().isoformat(),
        "end_at": "21:00",
        "place": "Nantes",
        "capacity": "1",
        "status": "open",
    }
    data.update(changes)
    return data


def test_create_then_see_the_event(client, owner, workspace):
    client.force_login(owner)
    response = client.post(reverse("events:create", args=[workspace.slug]), _form())
    event = Event.objects.get(title="Apéro communauté")
    assert response.status_code == 302 and response["Location"].endswith(f"/events/{event.pk}/")
    page = client.get(reverse("events:detail", args=[workspace.slug, event.pk])).content.decode()
    assert f"/e/{event.public_id}/" in page
    assert "Apéro communauté" in client.get(reverse("events:list", args=[workspace.slug])).content.decode()


def test_bad_form_input_is_refused_in_words(client, owner, workspace):
    client.force_login(owner)
    url = reverse("events:create", args=[workspace.slug])
    response = client.post(url, _form(end_at="17:00", place="", capacity="-3"))
    assert response.status_code == 422 and not Event.objects.exists()
    response = client.post(url, _form(online="on", link="javascript:alert(1)"))
    assert response.status_code == 422 and b"http or https" in response.content
    client.cookies["django_language"] = "fr"
    response = client.post(url, _form(online="on", link="ftp://x"), HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 422 and "Donnez l’adresse" in response.content.decode()


def test_the_public_page_registers_without_login_then_waits(workspace, owner):
    event = services.add(workspace=workspace, fields=fields(capacity=1, consent_text="J'accepte."), by=owner)
    anonymous = Client()
    url = reverse("events:register", args=[event.public_id])
    assert anonymous.get(url).status_code == 200
    refused = anonymous.post(url, {"name": "Ana", "email": "ana@example.org"})
    assert refused.status_code == 422 and not Registration.objects.exists()
    ok = anonymous.post(url, {"name": "Ana", "email": "ana@example.org", "consent": "on"})
    assert ok.status_code == 200 and b'id="registered"' in ok.content
    full = anonymous.post(url, {"name": "Bo", "email": "bo@example.org", "consent": "on"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert "liste d’attente" in full.content.decode()
    assert list(Registration.objects.order_by("pk").values_list("state", flat=True)) == [
        State.REGISTERED,
        State.WAITING,
    ]
    for odd in ({"name": "x" * 5000, "email": "@"}, {"email": ["a", "b"]}, {}):
        assert anonymous.post(url, odd).status_code == 422
    assert anonymous.get(reverse("events:register", args=["nope"])).status_code == 404


def test_the_public_page_is_rate_limited(workspace, owner, monkeypatch):
    event = services.add(workspace=workspace, fields=fields(capacity=None), by=owner)
    monkeypatch.setattr(public_views, "RATE", 2)
    url = reverse("events:register", args=[event.public_id])
    statuses = [Client().post(url, {"name": f"P{i}", "email": f"p{i}@example.org"}).status_code for i in range(3)]
    assert statuses == [200, 200, 429]
    assert Registration.objects.count() == 2


def _answer(response) -> str:
    assert response.status_code == 200
    return re.search(r'id="registered">(.*?)</p>', response.content.decode(), re.S).group(1)


def test_the_answer_is_the_same_whether_or_not_the_address_was_registered(workspace, owner):
    event = services.add(workspace=workspace, fields=fields(capacity=2, title="Apéro"), by=owner)
    url = reverse("events:register", args=[event.public_id])

    def post(name: str, address: str) -> str:
        return _answer(Client().post(url, {"name": name, "email": address}, REMOTE_ADDR=f"203.0.113.{len(name)}"))

    seat = post("Ana", "ana@example.org")
    assert "Apéro" in seat and seat == post("Someone", "ana@example.org") == post("Bo", "bo@example.org")
    full = post("Cy", "cy@example.org")  # the seats taken: Cy waits
    assert "waiting list" in full
    assert full == post("Someone", "ana@example.org") == post("Someone", "cy@example.org")  # seat or wait: no telling
    assert "already" not in full.replace("already had a seat", "")
    assert list(Registration.objects.values_list("name", flat=True)) == ["Ana", "Bo", "Cy"]  # nothing changed


def test_one_ipv6_network_cannot_fill_the_seats(workspace, owner):
    event = services.add(workspace=workspace, fields=fields(capacity=30), by=owner)
    url = reverse("events:register", args=[event.public_id])
    statuses = [
        Client().post(url, {"name": f"x{i}", "email": f"x{i}@example.org"}, REMOTE_ADDR=f"2001:db8::{i:x}").status_code
        for i in range(40)
    ]
    event.refresh_from_db()
    assert event.seats_taken < 30 and statuses[-1] == 429
    same_64 = {"REMOTE_ADDR": "2001:db8::ffff", "HTTP_ACCEPT_LANGUAGE": "fr"}
    refused = Client().post(url, {"name": "y", "email": "y@example.org"}, **same_64)
    assert refused.status_code == 429 and "réseau" in refused.content.decode()
    other = Client().post(url, {"name": "z", "email": "z@example.org"}, REMOTE_ADDR="2001:db8:0:1::1")
    assert other.status_code == 200  # another /64: its own count


def test_each_event_caps_the_registrations_from_one_network_per_hour(workspace, owner, monkeypatch):
    monkeypatch.setattr(public_views, "RATE", 1000)
    first, second = (services.add(workspace=workspace, fields=fields(capacity=None), by=owner) for _ in range(2))

    def post(event, i: int) -> int:
        url = reverse("events:register", args=[event.public_id])
        data = {"name": f"P{i}", "email": f"p{i}@example.org"}
        return Client().post(url, data, REMOTE_ADDR="198.51.100.9").status_code

    statuses = [post(first, i) for i in range(public_views.EVENT_RATE + 1)]
    assert statuses == [200] * public_views.EVENT_RATE + [429]
    assert post(second, 0) == 200  # the cap is each event's
    assert Registration.objects.filter(event=first).count() == public_views.EVENT_RATE


def test_check_in_from_the_list(client, owner, workspace, event):
    ana = services.register_on_page(event=event, name="Ana", email="ana@example.org", consent=True).registration
    client.force_login(owner)
    page = client.get(reverse("events:check-in-list", args=[workspace.slug, event.pk]))
    assert page.status_code == 200 and b"Ana" in page.content
    response = client.post(reverse("events:check-in", args=[workspace.slug, event.pk, ana.pk]))
    assert response.status_code == 302
    ana.refresh_from_db()
    assert ana.checked_in_at is not None


def test_announcement_and_reminder_are_posts_of_the_calendar(client, owner, workspace, synced, event):
    client.force_login(owner)
    soon = timezone.localtime(timezone.now() + timedelta(hours=2))
    data = {
        "channels": [synced.pk],
        "announce_day": soon.date().isoformat(),
        "announce_at": soon.strftime("%H:%M"),
        "remind_hours": "3",
    }
    response = client.post(reverse("events:posts", args=[workspace.slug, event.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    event.refresh_from_db()
    announcement, reminder = Post.objects.get(pk=event.announcement_id), Post.objects.get(pk=event.reminder_id)
    assert announcement.scheduled_at < reminder.scheduled_at == event.starts_at - timedelta(hours=3)
    assert event.public_id in announcement.body


def test_follow_up_by_e_mail_once_ended(client, owner, workspace, event, django_capture_on_commit_callbacks):
    ana = services.register_on_page(event=event, name="Ana", email="ana@example.org", consent=True).registration
    services.register_on_page(event=event, name="Bo", email="bo@example.org", consent=True)
    services.check_in(registration=ana, by=owner)
    client.force_login(owner)
    url = reverse("events:follow-up", args=[workspace.slug, event.pk])
    client.post(url, {"to": "attended", "text": "Merci !", "confirmed": "yes"})
    assert not mail.outbox  # not ended yet: refused in words
    Event.objects.filter(pk=event.pk).update(
        starts_at=timezone.now() - timedelta(hours=3), ends_at=timezone.now() - timedelta(hours=1)
    )
    assert client.post(url, {"to": "no_show", "text": "Dommage !"}).status_code == 400  # asks again
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"to": "no_show", "text": "Dommage !", "confirmed": "yes"})
        client.post(url, {"to": "no_show", "text": "Dommage !", "confirmed": "yes"})  # never twice
    assert not mail.outbox  # the worker sends
    run_queued(send_follow_up_task)
    assert [m.to for m in mail.outbox] == [["bo@example.org"]]
    assert Registration.objects.get(email="bo@example.org").follow_up_state == FollowUp.SENT
