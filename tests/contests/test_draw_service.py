"""Commit, draw, certificate and announcement, as an organiser and as anyone without an account."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from federe.accounts.models import Role
from federe.connections.models import Connection
from federe.contests import announce, services, verify_draw
from federe.contests.models import AnnouncementRun, Contest, Entry
from federe.contests.tasks import announce_winners_task
from federe.core.models import AuditEvent
from federe.core.secrets import decrypt_json
from federe.inbox.models import Reply, ReplyState
from tests.contests.conftest import END, START, fields
from tests.queued import run_queued

pytestmark = pytest.mark.django_db
DAY = timedelta(days=1)
PUBLIC = "drand quicknet round 1234567: 5b3c…"


@pytest.fixture
def entered(town, workspace, owner):
    for n in range(12):
        town.say(town.person(f"Entrant {n}"), f"#WinAMug number {n}", at=START + DAY + n * timedelta(minutes=5))
    return services.add(workspace=workspace, fields=fields(winners_count=3, public_source="drand"), by=owner)


def test_commit_then_draw_publishes_what_the_script_checks(entered, owner, client):
    contest = services.commit(contest=entered, by=owner, now=START)
    seed_hex = decrypt_json(contest.seed_encrypted)["seed"]
    assert contest.commitment and contest.seed_hex == "" and seed_hex not in json.dumps(contest.rules_data)
    page = client.get(reverse("contests:certificate", args=[contest.public_id]))
    assert page.status_code == 200 and contest.commitment.encode() in page.content
    assert seed_hex.encode() not in page.content and b"WinAMug" not in page.content  # rules sealed until the draw
    with pytest.raises(ValidationError):
        services.run_draw(contest=contest, public_value=PUBLIC, source="https://drand", by=owner, now=END - DAY)
    with pytest.raises(ValidationError):
        services.change(contest=contest, fields=fields(winners_count=5), by=owner)

    drawn = services.run_draw(contest=contest, public_value=PUBLIC, source="https://drand", by=owner, now=END + DAY)

    data = drawn.published
    assert data["seed"] == seed_hex and len(data["entries"]) == 12 and len(data["winners"]) == 3
    assert all(passed for _label, passed in verify_draw.verify(json.loads(json.dumps(data))))
    ranked = Entry.objects.filter(contest=drawn, rank__isnull=False).order_by("rank")
    assert [e.key for e in ranked] == [w["key"] for w in data["winners"]]
    assert AuditEvent.objects.filter(verb="contest.drawn", workspace=drawn.workspace).count() == 1
    with pytest.raises(ValidationError):
        services.run_draw(contest=drawn, public_value="again", source="x", by=owner, now=END + 2 * DAY)


def test_the_certificate_needs_no_account_and_shows_no_private_data(entered, owner, client):
    services.commit(contest=entered, by=owner, now=START)
    drawn = services.run_draw(
        contest=Contest.objects.get(pk=entered.pk), public_value=PUBLIC, source="drand", by=owner, now=END + DAY
    )
    page = client.get(reverse("contests:certificate", args=[drawn.public_id]))
    assert page.status_code == 200
    body = page.content.decode()
    for winner in drawn.published["winners"]:
        assert winner["name"] in body
    assert drawn.seed_hex in body and drawn.entries_sha256 in body and "8.24" in body and "commissaire" in body
    assert "#WinAMug number" not in body  # the messages' text is not published, only display names
    published = client.get(reverse("contests:certificate-json", args=[drawn.public_id]))
    assert json.loads(published.content) == drawn.published
    script = client.get(reverse("contests:certificate-script", args=[drawn.public_id]))
    assert script.status_code == 200 and b"def verify(" in script.content
    assert client.get(reverse("contests:certificate", args=["not-" + drawn.public_id[4:]])).status_code == 404


def test_a_draft_has_no_certificate_and_the_commitment_comes_before_the_end(entered, owner, client):
    assert client.get(reverse("contests:certificate", args=[entered.public_id])).status_code == 404
    with pytest.raises(ValidationError):
        services.commit(contest=entered, by=owner, now=END)


def test_the_rules_document_s_hash_is_committed(entered, owner):
    pdf = b"%PDF-1.4\n% the rules\n"
    with pytest.raises(ValidationError):
        services.attach_rules_document(contest=entered, data=b"<html>", by=owner)
    services.attach_rules_document(contest=entered, data=pdf, by=owner)
    contest = services.commit(contest=entered, by=owner, now=START)
    assert contest.rules_data["rules_document_sha256"] == hashlib.sha256(pdf).hexdigest()


def test_winners_are_announced_by_reply_and_tracked(entered, owner, client, workspace):
    services.commit(contest=entered, by=owner, now=START)
    drawn = services.run_draw(contest=entered, public_value=PUBLIC, source="drand", by=owner, now=END + DAY)
    with pytest.raises(ValidationError):
        announce.announce_winners(contest=drawn, text=" ", by=owner)
    conn = Connection.objects.get(pk=drawn.entries.first().message.connection_id)
    Connection.objects.filter(pk=conn.pk).update(config={**conn.config, "fail_replies": "server_error"})
    first = announce.announce_winners(contest=drawn, text="Congratulations, you won a mug!", by=owner)
    assert announce.execute(first.pk) == {"sent": 0, "failed": 3}
    page = client.get(reverse("contests:detail", args=[workspace.slug, drawn.pk]))
    assert page.status_code == 302  # not logged in
    client.force_login(owner)
    page = client.get(reverse("contests:detail", args=[workspace.slug, drawn.pk])).content.decode()
    assert page.count("state-failed") == 3 and "3 failed" in page
    Connection.objects.filter(pk=conn.pk).update(config={k: v for k, v in conn.config.items() if k != "fail_replies"})
    second = announce.announce_winners(contest=drawn, text="Congratulations, you won a mug!", by=owner)
    assert second.total == 3 and announce.execute(second.pk) == {"sent": 3, "failed": 0}
    winners = announce.winners(drawn)
    assert {w.announcement.state for w in winners} == {ReplyState.SENT}
    assert all(w.announcement.in_reply_to_id == w.message_id for w in winners)
    with pytest.raises(ValidationError, match="Nobody is left"):
        announce.announce_winners(contest=drawn, text="Again?", by=owner)
    assert Reply.objects.filter(state=ReplyState.SENT).count() == 3


def test_the_announcement_page_returns_at_once_and_the_worker_replies(
    entered, owner, client, workspace, member_factory, django_capture_on_commit_callbacks
):
    services.commit(contest=entered, by=owner, now=START)
    drawn = services.run_draw(contest=entered, public_value=PUBLIC, source="drand", by=owner, now=END + DAY)
    url = reverse("contests:announce", args=[workspace.slug, drawn.pk])
    client.force_login(member_factory(Role.ANALYST))
    client.post(url, {"text": "You won!", "confirmed": "yes"})
    assert AnnouncementRun.objects.count() == 0  # no publishing rights: nothing started
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(url, {"text": "You won!", "confirmed": "yes"}, follow=True).content.decode()
        client.post(url, {"text": "You won!", "confirmed": "yes"})  # submitted twice: nobody claimed again

    assert Reply.objects.count() == 0  # no network call in the request
    assert "Sending to 3 people…" in page and 'hx-trigger="every 2s"' in page
    assert run_queued(announce_winners_task) == [{"sent": 3, "failed": 0}]
    assert Reply.objects.filter(state=ReplyState.SENT).count() == 3
    progress = client.get(reverse("contests:announce-progress", args=[workspace.slug, drawn.pk])).content.decode()
    assert "3 sent" in progress and "hx-trigger" not in progress


def test_the_demo_contest_is_drawn_and_checks_out(workspace, owner, synced):
    from federe.contests import demo

    demo.load(workspace, owner)
    contest = Contest.objects.get(workspace=workspace)
    assert contest.stage == "drawn" and contest.published["winners"]
    assert all(passed for _label, passed in verify_draw.verify(contest.published))


@pytest.fixture
def posted(monkeypatch):
    """The idempotency keys of the replies the dummy network took, in order."""
    from federe.connectors.dummy.connector import DummyConnector

    keys: list[str] = []
    reply = DummyConnector.reply

    def spy(self, outgoing):
        result = reply(self, outgoing)
        keys.append(outgoing.idempotency_key)
        return result

    monkeypatch.setattr(DummyConnector, "reply", spy)
    return keys


def test_an_announcement_posted_but_not_recorded_is_sent_again_as_the_same_reply(entered, owner, posted, monkeypatch):
    from federe.inbox import services as inbox

    services.commit(contest=entered, by=owner, now=START)
    drawn = services.run_draw(contest=entered, public_value=PUBLIC, source="drand", by=owner, now=END + DAY)

    def lost(*args, **kwargs):
        raise RuntimeError("the database went away after the network took the reply")

    monkeypatch.setattr(inbox, "_record_sent", lost)
    first = announce.announce_winners(contest=drawn, text="You won a mug!", by=owner)
    assert announce.execute(first.pk) == {"sent": 0, "failed": 3}
    assert len(posted) == 3 and all(w.announcement is not None for w in announce.winners(drawn))
    monkeypatch.undo()
    second = announce.announce_winners(contest=drawn, text="You won a mug!", by=owner)
    assert announce.execute(second.pk) == {"sent": 3, "failed": 0}
    assert Reply.objects.count() == 3 and len(set(posted)) == 3  # each winner's one reply, its key kept
