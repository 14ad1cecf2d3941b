"""The events API and the `federe events` command: the same services, the same refusals in words."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from federe.accounts.services import create_api_token
from federe.events import services
from federe.events.models import Event
from tests.events.conftest import fields

pytestmark = pytest.mark.django_db


def _api(client, owner, workspace):
    _token, raw = create_api_token(user=owner, workspace=workspace, name="script")
    headers = {"Authorization": f"Bearer {raw}"}

    def call(method: str, path: str, body: dict | None = None, **extra):
        if method == "get":
            return client.get("/api/v1" + path, headers=headers)
        return getattr(client, method)(
            "/api/v1" + path, json.dumps(body or {}), content_type="application/json", headers={**headers, **extra}
        )

    return call


def _body(**changes) -> dict:
    start = timezone.now() + timedelta(days=2)
    body = {
        "title": "API meetup",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(),
        "place": "Lyon",
        "capacity": 1,
    }
    body.update(changes)
    return body


def test_the_api_creates_registers_checks_in_and_counts(client, owner, workspace):
    call = _api(client, owner, workspace)
    created = call("post", "/events", _body(), **{"Idempotency-Key": "k1"})
    assert created.status_code == 201
    again = call("post", "/events", _body(), **{"Idempotency-Key": "k1"})
    assert again.json()["id"] == created.json()["id"] and Event.objects.count() == 1
    event = Event.objects.get()
    for name in ("Ana", "Bo"):
        services.register_on_page(event=event, name=name, email=f"{name}@example.org", consent=False)
    rows = call("get", f"/events/{event.pk}/registrations").json()
    assert [r["state"] for r in rows] == ["registered", "waiting"]
    checked = call("post", f"/events/{event.pk}/registrations/{rows[0]['id']}/check-in", {})
    assert checked.status_code == 200 and checked.json()["checked_in_at"]
    cancelled = call("post", f"/events/{event.pk}/registrations/{rows[0]['id']}/cancel", {})
    assert cancelled.json()["state"] == "cancelled"
    counts = call("get", f"/events/{event.pk}/counts").json()
    assert (counts["registered"], counts["waiting"], counts["seats_left"]) == (1, 0, 0)


def test_the_api_refuses_bad_input_in_words(client, owner, workspace):
    call = _api(client, owner, workspace)
    refused = call("post", "/events", _body(place="", ends_at=_body()["starts_at"]))
    assert refused.status_code == 422 and not Event.objects.exists()
    assert call("post", "/events", _body(capacity=0)).status_code == 422
    assert not Event.objects.exists()


def test_the_api_never_reaches_another_workspace_s_registration(client, owner, workspace, other_workspace):
    rival, rival_owner, _conn = other_workspace
    theirs = services.add(workspace=rival, fields=fields(), by=rival_owner)
    ana = services.register_on_page(event=theirs, name="Ana", email="ana@example.org", consent=False).registration
    mine = services.add(workspace=workspace, fields=fields(), by=owner)
    call = _api(client, owner, workspace)
    for action in ("check-in", "cancel"):
        response = call("post", f"/events/{mine.pk}/registrations/{ana.pk}/{action}", {})
        assert response.status_code == 404 and "Ana" not in response.content.decode()
    ana.refresh_from_db()
    assert ana.checked_in_at is None and ana.state == "registered"


def test_the_command_creates_lists_and_checks_in(owner, workspace):
    out = StringIO()
    start = (timezone.localtime(timezone.now()) + timedelta(days=1)).strftime("%Y-%m-%dT18:00")
    end = (timezone.localtime(timezone.now()) + timedelta(days=1)).strftime("%Y-%m-%dT20:00")
    args = ["create", "--workspace", workspace.slug, "--as", owner.username, "--title", "CLI meetup"]
    call_command("events", *args, "--start", start, "--end", end, "--place", "Lille", stdout=out)
    event = Event.objects.get(title="CLI meetup")
    ana = services.register_on_page(event=event, name="Ana", email="ana@example.org", consent=False).registration
    call_command(
        "events", "check-in", str(event.pk), str(ana.pk), "--workspace", workspace.slug, "--as", "owner", stdout=out
    )
    call_command("events", "show", str(event.pk), "--workspace", workspace.slug, stdout=out)
    assert "Ana is checked in." in out.getvalue() and "checked in: 1" in out.getvalue()
    with pytest.raises(CommandError, match="Say where"):
        call_command("events", *args, "--start", start, "--end", end, stdout=out)


def test_an_offset_postgresql_cannot_store_is_kept_as_the_same_instant_in_utc(client, owner, workspace):
    """Python takes offsets up to 24 h, PostgreSQL up to 15:59: "+16:00" was a 500 there (found by the fuzzer)."""
    call = _api(client, owner, workspace)
    created = call("post", "/events", _body(starts_at="2031-01-01T20:00:00+16:00", ends_at="2031-01-02T00:00:00Z"))
    assert created.status_code == 201, created.content
    event = Event.objects.get(pk=created.json()["id"])
    assert event.starts_at == datetime(2031, 1, 1, 4, 0, tzinfo=UTC)
    beyond = call("post", "/events", _body(starts_at="0001-01-01T00:00:00+01:00"))
    assert beyond.status_code == 422 and beyond.json()["error"]["field"] == "starts_at"  # no UTC instant: refused


def test_a_time_without_its_utc_offset_is_refused_in_words(client, owner, workspace):
    """A naive time has no instant (whose clock?): mixed with an aware one it was a 500, alone it was stored on the
    server's clock. It is a 422 naming the field."""
    call = _api(client, owner, workspace)
    for body in (
        _body(starts_at="2031-01-01T10:00:00", ends_at="2031-01-01T12:00:00+00:00"),
        _body(starts_at="2031-01-01T10:00:00", ends_at="2031-01-01T12:00:00"),
    ):
        refused = call("post", "/events", body)
        assert refused.status_code == 422 and refused.json()["error"]["field"] == "starts_at"
        assert "UTC offset" in refused.json()["error"]["message"]
    assert not Event.objects.exists()
