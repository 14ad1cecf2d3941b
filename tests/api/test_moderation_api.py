from __future__ import annotations

import pytest

from federe.accounts.models import Role
from federe.accounts.services import create_api_token
from federe.inbox.models import Message
from federe.moderation.models import Rule

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_afterwards():
    """Requests made in French leave French active in this thread: the next tests read English."""
    yield
    from django.utils import translation

    translation.activate("en")


RULE = {
    "name": "Spam",
    "match": "any",
    "conditions": [{"type": "words", "words": ["gagn*", "followers", "crypto*"]}],
    "actions": [{"type": "spam"}],
}


@pytest.fixture
def api(client, owner, workspace):
    _token, raw = create_api_token(user=owner, workspace=workspace, name="t")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    def call(method, path, payload=None, **extra):
        kwargs = {**auth, **extra}
        if payload is not None:
            kwargs.update(data=payload, content_type="application/json")
        return getattr(client, method)(f"/api/v1/moderation{path}", **kwargs)

    return call


def test_rules_create_version_and_list(api):
    created = api("post", "/rules", RULE)
    assert created.status_code == 201
    rule_id = created.json()["id"]
    updated = api("put", f"/rules/{rule_id}", {**RULE, "actions": [{"type": "hold"}]})
    assert [v["number"] for v in updated.json()["versions"]] == [2, 1]
    listed = api("get", "/rules").json()
    assert listed[0]["versions"][0]["actions"] == [{"type": "hold"}]


def test_a_bad_rule_is_a_422_with_the_field(api):
    response = api("post", "/rules", {**RULE, "conditions": []})
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "conditions"
    assert not Rule.objects.exists()


def test_decide_from_the_api_and_see_the_network_outcome(api, synced):
    message = Message.objects.filter(connection=synced).first()
    response = api("post", "/decisions", {"message_ids": [message.pk], "action": "remove"})
    assert response.status_code == 201
    decision = response.json()[0]
    assert decision["network_state"] == "done" and decision["by"] == "owner"
    message.refresh_from_db()
    assert message.network_status == "removed"


def test_unknown_action_and_foreign_ids(api, synced, other_workspace):
    message = Message.objects.filter(connection=synced).first()
    assert api("post", "/decisions", {"message_ids": [message.pk], "action": "explode"}).status_code == 422
    foreign = Message.objects.filter(connection=other_workspace[2]).first()
    response = api("post", "/decisions", {"message_ids": [foreign.pk], "action": "spam"})
    assert response.status_code == 404
    assert not foreign.decisions.exists()


def test_queue_and_backtest(api, synced):
    queue = api("get", "/queue").json()
    held = Message.objects.filter(connection=synced, review="pending").count()
    assert len(queue) == held and held > 0
    result = api("post", "/rules/backtest", RULE).json()
    assert result["examined"] == 50
    assert result["matched"] >= 1
    assert len(result["sample"]) == min(result["matched"], 25)


def test_a_client_role_cannot_moderate(client, workspace, member_factory, synced):
    viewer = member_factory(Role.CLIENT)
    _token, raw = create_api_token(user=viewer, workspace=workspace, name="t")
    message = Message.objects.filter(connection=synced).first()
    response = client.post(
        "/api/v1/moderation/decisions",
        data={"message_ids": [message.pk], "action": "spam"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize(
    ("conditions", "msgid"),
    [
        ([{"type": "words", "words": [["x"]]}], "A watched-words condition needs a list of words or phrases."),
        ([{"type": "links", "min": "x"}], "A links condition needs a whole number of links, at least 1."),
    ],
)
def test_a_malformed_rule_is_a_422_with_a_translated_message(api, conditions, msgid):
    from django.utils import translation

    response = api("post", "/rules", {**RULE, "conditions": conditions}, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 422
    error = response.json()["error"]
    with translation.override("fr"):
        expected = translation.gettext(msgid)
    assert expected != msgid  # there is a French text, and it is the one sent
    assert error == {"code": "invalid", "message": expected, "field": "conditions"}
    assert not Rule.objects.exists()


def test_a_broad_rule_is_saved_switched_off_with_a_notice(api, synced):
    response = api("post", "/rules", {**RULE, "conditions": [{"type": "length", "max": 1}]})
    assert response.status_code == 201
    body = response.json()
    assert body["enabled"] is False and "50 of the last 50 messages" in body["notice"]
    assert api("post", "/rules", RULE).json()["notice"] == ""
