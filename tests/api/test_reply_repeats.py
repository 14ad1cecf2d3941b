"""Replying twice through the API: a repeated reply, and the Idempotency-Key header."""

from __future__ import annotations

import json

import pytest

from federe.inbox.models import Direction, Message, Reply, ReplyState
from tests.api.test_api import API, Api, assert_error

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, raw_token):
    return Api(client, raw_token)


@pytest.fixture
def raw_token(owner, workspace):
    from federe.accounts.services import create_api_token

    return create_api_token(user=owner, workspace=workspace, name="script")[1]


def post_reply(api: Api, message: Message, body: dict, key: str | None = None):
    headers = dict(api.headers)
    if key is not None:
        headers["Idempotency-Key"] = key
    return api.client.post(
        f"{API}/messages/{message.pk}/reply", json.dumps(body), content_type="application/json", headers=headers
    )


def test_the_same_reply_twice_is_409_json_and_every_reply_ends_final(api, synced):
    synced.config = {**synced.config, "same_reply_same_id": True}
    synced.save()
    message = Message.objects.filter(connection=synced).first()
    assert post_reply(api, message, {"body": "Merci !"}).status_code == 201
    error = assert_error(post_reply(api, message, {"body": "Merci !"}), 409, "duplicate_reply")
    first = Reply.objects.get(state=ReplyState.SENT)
    assert str(first.pk) in error["message"]
    assert not Reply.objects.filter(state__in=[ReplyState.SENDING, ReplyState.DRAFT]).exists()
    assert Message.objects.filter(direction=Direction.OUTBOUND).count() == 1


def test_same_idempotency_key_and_body_returns_the_same_reply_and_sends_once(api, synced):
    message = Message.objects.filter(connection=synced).first()
    first = post_reply(api, message, {"body": "Bonjour"}, key="abc-123")
    again = post_reply(api, message, {"body": "Bonjour"}, key="abc-123")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert Reply.objects.count() == 1
    assert Message.objects.filter(direction=Direction.OUTBOUND).count() == 1


def test_same_idempotency_key_with_another_body_is_422_json(api, synced):
    message = Message.objects.filter(connection=synced).first()
    assert post_reply(api, message, {"body": "Bonjour"}, key="abc-123").status_code == 201
    error = assert_error(post_reply(api, message, {"body": "Au revoir"}, key="abc-123"), 422, "invalid")
    assert error["field"] == "Idempotency-Key"
    assert Reply.objects.count() == 1


def test_same_idempotency_key_on_another_message_is_422(api, synced):
    first, second = Message.objects.filter(connection=synced).order_by("pk")[:2]
    assert post_reply(api, first, {"body": "Bonjour"}, key="abc-123").status_code == 201
    assert_error(post_reply(api, second, {"body": "Bonjour"}, key="abc-123"), 422, "invalid", "Idempotency-Key")


def test_a_failed_reply_is_returned_again_for_its_key(api, synced):
    synced.config = {**synced.config, "fail_replies": "server_error"}
    synced.save()
    message = Message.objects.filter(connection=synced).first()
    first = post_reply(api, message, {"body": "Bonjour"}, key="k")
    again = post_reply(api, message, {"body": "Bonjour"}, key="k")
    assert first.status_code == again.status_code == 502
    assert again.json()["id"] == first.json()["id"] and again.json()["attempts"] == 1


@pytest.mark.parametrize("key", ["x" * 256, "tab\there"])
def test_an_unusable_idempotency_key_is_422(api, synced, key):
    message = Message.objects.filter(connection=synced).first()
    assert_error(post_reply(api, message, {"body": "Bonjour"}, key=key), 422, "invalid", "Idempotency-Key")
    assert Reply.objects.count() == 0
