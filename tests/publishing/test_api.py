"""/api/v1/posts end to end: create with variants, read, list, update, cancel, delete; Idempotency-Key repeats."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from federe.accounts.models import Role
from federe.accounts.services import create_api_token
from federe.publishing.models import Delivery, DeliveryState, Post

pytestmark = pytest.mark.django_db

API = "/api/v1/posts"


@pytest.fixture
def call(client, owner, workspace):
    _token, raw = create_api_token(user=owner, workspace=workspace, name="script")

    def send(method: str, path: str = "", body: object = None, **headers: str):
        return client.generic(
            method,
            API + path,
            json.dumps(body) if body is not None else b"",
            content_type="application/json",
            headers={"Authorization": f"Bearer {raw}", **headers},
        )

    return send


def body(channels, when=None, text="Bonjour"):
    when = when or timezone.now() + timedelta(hours=1)
    return {
        "body": text,
        "scheduled_at": when.isoformat(),
        "variants": [{"connection_id": c.pk} for c in channels],
    }


def test_create_read_list(call, channels):
    created = call("POST", "", body(channels))
    assert created.status_code == 201, created.content
    post = created.json()
    assert post["status"] == "scheduled" and len(post["deliveries"]) == 2
    assert {d["state"] for d in post["deliveries"]} == {"scheduled"}
    assert post["variants"][0]["body_html"] == "<p>Bonjour</p>"
    assert call("GET", f"/{post['id']}").json()["id"] == post["id"]
    assert [p["id"] for p in call("GET").json()] == [post["id"]]


def test_the_same_key_and_body_make_one_post(call, channels):
    payload = body(channels)
    first = call("POST", "", payload, **{"Idempotency-Key": "abc-1"})
    second = call("POST", "", payload, **{"Idempotency-Key": "abc-1"})
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert Post.objects.count() == 1 and Delivery.objects.count() == 2


def test_the_same_key_with_another_body_is_refused(call, channels):
    call("POST", "", body(channels), **{"Idempotency-Key": "abc-2"})
    other = call("POST", "", body(channels, text="Autre chose"), **{"Idempotency-Key": "abc-2"})
    assert other.status_code == 422
    assert other.json()["error"]["field"] == "Idempotency-Key"
    assert Post.objects.count() == 1


def test_update_reschedules_and_cancel_stops(call, channels):
    post = call("POST", "", body(channels)).json()
    later = timezone.now() + timedelta(days=2)
    updated = call("PUT", f"/{post['id']}", body(channels[:1], when=later, text="Corrigé"))
    assert updated.status_code == 200, updated.content
    states = {d["connection_id"]: d["state"] for d in updated.json()["deliveries"]}
    assert states == {channels[0].pk: "scheduled"}  # the channel taken off, never tried, goes
    assert updated.json()["variants"][0]["body_text"] == "Corrigé"
    cancelled = call("POST", f"/{post['id']}/cancel")
    assert cancelled.json()["status"] == "cancelled"
    assert set(Delivery.objects.values_list("state", flat=True)) == {DeliveryState.CANCELLED}
    assert call("POST", f"/{post['id']}/cancel").status_code == 200  # a repeat changes nothing


def test_delete_hides_the_post(call, channels):
    post = call("POST", "", body(channels)).json()
    assert call("DELETE", f"/{post['id']}").status_code == 204
    assert call("GET", f"/{post['id']}").status_code == 404
    assert call("GET").json() == []


def test_refusals_are_clear(call, channels, other_workspace):
    _ws, _owner, foreign = other_workspace
    past = call("POST", "", body(channels, when=timezone.now() - timedelta(days=1)))
    assert past.status_code == 422 and past.json()["error"]["field"] == "scheduled_at"
    too_long = call("POST", "", body(channels, text="x" * 501))
    assert too_long.status_code == 422 and "500" in too_long.json()["error"]["message"]
    elsewhere = call("POST", "", body([foreign]))
    assert elsewhere.status_code == 422 and elsewhere.json()["error"]["field"] == "variants"
    assert Post.objects.count() == 0


def test_a_client_cannot_publish(client, workspace, member_factory, channels):
    user = member_factory(Role.CLIENT)
    _token, raw = create_api_token(user=user, workspace=workspace, name="client")
    response = client.post(
        API, json.dumps(body(channels)), content_type="application/json", headers={"Authorization": f"Bearer {raw}"}
    )
    assert response.status_code == 403


def test_a_post_made_through_the_api_waits_for_approval_where_the_workspace_asks_for_it(
    call, channels, owner, workspace
):
    """The API is no way around the approval workflow: its posts are submitted, and an edit asks again."""
    from federe.publishing import approvals
    from federe.publishing.approvals import StepSpec

    approvals.save_workflow(
        workspace,
        by=owner,
        required=True,
        allow_self_approval=False,
        link_days=7,
        steps=[StepSpec("Team", "any", (owner.pk,))],
    )
    created = call("POST", "", body(channels))
    assert created.status_code == 201, created.content
    post = Post.objects.get(pk=created.json()["id"])
    assert post.approval == "pending" and approvals.open_round(post) is not None
    first_round = approvals.open_round(post)

    assert call("PUT", f"/{post.pk}", body(channels, text="Bonsoir")).status_code == 200
    post.refresh_from_db()
    assert post.approval == "pending" and approvals.open_round(post).pk != first_round.pk
