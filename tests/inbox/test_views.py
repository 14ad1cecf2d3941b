"""The inbox in the browser, through the Django test client: list, filters, thread, reply, assign, status."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from federe.accounts.models import Role
from federe.connections.models import Connection
from federe.connections.services import sync_connection
from federe.core.models import AuditEvent
from federe.inbox.models import Conversation, ConversationStatus, Direction, Message, Reply, ReplyState

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def logged_in(client, owner):
    client.force_login(owner)
    return client


@pytest.fixture
def two_channels(synced, workspace):
    """The synced blog, a second synced channel, one held message and one closed conversation."""
    forum = Connection.objects.create(
        workspace=workspace, network="dummy", name="Acme forum", config={**synced.config, "seed": 3, "total": 30}
    )
    sync_connection(forum.pk)
    held = Message.objects.filter(connection=synced).order_by("posted_at")[6]
    Message.objects.filter(pk=held.pk).update(network_status="held")
    closed = Conversation.objects.filter(connection=forum).order_by("pk").first()
    Conversation.objects.filter(pk=closed.pk).update(status=ConversationStatus.CLOSED)
    return {"blog": synced, "forum": forum, "held": held, "closed": closed}


def conversation_of(connection) -> Conversation:
    return Conversation.objects.filter(connection=connection).order_by("pk").first()


def listed(response) -> set[int]:
    """Every conversation the filters let through, on all pages."""
    assert response.status_code == 200
    page = response.context["page"]
    shown = {c.pk for c in page.object_list}
    everything = {c.pk for c in page.paginator.object_list}
    assert shown <= everything and len(shown) == min(len(everything), page.paginator.per_page)
    return everything


def inbox_url(workspace) -> str:
    return reverse("inbox:list", args=[workspace.slug])


def thread_url(conv, name: str = "inbox:thread", **extra: int) -> str:
    return reverse(name, kwargs={"slug": conv.workspace.slug, "pk": conv.pk, **extra})


# --- the list -------------------------------------------------------------------------------------


def test_login_is_required(client, workspace, synced):
    response = client.get(inbox_url(workspace))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    conv = conversation_of(synced)
    response = client.post(thread_url(conv, "inbox:reply"), {"body": "hi"})
    assert response.status_code == 302 and Reply.objects.count() == 0


def test_inbox_lists_every_conversation_newest_first(logged_in, workspace, two_channels):
    response = logged_in.get(inbox_url(workspace))
    page = response.context["page"]
    everything = Conversation.objects.filter(workspace=workspace)
    assert page.paginator.count == everything.count()
    expected = list(everything.order_by("-last_message_at", "-id").values_list("pk", flat=True))[:40]
    assert [c.pk for c in page.object_list] == expected
    html = response.content.decode()
    assert [int(pk) for pk in re.findall(r'data-conversation="(\d+)"', html)] == expected
    assert "inbox/inbox.html" in [t.name for t in response.templates]


def test_filter_by_channel(logged_in, workspace, two_channels):
    forum = two_channels["forum"]
    response = logged_in.get(inbox_url(workspace), {"channel": forum.pk})
    assert listed(response) == set(Conversation.objects.filter(connection=forum).values_list("pk", flat=True))
    assert response.context["filters"].connection == forum.pk
    assert f'<option value="{forum.pk}" selected>' in response.content.decode()


def test_filter_by_status(logged_in, workspace, two_channels):
    assert listed(logged_in.get(inbox_url(workspace), {"status": "closed"})) == {two_channels["closed"].pk}
    new = listed(logged_in.get(inbox_url(workspace), {"status": "new"}))
    assert two_channels["closed"].pk not in new
    assert new == set(Conversation.objects.filter(workspace=workspace, status="new").values_list("pk", flat=True))


def test_filter_by_language(logged_in, workspace, two_channels):
    for language in ("fr", "en"):
        expected = set(Conversation.objects.filter(workspace=workspace, language=language).values_list("pk", flat=True))
        assert expected
        response = logged_in.get(inbox_url(workspace), {"language": language})
        assert listed(response) == expected
        assert {c.language for c in response.context["page"].object_list} == {language}


def test_filter_held(logged_in, workspace, two_channels):
    held_conversations = set(
        Conversation.objects.filter(workspace=workspace, messages__network_status="held").values_list("pk", flat=True)
    )
    assert two_channels["held"].conversation_id in held_conversations
    response = logged_in.get(inbox_url(workspace), {"held": "1"})
    assert listed(response) == held_conversations
    assert response.context["page"].paginator.count == len(held_conversations)


def test_filters_combine_and_unknown_values_are_ignored(logged_in, workspace, two_channels):
    forum = two_channels["forum"]
    both = listed(logged_in.get(inbox_url(workspace), {"channel": forum.pk, "status": "closed"}))
    assert both == {two_channels["closed"].pk}
    nothing = logged_in.get(inbox_url(workspace), {"channel": two_channels["blog"].pk, "status": "closed"})
    assert listed(nothing) == set() and "No conversation matches these filters." in nothing.content.decode()
    everything = logged_in.get(inbox_url(workspace), {"status": "bogus", "language": "xx", "channel": "abc"})
    assert everything.context["page"].paginator.count == Conversation.objects.filter(workspace=workspace).count()


def test_the_list_alone_for_htmx(logged_in, workspace, two_channels):
    response = logged_in.get(
        inbox_url(workspace), {"status": "closed"}, headers={**HTMX, "HX-Target": "conversation-list"}
    )
    assert response.status_code == 200
    names = [t.name for t in response.templates]
    assert "inbox/_list.html" in names and "inbox/inbox.html" not in names and "base.html" not in names
    assert listed(response) == {two_channels["closed"].pk}


# --- a thread -------------------------------------------------------------------------------------


def test_open_a_thread_as_a_full_page(logged_in, synced):
    conv = conversation_of(synced)
    response = logged_in.get(thread_url(conv))
    assert response.status_code == 200
    names = [t.name for t in response.templates]
    assert "inbox/inbox.html" in names and "inbox/_thread.html" in names and "base.html" in names
    assert response.context["conversation"] == conv
    assert [m.pk for m in response.context["thread"]] == list(
        conv.messages.order_by("posted_at", "id").values_list("pk", flat=True)
    )
    html = response.content.decode()
    assert "<html" in html and f'data-conversation-id="{conv.pk}"' in html
    for message in conv.messages.all():
        assert f'id="m{message.pk}"' in html
    assert 'aria-current="true"' in html  # the open conversation is marked in the list


def test_open_a_thread_with_htmx_returns_the_partial(logged_in, synced):
    conv = conversation_of(synced)
    response = logged_in.get(thread_url(conv), headers=HTMX)
    assert response.status_code == 200
    names = [t.name for t in response.templates]
    assert "inbox/_thread.html" in names and "inbox/inbox.html" not in names and "base.html" not in names
    html = response.content.decode()
    assert "<html" not in html and f'data-conversation-id="{conv.pk}"' in html
    assert reverse("inbox:reply", args=[conv.workspace.slug, conv.pk]) in html
    first = conv.messages.order_by("posted_at", "id").first()
    assert f'id="m{first.pk}"' in html


def test_unknown_thread_is_404(logged_in, workspace, synced):
    missing = Conversation.objects.order_by("-pk").first().pk + 100
    assert logged_in.get(reverse("inbox:thread", args=[workspace.slug, missing])).status_code == 404


def test_a_client_sees_the_thread_without_the_reply_and_assign_forms(client, workspace, synced, member_factory):
    client.force_login(member_factory(Role.CLIENT))
    conv = conversation_of(synced)
    response = client.get(thread_url(conv), headers=HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("inbox:reply", args=[conv.workspace.slug, conv.pk]) not in html
    assert reverse("inbox:assign", args=[conv.workspace.slug, conv.pk]) not in html
    # and posting anyway sends nothing
    response = client.post(thread_url(conv, "inbox:reply"), {"body": "sneaky"}, headers=HTMX)
    assert response.status_code == 200 and Reply.objects.count() == 0
    for name, data in (("inbox:status", {"status": "closed"}), ("inbox:assign", {"assignee": ""})):
        response = client.post(thread_url(conv, name), data, headers=HTMX)
        assert response.status_code == 200 and "does not allow this" in response.content.decode()
    conv.refresh_from_db()
    assert conv.status == ConversationStatus.NEW


def test_a_refused_reply_says_why(client, workspace, synced, member_factory):
    client.force_login(member_factory(Role.CLIENT))
    response = client.post(thread_url(conversation_of(synced), "inbox:reply"), {"body": "sneaky"}, headers=HTMX)
    assert "does not allow this" in response.content.decode()


# --- replying -------------------------------------------------------------------------------------


def test_reply_is_sent_and_appears_in_the_thread(logged_in, synced, owner):
    conv = conversation_of(synced)
    parent = conv.messages.order_by("posted_at").last()
    response = logged_in.post(
        thread_url(conv, "inbox:reply"), {"body": "Merci, on regarde ça.", "in_reply_to": parent.pk}
    )
    assert response.status_code == 302 and response["Location"] == thread_url(conv)

    reply = Reply.objects.get()
    assert reply.state == ReplyState.SENT and reply.author == owner and reply.in_reply_to == parent
    sent = reply.sent_message
    assert sent.direction == Direction.OUTBOUND and sent.conversation == conv and sent.sent_by == owner
    conv.refresh_from_db()
    assert conv.status == ConversationStatus.ANSWERED
    event = AuditEvent.objects.get(verb="reply.sent")
    assert event.actor == owner and event.object_id == str(conv.pk) and event.details["reply"] == reply.pk

    page = logged_in.get(response["Location"])
    html = page.content.decode()
    assert f'id="m{sent.pk}"' in html and "Merci, on regarde ça." in html
    assert "sent from Fédère" in html
    assert f"Reply sent on {synced.name}." in html  # the flash message


def test_reply_with_htmx_returns_the_updated_thread(logged_in, synced):
    conv = conversation_of(synced)
    response = logged_in.post(thread_url(conv, "inbox:reply"), {"body": "Thanks!"}, headers=HTMX)
    assert response.status_code == 200
    assert "inbox/_thread.html" in [t.name for t in response.templates]
    assert response["HX-Trigger"] == "inbox-changed"
    sent = Reply.objects.get().sent_message
    html = response.content.decode()
    assert f'id="m{sent.pk}"' in html and "Thanks!" in html
    assert response.context["conversation"].status == ConversationStatus.ANSWERED


def test_a_failed_reply_shows_its_error_and_a_retry_form_and_keeps_the_text(logged_in, synced):
    Connection.objects.filter(pk=synced.pk).update(config={**synced.config, "fail_replies": "server_error"})
    conv = conversation_of(synced)
    before = Message.objects.count()
    response = logged_in.post(thread_url(conv, "inbox:reply"), {"body": "Nous regardons cela."}, follow=True)
    assert response.status_code == 200
    reply = Reply.objects.get()
    assert reply.state == ReplyState.FAILED and "internal error (HTTP 500)" in reply.error
    assert Message.objects.count() == before
    html = response.content.decode()
    assert "The reply could not be sent" in html
    assert "internal error (HTTP 500)" in html
    retry_url = reverse("inbox:retry", args=[conv.workspace.slug, conv.pk, reply.pk])
    assert f'action="{retry_url}"' in html
    assert re.search(r"<textarea name=\"body\"[^>]*>Nous regardons cela\.</textarea>", html)
    conv.refresh_from_db()
    assert conv.status == ConversationStatus.NEW
    assert AuditEvent.objects.filter(verb="reply.failed").count() == 1
    assert not AuditEvent.objects.filter(verb="reply.sent").exists()

    # the network recovers: retrying with an edited text sends it and clears the draft
    Connection.objects.filter(pk=synced.pk).update(config=synced.config)
    response = logged_in.post(retry_url, {"body": "Nous regardons cela, merci."}, headers=HTMX)
    assert response.status_code == 200
    reply.refresh_from_db()
    assert reply.state == ReplyState.SENT and reply.attempts == 2 and reply.error == ""
    assert reply.sent_message.body_text == "Nous regardons cela, merci."
    html = response.content.decode()
    assert retry_url not in html and "Nous regardons cela, merci." in html


@pytest.mark.parametrize("body", ["", "   \n  "])
def test_an_empty_reply_shows_a_form_error_and_sends_nothing(logged_in, synced, body):
    conv = conversation_of(synced)
    before = Message.objects.count()
    response = logged_in.post(thread_url(conv, "inbox:reply"), {"body": body}, headers=HTMX)
    assert response.status_code == 200
    assert response.context["form"].errors["body"] == ["Write something before sending."]
    assert "Write something before sending." in response.content.decode()
    assert Reply.objects.count() == 0 and Message.objects.count() == before
    conv.refresh_from_db()
    assert conv.status == ConversationStatus.NEW


def test_an_empty_reply_without_htmx_shows_the_error_too(logged_in, synced):
    conv = conversation_of(synced)
    response = logged_in.post(thread_url(conv, "inbox:reply"), {"body": ""}, follow=True)
    assert "Write something before sending." in response.content.decode()


def test_a_reply_too_long_is_refused(logged_in, synced):
    conv = conversation_of(synced)
    response = logged_in.post(thread_url(conv, "inbox:reply"), {"body": "x" * 10_001}, headers=HTMX)
    assert response.status_code == 200 and response.context["form"].errors.get("body")
    assert Reply.objects.count() == 0


# --- assigning and status -------------------------------------------------------------------------


def test_assign_and_unassign(logged_in, synced, member_factory, owner):
    cm = member_factory(Role.COMMUNITY_MANAGER)
    conv = conversation_of(synced)
    response = logged_in.post(thread_url(conv, "inbox:assign"), {"assignee": cm.pk}, headers=HTMX)
    assert response.status_code == 200
    conv.refresh_from_db()
    assert conv.assignee == cm and conv.status == ConversationStatus.ASSIGNED
    assert f"assigned to {cm.username}" in response.content.decode()
    event = AuditEvent.objects.get(verb="conversation.assigned")
    assert event.actor == owner and event.details == {"assignee": cm.username}

    response = logged_in.post(thread_url(conv, "inbox:assign"), {"assignee": ""})
    assert response.status_code == 302
    conv.refresh_from_db()
    assert conv.assignee is None and conv.status == ConversationStatus.NEW


def test_assign_someone_outside_the_workspace_changes_nothing(logged_in, synced, user_factory):
    stranger = user_factory()
    conv = conversation_of(synced)
    response = logged_in.post(thread_url(conv, "inbox:assign"), {"assignee": stranger.pk}, headers=HTMX)
    assert response.status_code == 200
    assert "This person is not a member of the workspace." in response.content.decode()
    conv.refresh_from_db()
    assert conv.assignee is None and not AuditEvent.objects.filter(verb="conversation.assigned").exists()


def test_change_status(logged_in, synced, owner):
    conv = conversation_of(synced)
    response = logged_in.post(thread_url(conv, "inbox:status"), {"status": "closed"}, headers=HTMX)
    assert response.status_code == 200
    conv.refresh_from_db()
    assert conv.status == ConversationStatus.CLOSED
    assert 'value="closed" type="submit" aria-pressed="true"' in response.content.decode()
    event = AuditEvent.objects.get(verb="conversation.status_changed")
    assert event.actor == owner and event.details == {"from": "new", "to": "closed"}

    response = logged_in.post(thread_url(conv, "inbox:status"), {"status": "answered"})
    assert response.status_code == 302
    conv.refresh_from_db()
    assert conv.status == ConversationStatus.ANSWERED


def test_an_unknown_status_changes_nothing(logged_in, synced):
    conv = conversation_of(synced)
    response = logged_in.post(thread_url(conv, "inbox:status"), {"status": "archived"}, headers=HTMX)
    assert response.status_code == 200 and "Unknown status." in response.content.decode()
    conv.refresh_from_db()
    assert conv.status == ConversationStatus.NEW
    assert not AuditEvent.objects.filter(verb="conversation.status_changed").exists()


def test_actions_are_post_only(logged_in, synced):
    conv = conversation_of(synced)
    for name in ("inbox:reply", "inbox:status", "inbox:assign"):
        assert logged_in.get(thread_url(conv, name)).status_code == 405


# --- CSRF -----------------------------------------------------------------------------------------


def test_a_post_without_csrf_token_is_refused(owner, synced):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(owner)
    conv = conversation_of(synced)
    for name, data in (
        ("inbox:reply", {"body": "forged"}),
        ("inbox:status", {"status": "closed"}),
        ("inbox:assign", {"assignee": owner.pk}),
    ):
        response = browser.post(thread_url(conv, name), data)
        assert response.status_code == 403, name
        response = browser.post(thread_url(conv, name), data, headers=HTMX)
        assert response.status_code == 403, name
    assert Reply.objects.count() == 0
    conv.refresh_from_db()
    assert conv.status == ConversationStatus.NEW and conv.assignee is None


def test_a_post_with_the_page_s_csrf_token_is_accepted(owner, synced):
    """Control for the test above: the same client with the token it was given succeeds."""
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(owner)
    conv = conversation_of(synced)
    page = browser.get(thread_url(conv))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    response = browser.post(thread_url(conv, "inbox:reply"), {"body": "genuine", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert Reply.objects.get().state == ReplyState.SENT


def test_a_double_submitted_reply_form_says_it_was_already_posted(logged_in, synced):
    synced.config = {**synced.config, "same_reply_same_id": True}
    synced.save()
    conv = conversation_of(synced)
    assert logged_in.post(thread_url(conv, "inbox:reply"), {"body": "Merci !"}, headers=HTMX).status_code == 200
    response = logged_in.post(thread_url(conv, "inbox:reply"), {"body": "Merci !"}, headers=HTMX)
    assert response.status_code == 200
    first = Reply.objects.get(state=ReplyState.SENT)
    assert f"already posted on the channel (reply {first.pk})" in response.content.decode()
    assert not Reply.objects.filter(state=ReplyState.SENDING).exists()
    assert Message.objects.filter(direction=Direction.OUTBOUND).count() == 1
