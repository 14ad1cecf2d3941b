"""/api/v1/tickets and `federe tickets`: the same services, the same scoping."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from federe.accounts.models import Role
from federe.accounts.services import create_api_token
from federe.inbox.models import Message
from federe.tickets import teams
from federe.tickets.models import Ticket
from tests.api.test_api import API, Api, assert_error

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, owner, workspace):
    return Api(client, create_api_token(user=owner, workspace=workspace, name="script")[1])


@pytest.fixture
def team(workspace, owner):
    return teams.create_team(workspace=workspace, by=owner, kind="support", name="IT", email="it@example.org")[0]


@pytest.fixture
def message(synced):
    return Message.objects.filter(connection=synced, direction="in", author__isnull=False).order_by("pk").first()


def create(api, body, key=None):
    headers = {**api.headers, **({"Idempotency-Key": key} if key else {})}
    return api.client.post(f"{API}/tickets", json.dumps(body), content_type="application/json", headers=headers)


def patch(api, pk, body):
    return api.client.patch(
        f"{API}/tickets/{pk}", json.dumps(body), content_type="application/json", headers=api.headers
    )


def test_create_list_get_and_patch(api, team, message):
    response = create(api, {"message_id": message.pk, "team_id": team.pk, "priority": "high", "note": "broken login"})
    assert response.status_code == 201, response.content
    made = response.json()
    assert made["team"]["name"] == "IT" and made["status"] == "open" and made["created_by"] == "owner"
    assert "secret" not in json.dumps(made)
    assert [t["id"] for t in api.get("/tickets", {"status": "open"}).json()] == [made["id"]]
    assert api.get("/tickets", {"status": "resolved"}).json() == []
    assert [t["id"] for t in api.get("/tickets", {"conversation": message.conversation_id}).json()] == [made["id"]]
    assert api.get(f"/tickets/{made['id']}").json()["note"] == "broken login"
    changed = patch(api, made["id"], {"status": "resolved", "external_reference": "JIRA-9"})
    assert changed.status_code == 200 and changed.json()["status"] == "resolved"
    assert changed.json()["external_reference"] == "JIRA-9"
    assert_error(patch(api, made["id"], {"status": "closed"}), 422, "invalid", "status")
    assert [t["name"] for t in api.get("/tickets/teams").json()] == ["IT"]


def test_the_same_idempotency_key_gives_the_same_ticket_and_another_body_is_refused(api, team, message):
    body = {"message_id": message.pk, "team_id": team.pk}
    first, second = create(api, body, key="k-1"), create(api, body, key="k-1")
    assert first.status_code == second.status_code == 201 and first.json()["id"] == second.json()["id"]
    assert Ticket.objects.count() == 1
    assert_error(create(api, {**body, "note": "other"}, key="k-1"), 422, "invalid", "Idempotency-Key")


def test_a_sales_ticket_needs_an_author_and_carries_the_person(api, workspace, owner, message):
    sales = teams.create_team(workspace=workspace, by=owner, kind="sales", name="Sales", email="s@example.org")[0]
    made = create(api, {"message_id": message.pk, "team_id": sales.pk}).json()
    assert made["person"]["id"] == message.author.person_id
    assert made["person"]["engagement_level"]
    anonymous = Message.objects.filter(workspace=workspace, direction="in").exclude(pk=message.pk).first()
    anonymous.author = None
    anonymous.save()
    assert_error(create(api, {"message_id": anonymous.pk, "team_id": sales.pk}), 422, "invalid", "message")


def test_mentions_only_for_marketing_and_bad_ids_in_words(api, team, message):
    assert_error(create(api, {"message_id": message.pk, "team_id": 999999}), 404, "not_found")
    assert_error(create(api, {"message_id": "²", "team_id": team.pk}), 422, "invalid")
    assert_error(create(api, {"message_id": message.pk, "team_id": team.pk, "mention_id": 99999}), 404, "not_found")
    assert api.get("/tickets/²").status_code in (404, 422)


def test_another_workspace_sees_nothing_and_moves_nothing(client, api, team, message, other_workspace):
    rival, rival_owner, _conn = other_workspace
    made = create(api, {"message_id": message.pk, "team_id": team.pk}).json()
    theirs = Api(client, create_api_token(user=rival_owner, workspace=rival, name="x")[1])
    assert theirs.get("/tickets").json() == [] and theirs.get("/tickets/teams").json() == []
    assert_error(theirs.get(f"/tickets/{made['id']}"), 404, "not_found")
    assert patch(theirs, made["id"], {"status": "resolved"}).status_code == 404
    assert_error(create(theirs, {"message_id": message.pk, "team_id": team.pk}), 404, "not_found")
    their_message = Message.objects.filter(workspace=rival, direction="in").first()
    assert_error(create(theirs, {"message_id": their_message.pk, "team_id": team.pk}), 404, "not_found")
    assert Ticket.objects.get().status == "open"


def test_a_client_may_read_but_not_escalate(client, workspace, team, message, member_factory):
    viewer = member_factory(Role.CLIENT)
    api = Api(client, create_api_token(user=viewer, workspace=workspace, name="v")[1])
    assert create(api, {"message_id": message.pk, "team_id": team.pk}).status_code == 403
    assert api.get("/tickets").status_code == 200


def test_the_cli_lists_creates_and_moves(workspace, owner, team, message):
    out = StringIO()
    call_command("tickets", "teams", workspace="acme", stdout=out)
    assert "IT" in out.getvalue()
    call_command(
        "tickets",
        "create",
        workspace="acme",
        message=str(message.pk),
        team=str(team.pk),
        username="owner",
        note="from the shell",
        stdout=out,
    )
    ticket = Ticket.objects.get()
    assert ticket.note == "from the shell" and ticket.created_by == owner
    call_command("tickets", "status", str(ticket.pk), workspace="acme", status="resolved", username="owner", stdout=out)
    ticket.refresh_from_db()
    assert ticket.status == "resolved"
    call_command("tickets", "list", workspace="acme", stdout=out)
    assert f"{ticket.pk} · IT" in out.getvalue()
    with pytest.raises(CommandError, match="whole number"):
        call_command("tickets", "status", "²", workspace="acme", status="open", username="owner")
    with pytest.raises(CommandError, match="--as"):
        call_command("tickets", "create", workspace="acme", message=str(message.pk), team=str(team.pk))
