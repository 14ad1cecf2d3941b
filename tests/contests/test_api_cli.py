"""The contests API and the `federe contests` command: the same services, the same refusals in words."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from federe.accounts.services import create_api_token
from federe.contests import draw, services
from federe.contests.collect import collect
from federe.contests.models import Contest, Entry
from federe.inbox.models import Message
from tests.contests.conftest import END, START, fields

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


def test_the_api_creates_collects_decides_and_shows_the_certificate(client, owner, workspace, town):
    for n in range(3):
        town.say(town.person(f"P{n}"), "#WinAMug", at=START + timedelta(hours=n + 1))
    call = _api(client, owner, workspace)
    body = {"name": "API contest", "starts_at": START.isoformat(), "ends_at": END.isoformat(), "term": "#WinAMug"}
    created = call("post", "/contests", body, **{"Idempotency-Key": "k1"})
    assert created.status_code == 201
    again = call("post", "/contests", body, **{"Idempotency-Key": "k1"})
    assert again.json()["id"] == created.json()["id"] and Contest.objects.count() == 1
    cid = created.json()["id"]
    assert call("post", f"/contests/{cid}/entries/collect").json()["created"] == 3
    entries = call("get", f"/contests/{cid}/entries").json()
    assert [e["eligible"] for e in entries] == [True, True, True]
    decided = call("post", f"/contests/{cid}/entries/{entries[0]['id']}/decide", {"exclude": True, "note": "staff"})
    assert decided.json()["eligible"] is False and decided.json()["status"] == "Excluded by the organiser: staff"
    wrong = call("post", "/contests", {**body, "ends_at": START.isoformat()})
    assert wrong.status_code == 422 and "after the start" in wrong.content.decode()
    draw = call("post", f"/contests/{cid}/draw", {"public_value": "1", "source": "x"})
    assert draw.status_code == 422 and "commitment" in draw.content.decode()
    certificate = call("get", f"/contests/{cid}/certificate").json()
    assert certificate == {"commitment": "", "committed_at": ""}


def test_another_workspace_s_entry_in_a_s_contest_is_not_found(client, owner, workspace, town, other_workspace):
    ws_b, owner_b, conn_b = other_workspace
    first = Message.objects.filter(connection=conn_b).order_by("posted_at").first()
    theirs = services.add(
        workspace=ws_b,
        fields=fields(rule="reply", term="", reply_to_id=first.pk, starts_at=first.posted_at, ends_at=END),
        by=owner_b,
    )
    collect(theirs)
    entry_b = Entry.objects.filter(contest=theirs).first()
    assert entry_b is not None
    mine = services.add(workspace=workspace, fields=fields(), by=owner)
    call = _api(client, owner, workspace)
    response = call("post", f"/contests/{mine.pk}/entries/{entry_b.pk}/decide", {"exclude": True, "note": "x"})
    assert response.status_code == 404 and Entry.objects.get(pk=entry_b.pk).decided == ""


def test_the_command_runs_a_whole_contest(town, workspace, owner, tmp_path):
    for n in range(4):
        town.say(town.person(f"P{n}"), "Je participe #WinAMug", at=START + timedelta(hours=n + 1))
    out = StringIO()
    common = {"workspace": workspace.slug, "stdout": out}
    call_command(
        "contests",
        "create",
        name="CLI",
        start=START.isoformat(),
        end=END.isoformat(),
        term="#WinAMug",
        winners=2,
        username=owner.username,
        **common,
    )
    contest = Contest.objects.get(name="CLI")
    with pytest.raises(CommandError, match="before the end"):
        call_command("contests", "commit", str(contest.pk), username=owner.username, **common)  # END is past
    services.commit(contest=contest, by=owner, now=START)
    call_command("contests", "entries", str(contest.pk), collect=True, username=owner.username, **common)
    assert "Eligible: 4 of 4 entries." in out.getvalue()
    call_command("contests", "draw", str(contest.pk), value="drand 99", source="x", username=owner.username, **common)
    contest.refresh_from_db()
    assert contest.seed_hex in out.getvalue()
    call_command("contests", "verify", str(contest.pk), **common)
    assert out.getvalue().count("OK    ") == 3
    published = tmp_path / "draw.json"
    published.write_text(json.dumps({**contest.published, "public_value": "drand 100"}), encoding="utf-8")
    changed_winners = draw.winners(
        [draw.Ballot(e["key"], e["name"]) for e in contest.published["entries"]],
        bytes.fromhex(contest.seed_hex),
        "drand 100",
        2,
    )
    if [b.key for b in changed_winners] != [w["key"] for w in contest.published["winners"]]:
        with pytest.raises(CommandError, match="does not check out"):
            call_command("contests", "verify", str(published), **common)
    (tmp_path / "bad.json").write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(CommandError, match="not a draw"):
        call_command("contests", "verify", str(tmp_path / "bad.json"), **common)


def test_the_api_queues_the_announcement_and_shows_its_progress(
    client, owner, workspace, town, other_workspace, django_capture_on_commit_callbacks
):
    from federe.contests.tasks import announce_winners_task
    from federe.inbox.models import Reply
    from tests.queued import run_queued

    for n in range(2):
        town.say(town.person(f"P{n}"), "#WinAMug", at=START + timedelta(hours=n + 1))
    contest = services.add(workspace=workspace, fields=fields(winners_count=2), by=owner)
    services.commit(contest=contest, by=owner, now=START)
    services.run_draw(contest=contest, public_value="1", source="x", by=owner, now=END + timedelta(days=1))
    call = _api(client, owner, workspace)
    assert call("get", f"/contests/{contest.pk}/announce").json()["state"] == ""

    with django_capture_on_commit_callbacks(execute=True):
        queued = call("post", f"/contests/{contest.pk}/announce", {"text": "You won!"})

    assert queued.status_code == 202 and Reply.objects.count() == 0
    assert {k: queued.json()[k] for k in ("state", "total", "sent", "remaining")} == {
        "state": "queued",
        "total": 2,
        "sent": 0,
        "remaining": 2,
    }
    run_queued(announce_winners_task)
    done = call("get", f"/contests/{contest.pk}/announce").json()
    assert (done["state"], done["sent"], done["failed"], done["remaining"]) == ("done", 2, 0, 0)
    again = call("post", f"/contests/{contest.pk}/announce", {"text": "You won!"})
    assert again.status_code == 422 and "Nobody is left" in again.content.decode()
    _ws, rival, _conn = other_workspace
    rival_call = _api(client, rival, _ws)
    assert rival_call("post", f"/contests/{contest.pk}/announce", {"text": "x"}).status_code == 404
    assert rival_call("get", f"/contests/{contest.pk}/announce").status_code == 404
