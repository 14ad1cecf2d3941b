"""/api/v1/members: the team over the API, scoped to the token's workspace."""

from __future__ import annotations

import json

import pytest

from federe.accounts.models import Invitation, Membership, Role
from federe.accounts.services import create_api_token
from federe.core.models import AuditEvent

pytestmark = pytest.mark.django_db


class Api:
    def __init__(self, client, raw: str) -> None:
        self.client, self.headers = client, {"Authorization": f"Bearer {raw}"}

    def call(self, method: str, path: str, body: object | None = None):
        kwargs = {"content_type": "application/json", "headers": self.headers}
        data = json.dumps(body) if body is not None else None
        return getattr(self.client, method)("/api/v1/members" + path, data, **kwargs)


@pytest.fixture
def api(client, owner, workspace):
    _token, raw = create_api_token(user=owner, workspace=workspace, name="team script")
    return Api(client, raw)


def _api_for(client, user, workspace) -> Api:
    return Api(client, create_api_token(user=user, workspace=workspace, name="x")[1])


def test_list_add_change_and_remove(api, workspace, owner, user_factory, mailoutbox):
    hana = user_factory(username="hana")
    listed = api.call("get", "")
    assert listed.status_code == 200 and [m["username"] for m in listed.json()] == ["owner"]

    added = api.call("post", "", {"who": "hana", "role": "moderator"})
    assert added.status_code == 201 and added.json()["member"]["role"] == "moderator"
    member_id = added.json()["member"]["id"]
    assert Membership.objects.get(pk=member_id).user == hana

    changed = api.call("patch", f"/{member_id}", {"role": "analyst"})
    assert changed.status_code == 200 and changed.json()["role"] == "analyst"

    invited = api.call("post", "", {"who": "ines@example.org", "role": "client"})
    assert invited.status_code == 201 and invited.json()["invitation"]["email"] == "ines@example.org"
    assert [m.to for m in mailoutbox] == [["ines@example.org"]]
    assert "testserver/invitation/" in mailoutbox[0].body
    assert [i["email"] for i in api.call("get", "/invitations").json()] == ["ines@example.org"]
    assert api.call("delete", f"/invitations/{invited.json()['invitation']['id']}").status_code == 204
    assert api.call("get", "/invitations").json() == []

    assert api.call("delete", f"/{member_id}").status_code == 204
    assert not Membership.objects.filter(pk=member_id).exists()
    verbs = set(AuditEvent.objects.filter(workspace=workspace).values_list("verb", flat=True))
    assert {
        "member.added",
        "member.role_changed",
        "member.invited",
        "member.invitation_revoked",
        "member.removed",
    } <= verbs


def test_the_last_owner_stays_through_the_api(api, workspace, owner):
    mine = Membership.objects.get(workspace=workspace, user=owner).pk
    response = api.call("patch", f"/{mine}", {"role": "client"})
    assert response.status_code == 422 and "at least one owner" in response.json()["error"]["message"]
    assert api.call("delete", f"/{mine}").status_code == 422
    assert Membership.objects.get(pk=mine).role == Role.OWNER


def test_bad_input_is_a_clear_422(api):
    unknown_role = api.call("post", "", {"who": "x@example.org", "role": "king"})
    assert unknown_role.status_code == 422 and unknown_role.json()["error"]["field"] == "role"
    nobody = api.call("post", "", {"who": "nobody-here", "role": "client"})
    assert nobody.status_code == 422 and "e-mail address" in nobody.json()["error"]["message"]
    missing = api.call("post", "", {"role": "client"})
    assert missing.status_code == 422 and missing.json()["error"]["field"] == "who"
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("role", [Role.COMMUNITY_MANAGER, Role.MODERATOR, Role.ANALYST, Role.CLIENT])
def test_members_may_list_but_only_owners_change(client, workspace, owner, member_factory, role):
    user = member_factory(role)
    api = _api_for(client, user, workspace)
    assert {m["username"] for m in api.call("get", "").json()} == {"owner", user.username}
    mine = Membership.objects.get(workspace=workspace, user=owner).pk
    assert api.call("post", "", {"who": "x@example.org", "role": "owner"}).status_code == 403
    assert api.call("patch", f"/{mine}", {"role": "client"}).status_code == 403
    assert api.call("delete", f"/{mine}").status_code == 403
    assert api.call("get", "/invitations").status_code == 403
    assert Membership.objects.get(pk=mine).role == Role.OWNER and not Invitation.objects.exists()


def test_another_workspace_s_members_are_not_found(api, other_workspace):
    rival, rival_owner, _conn = other_workspace
    theirs = Membership.objects.get(workspace=rival, user=rival_owner).pk
    assert api.call("patch", f"/{theirs}", {"role": "client"}).status_code == 404
    assert api.call("delete", f"/{theirs}").status_code == 404
    assert Membership.objects.get(pk=theirs).role == Role.OWNER
