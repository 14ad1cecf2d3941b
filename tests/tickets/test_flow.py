"""A ticket from a message: delivered to a real local HTTP server (signature checked independently) and by e-mail
in the team's language; its status comes back through the team's signed webhook, once per webhook-id."""

from __future__ import annotations

import json
import time

import pytest
from django.core import mail
from django.urls import reverse

from federe.notifications.models import Kind, Notification
from federe.tickets import services
from federe.tickets.models import TicketChange
from federe.webhooks import services as webhooks
from federe.webhooks.models import Event
from tests.tickets.conftest import independent_check, team_signed

pytestmark = pytest.mark.django_db


def escalate(message, team, owner, capture, **kwargs):
    with capture(execute=True):
        return services.create_ticket(
            message=message, team=team, by=owner, priority="high", note="Wants 40 seats", **kwargs
        )


def test_a_sales_ticket_reaches_the_team_signed_and_by_email_with_the_person_and_engagement(
    workspace, owner, message, sales, receiver, immediate_tasks, django_capture_on_commit_callbacks
):
    team, given = sales
    person = message.author.person
    person.score, person.level = 42.5, "regular"
    person.save()
    ticket = escalate(message, team, owner, django_capture_on_commit_callbacks)
    ((headers, body),) = receiver.received
    assert independent_check(given["outgoing"], headers, body)
    assert not independent_check(given["inbound"], headers, body)  # two different secrets
    sent = json.loads(body)
    assert sent["type"] == "ticket.changed" and sent["id"] == headers["webhook-id"]
    data = sent["data"]["ticket"]
    assert data["id"] == ticket.pk and data["status"] == "open" and data["priority"] == "high"
    assert data["person"] == {
        "id": person.pk,
        "name": person.display_name,
        "engagement_score": 42.5,
        "engagement_level": "regular",
    }
    assert data["message"]["id"] == message.pk and data["note"] == "Wants 40 seats"
    assert "whsec_" not in body.decode()
    assert sent["data"]["change"]["from"] is None and sent["data"]["change"]["by"] == "owner"
    # The snapshot stays when the person's score moves on.
    person.score = 1.0
    person.save()
    ticket.refresh_from_db()
    assert ticket.engagement_score == 42.5 and ticket.person == person
    (email,) = mail.outbox
    assert email.to == ["sales@example.org"]
    assert email.subject == f"[Acme] Nouveau ticket {ticket.pk} pour Sales (priorité haute)"
    assert "Wants 40 seats" in email.body and f"/w/acme/inbox/{message.conversation_id}/" in email.body


def test_a_status_change_by_a_member_tells_the_team_again_and_a_repeat_changes_nothing(
    workspace, owner, message, sales, receiver, immediate_tasks, django_capture_on_commit_callbacks
):
    team, _given = sales
    ticket = escalate(message, team, owner, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        change = services.set_status(ticket=ticket, status="in_progress", by=owner, note="on it")
    assert change is not None and len(receiver.received) == 2 and len(mail.outbox) == 2
    second = json.loads(receiver.received[1][1])["data"]
    assert second["change"] == {**second["change"], "from": "open", "to": "in_progress", "note": "on it"}
    assert "en cours" in mail.outbox[1].subject
    assert services.set_status(ticket=ticket, status="in_progress", by=owner) is None


def test_the_teams_signed_update_sets_the_status_once_and_is_not_echoed_back(
    client, workspace, owner, message, sales, receiver, immediate_tasks, django_capture_on_commit_callbacks
):
    team, given = sales
    ticket = escalate(message, team, owner, django_capture_on_commit_callbacks)
    url = reverse("tickets:hook", args=[team.public_id])
    update = {"ticket": ticket.pk, "status": "resolved", "note": "Call booked", "external_reference": "CRM-881"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, **team_signed(given["inbound"], update, msg_id="msg_a"))
    assert response.status_code == 200, response.content
    assert response.json() == {"ticket": ticket.pk, "status": "resolved", "changed": True, "duplicate": False}
    ticket.refresh_from_db()
    assert (ticket.status, ticket.external_reference) == ("resolved", "CRM-881")
    last = TicketChange.objects.filter(ticket=ticket).last()
    assert last.by_team and last.by is None and last.note == "Call booked"
    assert len(receiver.received) == 1 and len(mail.outbox) == 1  # the team is not told what it just said
    (note,) = Notification.objects.filter(kind=Kind.TICKET_UPDATED)  # to the member who escalated it
    assert note.user == owner and note.actor is None and note.conversation_id == ticket.conversation_id
    assert note.params == {"ticket": ticket.pk, "team": "Sales", "status": "resolved"}
    again = {"ticket": ticket.pk, "status": "open"}
    replay = client.post(url, **team_signed(given["inbound"], again, msg_id="msg_a"))
    assert replay.status_code == 200 and replay.json()["duplicate"] is True
    ticket.refresh_from_db()
    assert ticket.status == "resolved" and TicketChange.objects.filter(ticket=ticket).count() == 2


def test_the_workspace_webhooks_hear_ticket_changed(
    workspace, owner, message, sales, receiver, immediate_tasks, django_capture_on_commit_callbacks
):
    team, _given = sales
    endpoint, secret = webhooks.create_endpoint(
        workspace=workspace, by=owner, url=receiver.url + "/crm", event_types=["ticket.changed"]
    )
    ticket = escalate(message, team, owner, django_capture_on_commit_callbacks)
    events = Event.objects.filter(workspace=workspace, type="ticket.changed")
    assert events.count() == 2  # the team's own, and the workspace's subscriber's
    to_crm = [
        (h, b)
        for h, b in receiver.received
        if h.get("webhook-id") == events.get(deliveries__endpoint=endpoint).event_id
    ]
    assert len(to_crm) == 1 and independent_check(secret, *to_crm[0])
    assert json.loads(to_crm[0][1])["data"]["ticket"]["id"] == ticket.pk


@pytest.mark.parametrize(
    "change, code",
    [
        ({"webhook-signature": "v1,AAAA"}, "bad_signature"),
        ({"webhook-timestamp": str(int(time.time()) - 6 * 60)}, "stale"),
        ({"webhook-timestamp": "²"}, "stale"),
        ({"webhook-id": ""}, "unsigned"),
    ],
)
def test_a_wrong_or_old_signature_is_refused_with_401_and_words(
    client, workspace, owner, message, sales, change, code, django_capture_on_commit_callbacks
):
    team, given = sales
    ticket = escalate(message, team, owner, django_capture_on_commit_callbacks)
    request = team_signed(given["inbound"], {"ticket": ticket.pk, "status": "resolved"})
    request["headers"] = {**request["headers"], **change}
    response = client.post(reverse("tickets:hook", args=[team.public_id]), **request)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == code and response.json()["error"]["message"]
    ticket.refresh_from_db()
    assert ticket.status == "open"


def test_signed_with_an_old_timestamp_by_a_real_key_is_still_refused(
    client, workspace, owner, message, sales, django_capture_on_commit_callbacks
):
    team, given = sales
    ticket = escalate(message, team, owner, django_capture_on_commit_callbacks)
    old = team_signed(given["inbound"], {"ticket": ticket.pk, "status": "resolved"}, timestamp=int(time.time()) - 301)
    assert client.post(reverse("tickets:hook", args=[team.public_id]), **old).status_code == 401


def test_a_members_change_notifies_the_threads_assignee_not_the_one_who_made_it(
    workspace, owner, message, sales, member_factory, django_capture_on_commit_callbacks
):
    team, _given = sales
    ticket = escalate(message, team, owner, django_capture_on_commit_callbacks)
    assignee = member_factory("moderator")
    thread = message.conversation
    thread.assignee = assignee
    thread.save()
    assert not Notification.objects.filter(kind=Kind.TICKET_UPDATED).exists()  # made: nobody to tell yet
    services.set_status(ticket=ticket, status="in_progress", by=owner)
    (note,) = Notification.objects.filter(kind=Kind.TICKET_UPDATED)
    assert (note.user, note.actor) == (assignee, owner)
