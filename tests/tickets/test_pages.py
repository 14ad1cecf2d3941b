"""The teams page (secrets shown once, managers only), the thread's "Escalate…" and status actions, workspace
isolation, and the inbound address that never answers 500 whatever it is sent."""

from __future__ import annotations

import random
import re

import pytest
from django.urls import reverse

from federe.accounts.models import Role
from federe.inbox.models import Conversation, Message
from federe.tickets import services, teams
from federe.tickets.models import Team, Ticket
from tests.tickets.conftest import team_signed

pytestmark = pytest.mark.django_db


def make_team(client, workspace, **fields):
    data = {"kind": "support", "name": "IT", "email": "it@example.org", "webhook_url": "", "language": "en", **fields}
    return client.post(reverse("tickets:team-create", args=[workspace.slug]), data)


def test_a_team_made_on_the_page_shows_its_secrets_once(client, workspace, owner, receiver):
    client.force_login(owner)
    response = make_team(client, workspace, webhook_url=receiver.url)
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    shown = re.findall(r"whsec_[A-Za-z0-9+/=]+", response.content.decode())
    team = Team.objects.get()
    assert len(shown) == 2 and shown[0] == teams.inbound_secret(team)
    assert team.endpoint is not None and team.endpoint.events == [] and team.endpoint.url == receiver.url
    page = client.get(reverse("tickets:teams", args=[workspace.slug])).content.decode()
    assert "whsec_" not in page and f"/hooks/tickets/{team.public_id}/" in page


def test_a_team_needs_a_destination_and_a_private_address_is_refused(client, workspace, owner):
    client.force_login(owner)
    response = make_team(client, workspace, email="")
    assert (
        response.status_code == 400
        and "Give an e-mail address, a webhook address, or both." in response.content.decode()
    )
    response = make_team(client, workspace, email="", webhook_url="http://169.254.169.254/latest/")
    assert response.status_code == 400 and not Team.objects.exists()


def test_only_managers_and_owners_see_the_teams_page(client, workspace, member_factory):
    client.force_login(member_factory(Role.MODERATOR))
    assert client.get(reverse("tickets:teams", args=[workspace.slug])).status_code == 403
    assert make_team(client, workspace).status_code == 403


def test_escalate_from_the_thread_then_change_the_status(client, workspace, owner, synced):
    team, _ = teams.create_team(workspace=workspace, by=owner, kind="pr", name="PR desk", email="pr@example.org")
    thread = Conversation.objects.filter(connection=synced).order_by("pk").first()
    message = Message.objects.filter(conversation=thread, direction="in").first()
    client.force_login(owner)
    page = client.get(reverse("inbox:thread", args=[workspace.slug, thread.pk])).content.decode()
    assert "Escalate…" in page and "PR desk" in page
    response = client.post(
        reverse("tickets:escalate", args=[workspace.slug, thread.pk]),
        {"message": message.pk, "team": team.pk, "priority": "urgent", "note": "A journalist asks"},
    )
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert (ticket.team, ticket.message, ticket.priority, ticket.created_by) == (team, message, "urgent", owner)
    client.post(reverse("tickets:status", args=[workspace.slug, ticket.pk]), {"status": "in_progress", "note": ""})
    ticket.refresh_from_db()
    assert ticket.status == "in_progress"
    page = client.get(reverse("inbox:thread", args=[workspace.slug, thread.pk])).content.decode()
    assert f'id="ticket-{ticket.pk}" data-ticket-status="in_progress"' in page and "A journalist asks" in page


def test_a_client_cannot_escalate(client, workspace, owner, synced, member_factory):
    team, _ = teams.create_team(workspace=workspace, by=owner, kind="pr", name="PR", email="pr@example.org")
    thread = Conversation.objects.filter(connection=synced).first()
    message = Message.objects.filter(conversation=thread, direction="in").first()
    client.force_login(member_factory(Role.CLIENT))
    assert "Escalate…" not in client.get(reverse("inbox:thread", args=[workspace.slug, thread.pk])).content.decode()
    client.post(
        reverse("tickets:escalate", args=[workspace.slug, thread.pk]),
        {"message": message.pk, "team": team.pk, "priority": "low"},
    )
    assert not Ticket.objects.exists()


def test_another_workspace_is_out_of_reach(client, workspace, owner, synced, other_workspace):
    rival, rival_owner, _rival_conn = other_workspace
    mine, my_secrets = teams.create_team(
        workspace=workspace, by=owner, kind="support", name="IT", email="it@example.org"
    )
    theirs, _their_secrets = teams.create_team(
        workspace=rival, by=rival_owner, kind="support", name="IT", email="x@example.org"
    )
    their_message = Message.objects.filter(workspace=rival, direction="in").first()
    their_ticket = services.create_ticket(message=their_message, team=theirs, by=rival_owner)
    my_thread = Conversation.objects.filter(connection=synced).first()
    my_message = Message.objects.filter(conversation=my_thread, direction="in").first()
    client.force_login(owner)
    # Their thread, their ticket, their team: not found, or refused, from my workspace.
    assert (
        client.post(
            reverse("tickets:escalate", args=[workspace.slug, their_message.conversation_id]),
            {"message": their_message.pk, "team": mine.pk, "priority": "low"},
        ).status_code
        == 404
    )
    client.post(
        reverse("tickets:escalate", args=[workspace.slug, my_thread.pk]),
        {"message": my_message.pk, "team": theirs.pk, "priority": "low"},
    )
    assert not Ticket.objects.filter(workspace=workspace).exists()
    assert (
        client.post(
            reverse("tickets:status", args=[workspace.slug, their_ticket.pk]), {"status": "resolved"}
        ).status_code
        == 404
    )
    assert client.post(reverse("tickets:team-edit", args=[workspace.slug, theirs.pk]), {}).status_code == 404
    assert client.get(reverse("tickets:teams", args=[rival.slug])).status_code == 404
    # My team's secret cannot move their ticket, even at my team's address.
    update = {"ticket": their_ticket.pk, "status": "resolved"}
    assert (
        client.post(
            reverse("tickets:hook", args=[mine.public_id]), **team_signed(my_secrets["inbound"], update)
        ).status_code
        == 404
    )
    assert (
        client.post(
            reverse("tickets:hook", args=[theirs.public_id]), **team_signed(my_secrets["inbound"], update)
        ).status_code
        == 401
    )
    their_ticket.refresh_from_db()
    assert their_ticket.status == "open"
    page = client.get(reverse("inbox:thread", args=[workspace.slug, my_thread.pk])).content.decode()
    assert "x@example.org" not in page


def test_the_inbound_address_never_answers_500(client, workspace, owner, synced):
    team, given = teams.create_team(workspace=workspace, by=owner, kind="support", name="IT", email="it@example.org")
    message = Message.objects.filter(workspace=workspace, direction="in").first()
    ticket = services.create_ticket(message=message, team=team, by=owner)
    url = reverse("tickets:hook", args=[team.public_id])
    rng = random.Random(15)  # fixed: the same cases every run
    oddities = ["", "²", "-1", "0", "1e9", "null", "[]", "{}", "\x00", "é" * 300, "v1,", "v2,abc", "9" * 40, " "]
    bodies = [
        b"",
        b"{",
        b"[]",
        b"null",
        b'{"ticket": "\xc2\xb2"}',
        b'{"ticket": true}',
        b"\xff\xfe",
        b'{"ticket": 1e400}',
    ]
    for _ in range(150):
        headers = {
            name: rng.choice(oddities)
            for name in ("webhook-id", "webhook-timestamp", "webhook-signature")
            if rng.random() < 0.8
        }
        response = client.post(url, data=rng.choice(bodies), content_type="application/json", headers=headers)
        assert response.status_code in (400, 401, 404, 422), (headers, response.status_code)
        assert response.json()["error"]["message"]
    # Well signed, but odd inside: clear 4xx answers too.
    for i, payload in enumerate(
        [
            {"ticket": "²"},
            {"ticket": ticket.pk, "status": "closed"},
            {"ticket": ticket.pk, "note": 5},
            {"ticket": ticket.pk, "note": "x" * 3000},
            {"ticket": ticket.pk, "note": "a\x00b"},
            {"ticket": [ticket.pk]},
        ]
    ):
        response = client.post(url, **team_signed(given["inbound"], payload, msg_id=f"odd_{i}"))
        assert response.status_code in (404, 422), (payload, response.content)
    signed_list = client.post(url, **{**team_signed(given["inbound"], {}), "data": b"[1]"})
    assert signed_list.status_code == 401  # the body is signed too
    assert (
        client.post(reverse("tickets:hook", args=["nope"]), data=b"{}", content_type="application/json").status_code
        == 404
    )
    assert client.get(url).status_code == 405
    ticket.refresh_from_db()
    assert ticket.status == "open"
