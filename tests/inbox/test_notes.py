"""Internal notes on a thread: written, mentions notified, shown interleaved, edited and deleted by their author,
over the UI and /api/v1/notes; bad input refused in words; another workspace's notes are out of reach."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.urls import reverse

from federe.accounts.models import Role
from federe.accounts.services import create_api_token
from federe.inbox import notes
from federe.inbox.models import Conversation, InternalNote
from federe.notifications.models import Kind, Notification

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def conv(synced):
    return Conversation.objects.filter(connection=synced).order_by("pk").first()


@pytest.fixture
def hana(member_factory, user_factory):
    user = member_factory(Role.MODERATOR)
    user.username, user.first_name, user.email = "hana", "Hana", "hana@example.org"
    user.save()
    return user


@pytest.fixture
def logged_in_as(client):
    def log_in(user):
        client.force_login(user)
        return client

    return log_in


def url(conv, name: str, **extra: int) -> str:
    return reverse(name, kwargs={"slug": conv.workspace.slug, "pk": conv.pk, **extra})


def test_a_note_notifies_the_members_it_mentions_never_the_author_nor_a_stranger(
    conv, owner, hana, other_workspace, user_factory
):
    _ws, rival_owner, _c = other_workspace
    outsider = user_factory(username="outsider")
    note = notes.add_note(
        conversation=conv, by=owner, body="@hana and @HANA, @owner, @rival-owner, @outsider, @nobody: look"
    )
    assert list(note.mentions.all()) == [hana]
    assert not Notification.objects.filter(user__in=[rival_owner, outsider, owner]).exists()
    notified = Notification.objects.filter(kind=Kind.NOTE_MENTION)
    assert [(n.user, n.actor, n.conversation, n.workspace) for n in notified] == [(hana, owner, conv, conv.workspace)]
    assert notified.get().params["excerpt"].startswith("@hana and")


def test_a_first_name_mentions_when_only_one_member_has_it(conv, owner, hana, member_factory):
    ines = member_factory(Role.MODERATOR)
    ines.first_name = "Ines"
    ines.save()
    assert notes.mentioned_members(conv.workspace, "thanks @ines.") == [ines]
    twin = member_factory(Role.ANALYST)
    twin.first_name = "Ines"
    twin.save()
    assert notes.mentioned_members(conv.workspace, "thanks @Ines.") == []  # ambiguous: nobody
    assert notes.mentioned_members(conv.workspace, "mail hana@example.org") == []  # not a mention


def test_editing_notifies_only_the_newly_mentioned(conv, owner, hana, member_factory):
    ines = member_factory(Role.COMMUNITY_MANAGER)
    note = notes.add_note(conversation=conv, by=owner, body="@hana first")
    notes.edit_note(note=note, by=owner, body=f"@hana and @{ines.username}")
    assert sorted(n.user.username for n in Notification.objects.all()) == sorted(["hana", ines.username])
    note.refresh_from_db()
    assert note.edited_at is not None and set(note.mentions.all()) == {hana, ines}


def test_only_the_author_changes_or_deletes_a_note(logged_in_as, conv, owner, hana):
    note = notes.add_note(conversation=conv, by=owner, body="mine")
    client = logged_in_as(hana)
    client.post(url(conv, "inbox:note-edit", note_pk=note.pk), {"note": "hijacked"})
    client.post(url(conv, "inbox:note-delete", note_pk=note.pk))
    note.refresh_from_db()
    assert note.body == "mine"
    client = logged_in_as(owner)
    client.post(url(conv, "inbox:note-edit", note_pk=note.pk), {"note": "mine, edited"})
    note.refresh_from_db()
    assert note.body == "mine, edited"
    client.post(url(conv, "inbox:note-delete", note_pk=note.pk))
    assert not InternalNote.objects.exists()


def test_read_only_roles_cannot_write_notes(logged_in_as, conv, member_factory):
    client = logged_in_as(member_factory(Role.CLIENT))
    response = client.post(url(conv, "inbox:note-add"), {"note": "from a client"}, headers=HTMX)
    assert response.status_code == 200 and not InternalNote.objects.exists()
    assert "does not allow" in response.content.decode()


@pytest.mark.parametrize("body", ["", "   ", "x" * (notes.MAX_NOTE_LENGTH + 1)])
def test_bad_notes_are_refused_in_words(logged_in_as, conv, owner, body):
    response = logged_in_as(owner).post(url(conv, "inbox:note-add"), {"note": body}, headers=HTMX)
    assert response.status_code == 200 and not InternalNote.objects.exists()
    assert "Write something" in response.content.decode() or "at most" in response.content.decode()


def test_the_thread_shows_notes_between_messages_marked_not_sent_and_escaped(logged_in_as, conv, owner):
    messages = list(conv.messages.order_by("posted_at"))
    early = notes.add_note(conversation=conv, by=owner, body="<script>alert(1)</script> between")
    InternalNote.objects.filter(pk=early.pk).update(created_at=messages[0].posted_at + timedelta(seconds=1))
    notes.add_note(conversation=conv, by=owner, body="the latest")
    response = logged_in_as(owner).get(url(conv, "inbox:thread"), headers=HTMX)
    html = response.content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; between" in html and "<script>alert(1)" not in html
    assert html.count("Internal note — not sent") == 2
    if len(messages) > 1:  # the early note comes after the first message and before the second
        assert html.index(f'id="m{messages[0].pk}"') < html.index(f'id="note{early.pk}"')
        assert html.index(f'id="note{early.pk}"') < html.index(f'id="m{messages[1].pk}"')
    assert html.index(f'id="m{messages[-1].pk}"') < html.index("the latest")


def test_another_workspaces_note_is_a_404(logged_in_as, conv, owner, other_workspace):
    _ws, rival_owner, rival_conn = other_workspace
    theirs = Conversation.objects.filter(connection=rival_conn).first()
    their_note = notes.add_note(conversation=theirs, by=rival_owner, body="rival's")
    client = logged_in_as(owner)
    for name in ("inbox:note-edit", "inbox:note-delete"):
        assert client.post(url(conv, name, note_pk=their_note.pk), {"note": "x"}).status_code == 404
        assert client.post(url(theirs, name, note_pk=their_note.pk), {"note": "x"}).status_code == 404
    assert client.post(url(theirs, "inbox:note-add"), {"note": "x"}).status_code == 404
    their_note.refresh_from_db()
    assert their_note.body == "rival's" and InternalNote.objects.count() == 1


# --- the API ------------------------------------------------------------------------------------


def test_api_lists_and_creates_notes(client, conv, owner, hana, other_workspace):
    raw = create_api_token(user=owner, workspace=conv.workspace, name="notes")[1]
    headers = {"Authorization": f"Bearer {raw}"}
    made = client.post(
        "/api/v1/notes",
        json.dumps({"conversation_id": conv.pk, "body": "ask @hana"}),
        content_type="application/json",
        headers=headers,
    )
    assert made.status_code == 201 and made.json()["mentions"] == ["hana"]
    assert Notification.objects.filter(user=hana).count() == 1
    listed = client.get(f"/api/v1/notes?conversation={conv.pk}", headers=headers)
    assert [n["body"] for n in listed.json()] == ["ask @hana"]
    _ws, _rival_owner, rival_conn = other_workspace
    theirs = Conversation.objects.filter(connection=rival_conn).first()
    assert client.get(f"/api/v1/notes?conversation={theirs.pk}", headers=headers).status_code == 404
    refused = client.post(
        "/api/v1/notes",
        json.dumps({"conversation_id": theirs.pk, "body": "x"}),
        content_type="application/json",
        headers=headers,
    )
    assert refused.status_code == 404 and not InternalNote.objects.filter(conversation=theirs).exists()
    empty = client.post(
        "/api/v1/notes",
        json.dumps({"conversation_id": conv.pk, "body": ""}),
        content_type="application/json",
        headers=headers,
    )
    assert empty.status_code == 422
