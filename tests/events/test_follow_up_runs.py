"""The follow-up runs in the worker (issue 16): the request claims and enqueues, the task sends and records, a second
request or a second task sends nothing twice, a killed worker is resumed, and the page shows the progress."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from federe.accounts.models import Role
from federe.events import followup, services
from federe.events.models import Event, FollowUp, FollowUpRun, Registration
from federe.events.tasks import send_follow_up_task
from tests.events.conftest import fields
from tests.queued import queued_args, run_queued

pytestmark = pytest.mark.django_db
PEOPLE = ("ana", "bo", "cy")


@pytest.fixture
def ended(workspace, owner):
    event = services.add(workspace=workspace, fields=fields(capacity=None), by=owner)
    for name in PEOPLE:
        services.register_on_page(event=event, name=name.title(), email=f"{name}@example.org", consent=True)
    Event.objects.filter(pk=event.pk).update(
        starts_at=timezone.now() - timedelta(hours=3), ends_at=timezone.now() - timedelta(hours=1)
    )
    event.refresh_from_db()
    return event


def _post(client, workspace, event, capture, text="Dommage !"):
    url = reverse("events:follow-up", args=[workspace.slug, event.pk])
    with capture(execute=True):
        return client.post(url, {"to": "no_show", "text": text, "confirmed": "yes"}, follow=True)


def _progress(client, workspace, event) -> str:
    return client.get(reverse("events:follow-up-progress", args=[workspace.slug, event.pk])).content.decode()


def _outbox() -> list[str]:
    return sorted(address for m in mail.outbox for address in m.to)


def test_the_request_only_claims_and_the_worker_sends(
    client, owner, workspace, ended, django_capture_on_commit_callbacks
):
    client.force_login(owner)
    page = _post(client, workspace, ended, django_capture_on_commit_callbacks).content.decode()

    assert mail.outbox == []  # nothing sent inside the request
    assert set(Registration.objects.values_list("follow_up_state", flat=True)) == {FollowUp.QUEUED}
    run = FollowUpRun.objects.get()
    assert queued_args(send_follow_up_task) == [[run.pk]]
    assert "Sending to 3 people…" in page and 'hx-trigger="every 2s"' in page
    assert "3 remaining" in _progress(client, workspace, ended)

    assert run_queued(send_follow_up_task) == [{"sent": 3, "failed": 0}]

    assert _outbox() == ["ana@example.org", "bo@example.org", "cy@example.org"]
    assert set(Registration.objects.values_list("follow_up_state", flat=True)) == {FollowUp.SENT}
    done = _progress(client, workspace, ended)
    assert "Sent to 3 people" in done and "3 sent" in done and "hx-trigger" not in done


def test_a_second_request_or_task_sends_nothing_twice(
    client, owner, workspace, ended, django_capture_on_commit_callbacks
):
    client.force_login(owner)
    _post(client, workspace, ended, django_capture_on_commit_callbacks)
    again = _post(client, workspace, ended, django_capture_on_commit_callbacks).content.decode()
    assert "Nobody is left to send it to" in again
    assert FollowUpRun.objects.count() == 1 and len(queued_args(send_follow_up_task)) == 1
    run = FollowUpRun.objects.get()

    send_follow_up_task.enqueue(run.pk)  # the same run enqueued twice: one of them sends
    results = run_queued(send_follow_up_task)

    assert results == [{"sent": 3, "failed": 0}, None]
    assert followup.execute(run.pk) is None
    assert _outbox() == ["ana@example.org", "bo@example.org", "cy@example.org"]
    with pytest.raises(ValidationError, match="Nobody is left"):
        followup.send(event=ended, to="no_show", text="Encore ?", by=owner)


def test_a_worker_killed_mid_way_is_resumed_without_sending_twice(
    owner, ended, monkeypatch, django_capture_on_commit_callbacks
):
    run = followup.send(event=ended, to="no_show", text="Merci", by=owner)
    real, calls = followup._by_email, []

    def killed_on_the_second(registration, event, text):
        calls.append(registration.email)
        if len(calls) == 2:
            raise SystemExit("kill -9")  # not an Exception: nothing of the run's own code records it
        return real(registration, event, text)

    monkeypatch.setattr(followup, "_by_email", killed_on_the_second)
    with pytest.raises(SystemExit):
        followup.execute(run.pk)
    monkeypatch.setattr(followup, "_by_email", real)
    states = dict(Registration.objects.values_list("email", "follow_up_state"))
    assert states == {"ana@example.org": "sent", "bo@example.org": "sending", "cy@example.org": "queued"}

    assert followup.execute(run.pk) is None  # its lease still runs: taken for a worker at work
    assert followup.dispatch_abandoned() == []
    FollowUpRun.objects.filter(pk=run.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert followup.dispatch_abandoned() == [run.pk]
    assert run_queued(send_follow_up_task) == [{"sent": 1, "failed": 0}]

    assert _outbox() == ["ana@example.org", "cy@example.org"]  # the one the worker died on is not sent blindly
    bo = Registration.objects.get(email="bo@example.org")
    assert bo.follow_up_state == FollowUp.FAILED and "may have arrived" in bo.follow_up_error
    progress = followup.latest(ended)[1]
    assert progress is not None and (progress.sent, progress.failed, progress.remaining) == (2, 1, 0)
    assert progress.finished and progress.failures == [("Bo", bo.follow_up_error)]

    retry = followup.send(event=ended, to="no_show", text="Merci", by=owner)  # the manager's retry: failed ones
    assert retry.total == 1 and retry.skipped == 2
    followup.execute(retry.pk)
    assert _outbox() == ["ana@example.org", "bo@example.org", "cy@example.org"]


def _refuse_bo(subject, text, sender, to, **kwargs):
    if to == ["bo@example.org"]:
        raise OSError("550 mailbox unavailable")
    mail.outbox.append(mail.EmailMessage(subject, text, sender, to))
    return 1


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", ["2 sent", "1 failed", "The mail server did not accept the message.", "Sending again tries"]),
        ("fr", ["2 envois réussis", "1 échec", "Le serveur de messagerie", "Envoyer à nouveau ne tente"]),
    ],
)
def test_the_outcome_names_each_failure_in_french_and_english(
    client, owner, workspace, ended, monkeypatch, language, words
):
    owner.language = language
    owner.save(update_fields=["language"])
    monkeypatch.setattr(followup, "send_mail", _refuse_bo)
    run = followup.send(event=ended, to="no_show", text="Merci", by=owner)
    client.force_login(owner)
    running = _progress(client, workspace, ended)
    assert ("Envoi à 3 personnes…" if language == "fr" else "Sending to 3 people…") in running
    assert ("3 restants" if language == "fr" else "3 remaining") in running

    followup.execute(run.pk)

    page = _progress(client, workspace, ended)
    for expected in words:
        assert expected in page
    assert "Bo:" in page or "Bo :" in page


def test_a_member_without_publish_rights_cannot_start_it(client, member_factory, workspace, ended):
    analyst = member_factory(Role.ANALYST)
    client.force_login(analyst)
    url = reverse("events:follow-up", args=[workspace.slug, ended.pk])
    client.post(url, {"to": "no_show", "text": "Hello", "confirmed": "yes"})
    assert FollowUpRun.objects.count() == 0 and queued_args(send_follow_up_task) == []
    assert set(Registration.objects.values_list("follow_up_state", flat=True)) == {""}


def test_another_workspace_event_is_not_found(client, other_workspace, workspace, ended):
    _ws, rival, _conn = other_workspace
    client.force_login(rival)
    for name in ("events:follow-up", "events:follow-up-progress"):
        url = reverse(name, args=["rival", ended.pk])
        answer = (
            client.post(url, {"to": "no_show", "text": "x", "confirmed": "yes"})
            if name == "events:follow-up"
            else client.get(url)
        )
        assert answer.status_code == 404
    assert FollowUpRun.objects.count() == 0


def test_a_run_claims_nobody_twice_at_the_row_level(owner, ended):
    """Two runs for one event never hold one person: the claim's condition is on the row itself."""
    first = followup.send(event=ended, to="no_show", text="A", by=owner)
    ids = list(Registration.objects.values_list("pk", flat=True))
    with pytest.raises(ValidationError, match="Nobody is left"):
        followup.KIND.start(
            ids, skipped=0, workspace=ended.workspace, event=ended, audience="no_show", text="B", by=owner
        )
    assert first.total == 3 and FollowUpRun.objects.count() == 1


def test_a_title_on_several_lines_is_refused_and_one_stored_earlier_still_mails(
    client, owner, workspace, ended, django_capture_on_commit_callbacks
):
    """A line break in a mail's subject is refused by Django (header injection): every e-mail of the follow-up failed
    (before the worker, the page was a 500). Titles are one line now; one stored before is sent on one line."""
    with pytest.raises(ValidationError) as refused:
        services.add(workspace=workspace, fields=fields(title="Meetup\nBcc: x@evil.example"), by=owner)
    assert "title" in refused.value.message_dict
    Event.objects.filter(pk=ended.pk).update(title="Meetup\nBcc: x@evil.example")
    client.force_login(owner)
    _post(client, workspace, ended, django_capture_on_commit_callbacks)
    assert run_queued(send_follow_up_task) == [{"sent": 3, "failed": 0}]
    assert {m.subject for m in mail.outbox} == {"Meetup Bcc: x@evil.example"} and len(mail.outbox) == 3


def test_a_slow_worker_taken_over_stops_and_its_late_success_is_recorded(
    owner, ended, monkeypatch, django_capture_on_commit_callbacks
):
    """A send that outlived the lease (an SMTP server hanging): the dispatcher queued the run again and another
    worker took it, marking the person in flight "may have arrived". The slow worker's success is then recorded
    (no resend to someone who got it), and the slow worker stops instead of sending beside the new one."""
    run = followup.send(event=ended, to="no_show", text="Merci", by=owner)
    real, calls = followup._by_email, []

    def hangs_on_the_first(registration, event, text):
        calls.append(registration.email)
        if len(calls) == 1:  # meanwhile: the lease lapses, the run is queued again and taken by another worker
            FollowUpRun.objects.filter(pk=run.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
            with django_capture_on_commit_callbacks(execute=False):
                assert followup.dispatch_abandoned() == [run.pk]
            monkeypatch.setattr(followup, "_by_email", real)
            assert followup.execute(run.pk) == {"sent": 2, "failed": 0}
        return real(registration, event, text)

    monkeypatch.setattr(followup, "_by_email", hangs_on_the_first)
    followup.execute(run.pk)
    assert _outbox() == ["ana@example.org", "bo@example.org", "cy@example.org"]  # each once
    states = dict(Registration.objects.values_list("email", "follow_up_state"))
    assert states == {"ana@example.org": "sent", "bo@example.org": "sent", "cy@example.org": "sent"}


def test_a_follow_up_reply_posted_but_not_recorded_is_sent_again_as_the_same_reply(town, owner, ended, monkeypatch):
    from federe.connectors.dummy.connector import DummyConnector
    from federe.inbox import services as inbox
    from federe.inbox.models import Reply

    said = town.say(town.person("Dee"), "I'll come", at=timezone.now() - timedelta(days=2))
    Registration.objects.create(event=ended, key="dee", name="Dee", message=said, source="message")
    keys: list[str] = []
    reply = DummyConnector.reply

    def spy(self, outgoing):
        keys.append(outgoing.idempotency_key)
        return reply(self, outgoing)

    def lost(*args, **kwargs):
        raise RuntimeError("the database went away after the network took the reply")

    monkeypatch.setattr(DummyConnector, "reply", spy)
    with monkeypatch.context() as patched:
        patched.setattr(inbox, "_record_sent", lost)
        first = followup.send(event=ended, to="no_show", text="Dommage !", by=owner)
        assert followup.execute(first.pk) == {"sent": 3, "failed": 1}
    second = followup.send(event=ended, to="no_show", text="Dommage !", by=owner)
    assert followup.execute(second.pk) == {"sent": 1, "failed": 0}
    assert len(keys) == 2 and len(set(keys)) == 1 and Reply.objects.count() == 1
    assert Registration.objects.get(key="dee").followed_up.state == "sent"


def test_a_follow_up_asked_by_someone_who_left_fails_in_words(town, member_factory, workspace, ended, caplog):
    """The worker replies as the person who asked; when they may no longer reply (removed, or their role lowered)
    before it runs, each reply fails with a reason the team can act on, and no traceback is logged."""
    from federe.accounts.models import Membership

    said = town.say(town.person("Dee"), "I'll come", at=timezone.now() - timedelta(days=2))
    Registration.objects.create(event=ended, key="dee", name="Dee", message=said, source="message")
    editor = member_factory(Role.COMMUNITY_MANAGER)
    run = followup.send(event=ended, to="no_show", text="Dommage !", by=editor)
    Membership.objects.filter(user=editor, workspace=workspace).delete()

    assert followup.execute(run.pk) == {"sent": 3, "failed": 1}  # the e-mails go; the reply cannot

    dee = Registration.objects.get(key="dee")
    assert dee.follow_up_state == FollowUp.FAILED
    assert "no longer allowed to reply in this workspace" in dee.follow_up_error
    assert "Traceback" not in caplog.text and "unexpected" not in dee.follow_up_error
