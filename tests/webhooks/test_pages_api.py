"""The webhooks page and /api/v1/webhooks: managers and owners only, bad input answered in words."""

from __future__ import annotations

import pytest
from django.urls import reverse

from federe.accounts.models import Role
from federe.accounts.services import create_api_token
from federe.webhooks import services
from federe.webhooks.models import Delivery, Endpoint

pytestmark = pytest.mark.django_db


def bearer(user, workspace) -> dict[str, str]:
    _token, raw = create_api_token(user=user, workspace=workspace, name="script")
    return {"Authorization": f"Bearer {raw}"}


@pytest.mark.parametrize("role", [Role.MODERATOR, Role.ANALYST, Role.CLIENT])
def test_other_roles_may_not_see_or_change_webhooks(client, workspace, member_factory, role):
    user = member_factory(role)
    client.force_login(user)
    assert client.get(reverse("webhooks:page", args=[workspace.slug])).status_code == 403
    response = client.post(
        reverse("webhooks:create", args=[workspace.slug]),
        {"url": "http://127.0.0.1:9/", "events": ["thread.closed"]},
    )
    assert response.status_code == 403 and not Endpoint.objects.exists()
    headers = bearer(user, workspace)
    assert client.get("/api/v1/webhooks", headers=headers).status_code == 403
    assert (
        client.post(
            "/api/v1/webhooks",
            {"url": "http://127.0.0.1:9/", "events": ["thread.closed"]},
            content_type="application/json",
            headers=headers,
        ).status_code
        == 403
    )


def test_a_community_manager_manages_webhooks_and_bad_input_is_refused_in_french(client, workspace, member_factory):
    manager = member_factory(Role.COMMUNITY_MANAGER)
    manager.language = "fr"
    manager.save()
    client.force_login(manager)
    page = reverse("webhooks:page", args=[workspace.slug])
    assert client.get(page).status_code == 200
    response = client.post(
        reverse("webhooks:create", args=[workspace.slug]),
        {"url": "http://10.1.2.3/x", "events": []},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    text = response.content.decode()
    assert response.status_code == 400 and "Webhooks" in text and 'value="http://10.1.2.3/x"' in text
    assert "Ce champ est obligatoire." in text and not Endpoint.objects.exists()


def test_the_api_creates_lists_changes_rotates_replays_and_deletes(client, workspace, owner, settings):
    headers = bearer(owner, workspace)
    made = client.post(
        "/api/v1/webhooks",
        {"url": "http://127.0.0.1:9/in", "events": ["thread.closed"], "description": "CRM"},
        content_type="application/json",
        headers=headers,
    )
    assert made.status_code == 201 and made.json()["secret"].startswith("whsec_")
    pk = made.json()["id"]
    listed = client.get("/api/v1/webhooks", headers=headers).json()
    assert [e["id"] for e in listed] == [pk] and "secret" not in listed[0]
    assert "secret" not in client.get(f"/api/v1/webhooks/{pk}", headers=headers).json()
    bad = client.put(
        f"/api/v1/webhooks/{pk}",
        {"url": "http://127.0.0.1:9/in", "events": ["no.such"]},
        content_type="application/json",
        headers=headers,
    )
    assert bad.status_code == 422 and "no.such" in bad.content.decode()
    changed = client.put(
        f"/api/v1/webhooks/{pk}",
        {"url": "http://127.0.0.1:9/v2", "events": ["thread.assigned"], "enabled": False},
        content_type="application/json",
        headers=headers,
    )
    assert changed.status_code == 200 and changed.json()["enabled"] is False
    rotated = client.post(f"/api/v1/webhooks/{pk}/rotate-secret", headers=headers).json()["secret"]
    assert rotated != made.json()["secret"]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    test = client.post(f"/api/v1/webhooks/{pk}/test", headers=headers)
    assert test.status_code == 202 and test.json()["type"] == "webhook.test"
    deliveries = client.get("/api/v1/webhooks/deliveries", headers=headers).json()
    assert [d["event_id"] for d in deliveries] == [test.json()["event_id"]]
    Delivery.objects.update(state="gave_up")
    replayed = client.post(f"/api/v1/webhooks/deliveries/{deliveries[0]['id']}/replay", headers=headers)
    assert replayed.status_code == 202 and replayed.json()["state"] == "pending"
    assert replayed.json()["event_id"] == test.json()["event_id"]
    assert client.delete(f"/api/v1/webhooks/{pk}", headers=headers).status_code == 204
    assert not Endpoint.objects.exists()


def test_a_test_send_and_a_replay_from_the_page(client, workspace, owner, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    endpoint, _secret = services.create_endpoint(
        workspace=workspace, by=owner, url="http://127.0.0.1:9/in", event_types=["thread.closed"]
    )
    client.force_login(owner)
    response = client.post(reverse("webhooks:test", args=[workspace.slug, endpoint.pk]), follow=True)
    assert response.status_code == 200 and "Test event" in response.content.decode()
    delivery = Delivery.objects.get()
    Delivery.objects.update(state="gave_up", attempts=7)
    client.post(reverse("webhooks:replay", args=[workspace.slug, delivery.pk]))
    delivery.refresh_from_db()
    assert delivery.state == "pending" and delivery.attempts == 0
    response = client.post(reverse("webhooks:delete", args=[workspace.slug, endpoint.pk]))
    assert response.status_code == 400 and Endpoint.objects.exists()  # asks to confirm first
    client.post(reverse("webhooks:delete", args=[workspace.slug, endpoint.pk]), {"confirmed": "yes"})
    assert not Endpoint.objects.exists()
