"""Notifications: the row per user, the e-mail at once / in a digest / never, the bell, the page, marking read,
the words in the reader's language, and another workspace's notifications out of reach."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from federe.accounts.models import EmailChoice, Role
from federe.inbox import notes
from federe.inbox import services as inbox
from federe.inbox.models import Conversation
from federe.notifications import services
from federe.notifications.models import Kind, Notification
from federe.notifications.words import describe

pytestmark = pytest.mark.django_db


def test_a_mention_is_emailed_at_once_in_the_readers_language(
    conv, owner, hana, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notes.add_note(conversation=conv, by=owner, body="@hana can you look?")
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["hana@example.org"]
    assert "vous a mentionné" in mailoutbox[0].subject
    assert f"/w/{conv.workspace.slug}/inbox/{conv.pk}/" in mailoutbox[0].body
    assert Notification.objects.get().emailed_at is not None


def test_assigning_notifies_the_assignee_not_the_one_who_assigns(
    conv, owner, hana, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        inbox.assign(conversation=conv, assignee=owner, by=owner)  # to oneself: nothing
        inbox.assign(conversation=conv, assignee=hana, by=owner)
        inbox.assign(conversation=conv, assignee=hana, by=owner)  # again: already theirs, nothing new
    notified = Notification.objects.get()
    assert (notified.user, notified.kind, notified.actor) == (hana, Kind.ASSIGNED, owner)
    assert len(mailoutbox) == 1


def test_off_sends_no_email_and_digest_waits_for_the_command(
    conv, owner, hana, member_factory, mailoutbox, django_capture_on_commit_callbacks
):
    ines = member_factory(Role.MODERATOR)
    ines.username, ines.email = "ines", "ines@example.org"
    ines.notify_note_mentions = EmailChoice.DIGEST
    ines.save()
    hana.notify_note_mentions = EmailChoice.OFF
    hana.save()
    with django_capture_on_commit_callbacks(execute=True):
        notes.add_note(conversation=conv, by=owner, body="@hana @ines one")
        notes.add_note(conversation=conv, by=owner, body="@hana @ines two")
    assert mailoutbox == [] and Notification.objects.count() == 4
    call_command("notifications", "digest")
    assert [m.to for m in mailoutbox] == [["ines@example.org"]]
    assert "2 notifications" in mailoutbox[0].subject and "one" in mailoutbox[0].body and "two" in mailoutbox[0].body
    call_command("notifications", "digest")  # nothing twice
    assert len(mailoutbox) == 1
    assert Notification.objects.filter(user=hana, emailed_at__isnull=True).count() == 2  # off: in the app only


def test_words_are_made_when_shown_in_the_current_language(conv, owner, hana):
    inbox.assign(conversation=conv, assignee=hana, by=owner)
    notification = Notification.objects.get()
    assert "assigned" not in str(notification.params)
    with translation.override("en"):
        assert describe(notification).startswith("owner assigned")
    with translation.override("fr"):
        assert describe(notification).startswith("owner vous a confié")


def test_bell_page_open_and_mark_all_read(client, conv, owner, hana):
    notes.add_note(conversation=conv, by=owner, body="@hana one")
    inbox.assign(conversation=conv, assignee=hana, by=owner)
    client.force_login(hana)
    slug = conv.workspace.slug
    bell = client.get(reverse("notifications:bell", args=[slug]))
    assert bell.status_code == 200 and "2 notifications non lues" in bell.content.decode()  # hana reads French
    assert 'hx-trigger="every 30s"' in bell.content.decode()
    page = client.get(reverse("notifications:list", args=[slug]))
    assert page.status_code == 200 and "vous a mentionné dans une note" in page.content.decode()
    first = Notification.objects.filter(user=hana).order_by("pk").first()
    opened = client.post(reverse("notifications:open", args=[slug, first.pk]))
    assert opened.status_code == 302 and opened["Location"] == reverse("inbox:thread", args=[slug, conv.pk])
    assert services.unread_count(hana, conv.workspace) == 1
    client.post(reverse("notifications:read-all", args=[slug]))
    assert services.unread_count(hana, conv.workspace) == 0
    client.force_login(owner)  # somebody else's notification: not found
    assert client.post(reverse("notifications:open", args=[slug, first.pk])).status_code == 404


def test_the_top_bar_shows_the_count(client, conv, owner, hana):
    notes.add_note(conversation=conv, by=owner, body="@hana look")
    client.force_login(hana)
    html = client.get(reverse("inbox:list", args=[conv.workspace.slug])).content.decode()
    assert 'class="bell unread"' in html and "1 notification non lue<" in html


def test_another_workspaces_notifications_are_out_of_reach(client, conv, owner, hana, other_workspace):
    ws, rival_owner, rival_conn = other_workspace
    theirs = Conversation.objects.filter(connection=rival_conn).first()
    rival_member = type(rival_owner).objects.create(username="rival-cm")
    from federe.accounts.models import Membership

    Membership.objects.create(user=rival_member, workspace=ws, role=Role.COMMUNITY_MANAGER)
    notes.add_note(conversation=theirs, by=rival_owner, body="@rival-cm and @hana")  # hana is not of that workspace
    assert not Notification.objects.filter(user=hana).exists()
    theirs_notification = Notification.objects.get(user=rival_member)
    client.force_login(owner)
    assert (
        client.post(reverse("notifications:open", args=[conv.workspace.slug, theirs_notification.pk])).status_code
        == 404
    )
    assert client.post(reverse("notifications:open", args=[ws.slug, theirs_notification.pk])).status_code == 404
    assert client.get(reverse("notifications:list", args=[ws.slug])).status_code == 404
    theirs_notification.refresh_from_db()
    assert theirs_notification.read_at is None


def test_an_assignment_whose_caller_emails_sends_no_second_email(
    conv, owner, hana, mailoutbox, django_capture_on_commit_callbacks
):
    """The escalation of a mention e-mails the assignee itself (email_assignee=False): one notification, no mail."""
    with django_capture_on_commit_callbacks(execute=True):
        inbox.assign(conversation=conv, assignee=hana, by=owner, email_assignee=False)
    assert mailoutbox == [] and Notification.objects.filter(user=hana, kind=Kind.ASSIGNED).count() == 1


def test_the_profile_page_saves_each_kinds_email_choice_and_refuses_others(client, owner):
    from tests.accounts.test_profile import FULL

    client.force_login(owner)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert 'name="notify_note_mentions"' in page and 'value="digest"' in page
    response = client.post(
        reverse("accounts:profile"), {**FULL, "notify_note_mentions": "digest", "notify_assigned": "off"}
    )
    assert response.status_code == 302
    owner.refresh_from_db()
    assert (owner.notify_note_mentions, owner.notify_assigned) == (EmailChoice.DIGEST, EmailChoice.OFF)
    refused = client.post(reverse("accounts:profile"), {**FULL, "notify_assigned": "hourly"})
    assert refused.status_code == 422
    owner.refresh_from_db()
    assert owner.notify_assigned == EmailChoice.OFF


def test_the_demo_leaves_notes_whose_mentions_ring_the_demo_users_bell(client, db):
    from federe.accounts.models import User, Workspace
    from federe.core.demo import load_demo
    from federe.inbox.models import InternalNote

    assert load_demo(say=lambda _line: None)
    workspace = Workspace.objects.get(slug="cafe-lumiere")
    user = User.objects.get(username="demo")
    assert InternalNote.objects.filter(workspace=workspace, body__contains="@demo").count() == 2
    mentions = Notification.objects.filter(user=user, workspace=workspace, kind=Kind.NOTE_MENTION)
    assert sorted(n.actor.username for n in mentions) == ["camille", "max"]
    client.force_login(user)
    bell = client.get(reverse("notifications:bell", args=[workspace.slug])).content.decode()
    assert f'class="count">{services.unread_count(user, workspace)}<' in bell
