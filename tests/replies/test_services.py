"""Saving, choosing (scope, language) and filling saved replies for a thread; counting their uses when sent."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from federe.accounts.models import Role
from federe.inbox.models import Message
from federe.people.models import Identity
from federe.replies import services
from federe.replies.models import SavedReply
from tests.replies.conftest import last_received, make

pytestmark = pytest.mark.django_db


def test_unknown_variable_is_refused_on_the_body_field(workspace, owner):
    with pytest.raises(ValidationError) as exc:
        make(workspace, owner, "Bad", body="Hi {{author.email}}")
    assert "author.email" in exc.value.message_dict["body"][0]
    assert not SavedReply.objects.exists()


def test_a_channel_of_another_workspace_is_refused(workspace, owner, other_workspace):
    with pytest.raises(ValidationError) as exc:
        make(workspace, owner, "Scoped", connection=other_workspace[2])
    assert "connection" in exc.value.message_dict


def test_an_analyst_cannot_write_saved_replies(workspace, member_factory):
    with pytest.raises(PermissionDenied):
        make(workspace, member_factory(Role.ANALYST), "Hi")


def test_a_channel_scoped_reply_is_not_offered_on_another_channel(workspace, owner, conversation, second_channel):
    everywhere = make(workspace, owner, "Everywhere")
    here = make(workspace, owner, "Here", connection=conversation.connection)
    elsewhere = make(workspace, owner, "Elsewhere", connection=second_channel)
    offered = services.offered(conversation)
    assert everywhere in offered and here in offered and elsewhere not in offered


def test_the_message_s_language_comes_first(workspace, owner, conversation):
    english = make(workspace, owner, "A thanks", language="en")
    french = make(workspace, owner, "B merci", language="fr")
    Message.objects.filter(pk=last_received(conversation).pk).update(language="fr")
    assert services.offered(conversation) == [french, english]
    Message.objects.filter(pk=last_received(conversation).pk).update(language="en")
    assert services.offered(conversation) == [english, french]


def test_search_filters_on_title_folder_and_text(workspace, owner, conversation):
    order = make(workspace, owner, "Order follow-up", folder="Orders")
    make(workspace, owner, "Opening hours", body="We open at 8.")
    assert services.offered(conversation, "order") == [order]


def test_rendering_fills_author_channel_agent_and_answers(workspace, owner, conversation):
    saved = make(
        workspace,
        owner,
        "Order",
        body="Hi {{author.first_name}} ({{author.name}}), order {{ask:order number}} "
        "on {{channel.name}}. {{agent.name}}",
    )
    text = services.render_for(saved, conversation, agent=owner, answers={"order number": " A-12 "})
    assert text == f"Hi Zoé (Zoé Martin), order A-12 on {conversation.connection.name}. owner"


def test_an_unanswered_question_is_refused(workspace, owner, conversation):
    saved = make(workspace, owner, "Order", body="Order {{ask:order number}}")
    with pytest.raises(ValidationError, match="order number"):
        services.render_for(saved, conversation, agent=owner, answers={"order number": "  "})


def test_a_missing_name_falls_back_to_the_handle_then_to_nothing(workspace, owner, conversation):
    saved = make(workspace, owner, "Hi", body="Hello {{author.first_name}}, thanks.")
    author = last_received(conversation).author_id
    Identity.objects.filter(pk=author).update(display_name="", handle="@zozo")
    assert services.render_for(saved, conversation, agent=owner, answers={}) == "Hello zozo, thanks."
    Identity.objects.filter(pk=author).update(display_name="", handle="")
    assert services.render_for(saved, conversation, agent=owner, answers={}) == "Hello, thanks."


def test_usage_counts_go_up_when_the_reply_is_sent_not_when_inserted(client, workspace, owner, conversation):
    first, second = make(workspace, owner, "One"), make(workspace, owner, "Two")
    client.force_login(owner)
    insert = reverse("replies:insert", args=[workspace.slug, conversation.pk, first.pk])
    assert client.get(insert).status_code == 200
    first.refresh_from_db()
    assert first.usage_count == 0
    data = {"body": "Hi Zoé", "in_reply_to": "", "saved_reply": [str(first.pk), str(second.pk), str(first.pk), "x"]}
    response = client.post(reverse("inbox:reply", args=[workspace.slug, conversation.pk]), data)
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.usage_count, second.usage_count) == (1, 1)


def test_a_reply_that_fails_to_send_counts_nothing(client, workspace, owner, conversation):
    saved = make(workspace, owner, "One")
    conn = conversation.connection
    conn.config = {**conn.config, "fail_replies": "server_error"}
    conn.save()
    client.force_login(owner)
    client.post(
        reverse("inbox:reply", args=[workspace.slug, conversation.pk]),
        {"body": "Hi", "in_reply_to": "", "saved_reply": [str(saved.pk)]},
    )
    saved.refresh_from_db()
    assert saved.usage_count == 0


def test_another_workspace_s_saved_reply_is_not_counted(workspace, owner, other_workspace, conversation):
    ws, rival_owner, _conn = other_workspace
    theirs = make(ws, rival_owner, "Theirs")
    assert services.count_used(conversation, [theirs.pk]) == 0


def test_only_saved_replies_offered_on_the_thread_count_when_a_reply_is_sent(
    client, workspace, owner, conversation, second_channel, other_workspace
):
    """The ids come from the form: another channel's saved reply, another workspace's, or a non-ASCII digit
    counts nothing (and "²" is no 500)."""
    everywhere = make(workspace, owner, "Everywhere")
    here = make(workspace, owner, "Here", connection=conversation.connection)
    elsewhere = make(workspace, owner, "Elsewhere", connection=second_channel)
    ws, rival_owner, _conn = other_workspace
    theirs = make(ws, rival_owner, "Theirs")
    client.force_login(owner)
    ids = [str(everywhere.pk), str(here.pk), str(elsewhere.pk), str(theirs.pk), "²", "9" * 30]
    data = {"body": "Hi Zoé", "in_reply_to": "", "saved_reply": ids}
    response = client.post(reverse("inbox:reply", args=[workspace.slug, conversation.pk]), data)
    assert response.status_code == 302
    counts = dict(SavedReply.objects.values_list("title", "usage_count"))
    assert counts == {"Everywhere": 1, "Here": 1, "Elsewhere": 0, "Theirs": 0}
