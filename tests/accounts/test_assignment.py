"""Threads and mentions go only to members who can answer them (Perm.REPLY): in the choices and in the services."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from federe.accounts.models import Role
from federe.accounts.permissions import ROLE_PERMS, Perm
from federe.inbox.models import Conversation, Message
from federe.inbox.services import assign
from federe.listening import services as listening
from federe.listening.models import Mention

pytestmark = pytest.mark.django_db

ANSWERING = [r for r in Role.values if Perm.REPLY in ROLE_PERMS[r]]
READ_ONLY = [r for r in Role.values if Perm.REPLY not in ROLE_PERMS[r]]


def test_the_roles_split_as_expected():
    assert set(READ_ONLY) == {Role.CLIENT, Role.ANALYST}


@pytest.fixture
def team(workspace, owner, member_factory):
    return {role: member_factory(role) for role in Role.values}


@pytest.mark.parametrize("role", READ_ONLY)
def test_a_thread_cannot_be_assigned_to_a_member_who_cannot_answer(synced, owner, team, role):
    conversation = Conversation.objects.filter(connection=synced).first()
    with pytest.raises(ValidationError) as info:
        assign(conversation=conversation, assignee=team[role], by=owner)
    assert "cannot answer" in " ".join(info.value.messages)
    assert Conversation.objects.get(pk=conversation.pk).assignee_id is None


@pytest.mark.parametrize("role", ANSWERING)
def test_a_thread_can_be_assigned_to_a_member_who_can_answer(synced, owner, team, role):
    conversation = Conversation.objects.filter(connection=synced).first()
    assign(conversation=conversation, assignee=team[role], by=owner)
    assert Conversation.objects.get(pk=conversation.pk).assignee_id == team[role].pk


@pytest.fixture
def mention(workspace, owner, synced):
    query = listening.save_query(workspace=workspace, by=owner, name="Brand", kind="brand", text="lang:fr OR lang:en")
    found = Mention.objects.filter(query=query).select_related("message__conversation").first()
    assert found is not None
    return found


def test_a_mention_cannot_be_handed_to_the_read_only_client(owner, team, mention, mailoutbox):
    with pytest.raises(ValidationError):
        listening.escalate(mention=mention, by=owner, assignee=team[Role.CLIENT], note="look")
    assert Conversation.objects.get(pk=mention.message.conversation_id).assignee_id is None
    assert mailoutbox == []


def _choices(html: str, name: str = "assignee") -> set[str]:
    import re

    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select is not None
    return {v for v in re.findall(r'<option value="(\d*)"', select.group(1)) if v}


def test_the_thread_offers_only_members_who_can_answer(client, workspace, synced, owner, team):
    conversation = Conversation.objects.filter(connection=synced).first()
    client.force_login(owner)
    html = client.get(reverse("inbox:thread", args=[workspace.slug, conversation.pk])).content.decode()
    offered = _choices(html)
    assert offered == {str(team[r].pk) for r in ANSWERING} | {str(owner.pk)}


def test_the_mention_offers_only_members_who_can_answer(client, workspace, owner, team, mention):
    client.force_login(owner)
    html = client.get(reverse("listening:query", args=[workspace.slug, mention.query_id])).content.decode()
    offered = _choices(html)
    assert offered == {str(team[r].pk) for r in ANSWERING} | {str(owner.pk)}


def test_posting_the_client_as_assignee_is_refused_with_a_message(client, workspace, synced, owner, team):
    conversation = Conversation.objects.filter(connection=synced).first()
    client.force_login(owner)
    response = client.post(
        reverse("inbox:assign", args=[workspace.slug, conversation.pk]), {"assignee": team[Role.CLIENT].pk}, follow=True
    )
    assert response.status_code == 200
    assert "cannot answer" in response.content.decode()
    assert Conversation.objects.get(pk=conversation.pk).assignee_id is None


def test_a_rule_cannot_assign_to_a_member_who_cannot_answer(workspace, owner, team):
    from federe.moderation import services as moderation

    with pytest.raises(ValidationError) as info:
        moderation.save_rule(
            workspace=workspace,
            by=owner,
            name="To the client",
            match="any",
            conditions=[{"type": "emoji_only"}],
            actions=[{"type": "assign", "username": team[Role.CLIENT].username}],
        )
    assert "actions" in info.value.message_dict


def test_the_rule_form_offers_only_members_who_can_answer(client, workspace, owner, team):
    client.force_login(owner)
    form = client.get(reverse("moderation:rule-new", args=[workspace.slug])).context["form"]
    offered = {value for value, _label in form.fields["assignee"].choices if value}
    assert offered == {team[r].username for r in ANSWERING} | {owner.username}


def test_a_rule_does_not_assign_to_a_member_demoted_since(connection, owner, team, django_capture_on_commit_callbacks):
    from federe.accounts.models import Membership
    from federe.connections.services import sync_connection
    from federe.moderation import services as moderation

    moderator = team[Role.MODERATOR]
    moderation.save_rule(
        workspace=connection.workspace,
        by=owner,
        name="Links",
        match="any",
        conditions=[{"type": "links", "min": 1}],
        actions=[{"type": "assign", "username": moderator.username}],
    )
    Membership.objects.filter(user=moderator, workspace=connection.workspace).update(role=Role.CLIENT)
    connection.config = {**connection.config, "total": 200, "page_size": 200}
    connection.save()
    with django_capture_on_commit_callbacks(execute=True):
        sync_connection(connection.pk)
    assert Message.objects.filter(connection=connection, decisions__action="assign").exists()
    assert not Conversation.objects.filter(workspace=connection.workspace, assignee=moderator).exists()
