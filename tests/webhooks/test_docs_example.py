"""docs/webhooks.md's verification example, run as written, with the secret the page shows and a request that
Fédère really sent; and that secret is never shown, logged or recorded again."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from django.urls import reverse

from federe.accounts.services import create_api_token
from federe.core.models import AuditEvent
from federe.inbox import services as inbox
from federe.inbox.models import Conversation
from federe.webhooks import services
from federe.webhooks.models import Endpoint

pytestmark = pytest.mark.django_db

DOC = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"


def doc_example() -> dict:
    code = re.search(r"```python\n(.*?)```", DOC.read_text(), re.S)
    assert code, "docs/webhooks.md lost its Python example"
    namespace: dict = {}
    exec(compile(code.group(1), str(DOC), "exec"), namespace)  # noqa: S102 - our own documentation
    return namespace


def create_on_the_page(client, workspace, url: str) -> str:
    response = client.post(
        reverse("webhooks:create", args=[workspace.slug]),
        {"url": url, "description": "CRM", "events": ["thread.closed", "thread.assigned"], "enabled": "on"},
    )
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    shown = re.findall(r"whsec_[A-Za-z0-9+/=]+", response.content.decode())
    assert len(shown) == 1
    return shown[0]


def test_the_documented_check_accepts_what_we_send_with_the_secret_the_page_showed(
    client, workspace, owner, synced, receiver, immediate_tasks, django_capture_on_commit_callbacks
):
    client.force_login(owner)
    secret = create_on_the_page(client, workspace, receiver.url)
    thread = Conversation.objects.filter(connection=synced).order_by("pk").first()
    with django_capture_on_commit_callbacks(execute=True):
        inbox.set_status(conversation=thread, status="closed", by=owner)
    ((headers, body),) = receiver.received
    verify = doc_example()["verify"]
    assert verify(secret, headers, body)
    assert not verify(secret, headers, body + b" ")  # a changed body fails
    assert not verify(secret, {**headers, "webhook-timestamp": "1000000000"}, body)  # an old request fails
    other = services.rotate_secret(endpoint=Endpoint.objects.get(), by=owner)
    assert not verify(other, headers, body)


def test_the_secret_is_never_shown_logged_or_recorded_after_creation(
    client, workspace, owner, receiver, caplog, immediate_tasks, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.DEBUG)
    client.force_login(owner)
    secret = create_on_the_page(client, workspace, receiver.url)
    endpoint = Endpoint.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("webhooks:test", args=[workspace.slug, endpoint.pk]))
    client.post(
        reverse("webhooks:edit", args=[workspace.slug, endpoint.pk]),
        {f"e{endpoint.pk}-url": receiver.url, f"e{endpoint.pk}-events": ["thread.closed"]},
    )
    pages = [
        client.get(reverse("webhooks:page", args=[workspace.slug])),
        client.get(reverse("core:activity", args=[workspace.slug])),
    ]
    _token, raw = create_api_token(user=owner, workspace=workspace, name="script")
    bearer = {"Authorization": f"Bearer {raw}"}
    pages += [client.get("/api/v1/webhooks", headers=bearer), client.get("/api/v1/webhooks/deliveries", headers=bearer)]
    assert [p.status_code for p in pages] == [200, 200, 200, 200]
    key = secret.removeprefix("whsec_")
    for response in pages:
        assert key not in response.content.decode()
    assert receiver.received and all(key not in headers.values() for headers, _ in receiver.received)
    assert key not in caplog.text
    assert key not in endpoint.secret_encrypted
    for row in AuditEvent.objects.filter(workspace=workspace):
        assert key not in str(row.details) and key not in row.object_repr
