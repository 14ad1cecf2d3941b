"""Bulk actions and saved filters through the API (/api/v1/inbox/bulk, /api/v1/saved-filters) and the CLI
(federe inbox views|bulk|filters): the same services, scoping and words."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from federe.accounts.models import Role
from federe.accounts.services import create_api_token
from federe.inbox import saved_filters
from federe.inbox.models import Conversation, ConversationStatus, SavedFilter

pytestmark = pytest.mark.django_db


class Api:
    def __init__(self, client, user, workspace, language: str = "en") -> None:
        _token, raw = create_api_token(user=user, workspace=workspace, name="script")
        self.client = client
        self.headers = {"Authorization": f"Bearer {raw}", "Accept-Language": language}

    def call(self, method: str, path: str, body: dict | None = None, **headers: str):
        if method == "get":
            return self.client.get("/api/v1" + path, headers=self.headers)
        return getattr(self.client, method)(
            "/api/v1" + path, json.dumps(body or {}), content_type="application/json", headers=self.headers | headers
        )


@pytest.fixture
def ids(synced):
    return list(Conversation.objects.filter(connection=synced).order_by("pk").values_list("pk", flat=True)[:3])


def test_api_bulk_close_then_assign_and_words_in_french(client, workspace, owner, member_factory, ids):
    mate = member_factory(Role.MODERATOR)
    api = Api(client, owner, workspace, language="fr")
    closed = api.call("post", "/inbox/bulk", {"action": "close", "ids": ids})
    assert closed.status_code == 200 and closed.json() == {"action": "close", "count": 3, "message": "3 fils fermés."}
    again = api.call("post", "/inbox/bulk", {"action": "close", "ids": ids})
    assert again.json()["count"] == 0
    assigned = api.call("post", "/inbox/bulk", {"action": "assign", "ids": ids[:1], "assignee": mate.username})
    assert assigned.json()["message"] == f"1 fil assigné à {mate.username}."
    assert Conversation.objects.get(pk=ids[0]).assignee == mate


def test_api_bulk_refuses_a_non_member_another_workspaces_thread_and_bad_input(
    client, workspace, owner, other_workspace, ids
):
    rival, stranger, _conn = other_workspace
    api = Api(client, owner, workspace)
    refused = api.call("post", "/inbox/bulk", {"action": "assign", "ids": ids, "assignee": stranger.username})
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "assignee"
    theirs = Conversation.objects.filter(workspace=rival).values_list("pk", flat=True).first()
    mixed = api.call("post", "/inbox/bulk", {"action": "close", "ids": [*ids, theirs]})
    assert mixed.status_code == 404 and mixed.json()["error"]["code"] == "not_found"
    assert not Conversation.objects.filter(status=ConversationStatus.CLOSED).exists()
    for body in ({"action": "explode", "ids": ids}, {"action": "close", "ids": []}, {"action": "close", "ids": [0]}):
        response = api.call("post", "/inbox/bulk", body)
        assert response.status_code == 422, body


def test_api_conversations_take_a_named_view(client, workspace, owner, ids):
    Conversation.objects.filter(pk=ids[0]).update(assignee=owner, status=ConversationStatus.ASSIGNED)
    api = Api(client, owner, workspace)
    mine = api.call("get", "/conversations?view=mine")
    assert [row["id"] for row in mine.json()] == [ids[0]]


def test_api_saved_filters_are_the_members_own(client, workspace, owner, member_factory):
    mate = member_factory(Role.COMMUNITY_MANAGER)
    saved_filters.add(workspace, mate, "Theirs", "view=mine")
    api = Api(client, owner, workspace)
    made = api.call(
        "post", "/saved-filters", {"name": "Mine", "query": "view=waiting&junk=1"}, **{"Idempotency-Key": "k1"}
    )
    assert made.status_code == 201 and made.json()["query"] == "view=waiting"
    repeat = api.call("post", "/saved-filters", {"name": "Mine", "query": "view=waiting"}, **{"Idempotency-Key": "k1"})
    assert repeat.status_code == 201 and repeat.json()["id"] == made.json()["id"]
    other = api.call("post", "/saved-filters", {"name": "Other", "query": ""}, **{"Idempotency-Key": "k1"})
    assert other.status_code == 422 and other.json()["error"]["field"] == "Idempotency-Key"
    assert [row["name"] for row in api.call("get", "/saved-filters").json()] == ["Mine"]
    pk = made.json()["id"]
    assert api.call("patch", f"/saved-filters/{pk}", {"name": "Oldest"}).json()["name"] == "Oldest"
    theirs = SavedFilter.objects.get(name="Theirs").pk
    assert api.call("patch", f"/saved-filters/{theirs}", {"name": "x"}).status_code == 404
    assert api.call("delete", f"/saved-filters/{theirs}").status_code == 404
    assert api.call("delete", f"/saved-filters/{pk}").status_code == 204
    assert list(SavedFilter.objects.values_list("name", flat=True)) == ["Theirs"]


def run(*args: str) -> str:
    out = StringIO()
    call_command("inbox", *args, stdout=out)
    return out.getvalue()


def test_cli_bulk_views_and_filters(workspace, owner, ids):
    assert run("bulk", "close", "--threads", *map(str, ids), "--as", "owner", "--workspace", "acme").strip() == (
        "3 threads closed."
    )
    assert run("bulk", "label", "--threads", str(ids[0]), "--label", "Press", "--as", "owner", "--workspace", "acme")
    assert Conversation.objects.filter(labels__name="Press").count() == 1
    views = run("views", "--as", "owner", "--workspace", "acme")
    assert "waiting" in views and "Waiting longest first" in views
    saved_filters.add(workspace, owner, "Mine", "view=mine")
    assert "Mine · ?view=mine" in run("filters", "--as", "owner", "--workspace", "acme")


def test_cli_refuses_another_workspaces_thread_and_a_non_member(workspace, owner, other_workspace, ids):
    rival, stranger, _conn = other_workspace
    theirs = Conversation.objects.filter(workspace=rival).values_list("pk", flat=True).first()
    with pytest.raises(CommandError):
        run("bulk", "close", "--threads", str(theirs), "--as", "owner", "--workspace", "acme")
    with pytest.raises(CommandError):
        run("bulk", "close", "--threads", str(ids[0]), "--as", stranger.username, "--workspace", "acme")
    with pytest.raises(CommandError):
        run(
            "bulk",
            "assign",
            "--threads",
            str(ids[0]),
            "--assignee",
            stranger.username,
            "--as",
            "owner",
            "--workspace",
            "acme",
        )
    assert not Conversation.objects.filter(status=ConversationStatus.CLOSED).exists()
