"""The daily digest without cron: the worker sends it once the user's morning has come, one per user and day at
most — whichever worker, restart or command gets there first — and a failed send leaves no trace to retry."""

from __future__ import annotations

import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from federe.accounts.models import EmailChoice, Role
from federe.core.management.commands import worker
from federe.inbox.models import Conversation
from federe.notifications import digests
from federe.notifications.models import Digest, Kind, Notification
from federe.notifications.services import notify

pytestmark = pytest.mark.django_db

UTC = ZoneInfo("UTC")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def conv(synced):
    return Conversation.objects.filter(connection=synced).order_by("pk").first()


@pytest.fixture
def ines(member_factory, settings):
    settings.FEDERE_DIGEST_HOUR = 8
    user = member_factory(Role.MODERATOR)
    user.username, user.email, user.timezone = "ines", "ines@example.org", "Europe/Paris"
    user.notify_assigned = user.notify_note_mentions = EmailChoice.DIGEST
    user.save()
    return user


def mention(conv, user, text="look"):
    return notify([user], Kind.NOTE_MENTION, workspace=conv.workspace, conversation=conv, params={"excerpt": text})


def test_the_worker_sends_one_digest_a_day_once_the_users_morning_has_come(conv, ines, mailoutbox):
    mention(conv, ines, "first note")
    mention(conv, ines, "second note")
    assert digests.send_digests(at(10, 6, 30), morning_only=True) == 0  # 07:30 in Paris: not yet
    assert digests.send_digests(at(10, 7, 5), morning_only=True) == 1  # 08:05 in Paris
    assert [m.to for m in mailoutbox] == [["ines@example.org"]]
    assert (
        "2 notifications" in mailoutbox[0].subject
        and "first note" in mailoutbox[0].body
        and "second note" in mailoutbox[0].body
    )
    mention(conv, ines, "third note")
    assert digests.send_digests(at(10, 9), morning_only=True) == 0  # today's is sent: tomorrow's will carry it
    assert digests.send_digests(at(10, 22, 30)) == 0  # 23:30 in Paris, still the 10th
    assert len(mailoutbox) == 1
    assert digests.send_digests(at(10, 23, 30), morning_only=True) == 0  # 00:30 on the 11th: night
    assert digests.send_digests(at(11, 7, 0), morning_only=True) == 1
    assert len(mailoutbox) == 2 and "third note" in mailoutbox[1].body and "first note" not in mailoutbox[1].body
    assert list(Digest.objects.order_by("day").values_list("day", flat=True)) == [
        datetime(2026, 3, 10).date(),
        datetime(2026, 3, 11).date(),
    ]


def test_another_workers_digest_of_the_day_means_none_here(conv, ines, mailoutbox):
    mention(conv, ines)
    Digest.objects.create(user=ines, day=datetime(2026, 3, 10).date())  # written by another worker, or before a restart
    assert digests.send_digests(at(10, 9), morning_only=True) == 0
    assert mailoutbox == [] and Notification.objects.get().emailed_at is None  # still for tomorrow's


def test_a_failed_send_records_nothing_and_the_next_round_sends_it(conv, ines, mailoutbox, monkeypatch):
    mention(conv, ines)

    def smtp_down(*args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(digests, "send_mail", smtp_down)
    assert digests.send_digests(at(10, 9), morning_only=True) == 0
    assert not Digest.objects.exists() and Notification.objects.get().emailed_at is None
    monkeypatch.undo()
    assert digests.send_digests(at(10, 9, 1), morning_only=True) == 1 and len(mailoutbox) == 1


def test_one_digest_for_all_of_a_users_workspaces_in_the_users_timezone(conv, ines, other_workspace, mailoutbox):
    from federe.accounts.models import Membership

    ws, _rival_owner, rival_conn = other_workspace
    Membership.objects.create(user=ines, workspace=ws, role=Role.MODERATOR)
    theirs = Conversation.objects.filter(connection=rival_conn).first()
    mention(conv, ines, "here")
    notify([ines], Kind.ASSIGNED, workspace=ws, conversation=theirs)
    ines.timezone = "Asia/Tokyo"  # 16:00 in Tokyo when it is 07:00 UTC
    ines.save()
    assert digests.send_digests(at(10, 7), morning_only=True) == 1
    [mail] = mailoutbox
    assert "2 notifications" in mail.subject
    assert f"== {conv.workspace.name} ==" in mail.body and "== Rival ==" in mail.body
    assert f"/w/rival/inbox/{theirs.pk}/" in mail.body


def test_the_worker_dispatcher_looks_for_due_digests(monkeypatch, db):
    stop = threading.Event()
    calls = []

    def look(**kwargs):
        calls.append(kwargs)
        stop.set()
        return 0

    monkeypatch.setattr(worker, "send_digests", look)
    worker.run_dispatcher(stop, 0.01)
    assert calls == [{"morning_only": True}]
