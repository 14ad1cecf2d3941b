"""Every channel offers its own network's moderation actions, and no other: in the queue, on the thread page, in the
rule editor, in the API; a rule asking for an action a channel lacks says so and sends nothing."""

from __future__ import annotations

import pytest
from django.utils import translation

from federe.accounts.services import create_api_token
from federe.connections.services import sync_connection
from federe.connectors import registry
from federe.connectors.types import ActionKind
from federe.inbox.models import Message
from federe.moderation import actions, services
from federe.moderation.effects import network_effect
from federe.moderation.models import Decision, NetworkState, Rule, Verdict
from tests.factories import ConnectionFactory
from tests.moderation.lesser import LesserConnector

pytestmark = pytest.mark.django_db


@pytest.fixture
def lesser(workspace):
    registry.discover()
    registry.register(LesserConnector)
    LesserConnector.asked.clear()
    connection = ConnectionFactory(workspace=workspace, network="lesser", name="Lesser room")
    assert sync_connection(connection.pk, worker_id="test").run.error == ""
    yield connection
    registry.unregister("lesser")


def pending(connection, n=2) -> list[Message]:
    ids = list(Message.objects.filter(connection=connection, network_status="published").values_list("pk", flat=True))
    Message.objects.filter(pk__in=ids[:n]).update(review="pending")
    return list(Message.objects.filter(pk__in=ids[:n]).select_related("connection", "author", "conversation"))


def test_every_action_kind_is_a_verdict_labelled_in_both_languages():
    assert set(Verdict.values) == {kind.value for kind in ActionKind}
    for verdict in Verdict:
        english = str(verdict.label)
        with translation.override("fr"):
            assert str(verdict.label) != english or verdict == Verdict.SPAM, verdict  # "Spam" in French too


def test_a_channel_offers_its_networks_actions_only(lesser, synced):
    assert actions.offered(lesser) == [
        Verdict.APPROVE,  # 'keep': Lesser cannot approve, a public message stays as it is
        Verdict.REMOVE,
        Verdict.REJECT,
        Verdict.BAN,
        Verdict.KICK,
        Verdict.CLOSE,
    ]
    dummy = set(actions.offered(synced))
    assert Verdict.APPROVE in dummy and Verdict.CLOSE not in dummy and Verdict.KICK not in dummy


def test_the_queue_shows_each_message_its_channels_actions(client, owner, workspace, lesser, synced):
    mine, theirs = pending(lesser, 1)[0], pending(synced, 1)[0]
    client.force_login(owner)
    page = client.get(f"/w/{workspace.slug}/moderation/").content.decode()
    card = page.split(f'data-id="{mine.pk}"', 1)[1].split('class="qitem"', 1)[0]
    assert 'value="kick"' in card and 'value="close"' in card and 'value="reject"' in card
    assert 'value="spam"' not in card and "Keep" in card
    other = page.split(f'data-id="{theirs.pk}"', 1)[1].split('class="qitem"', 1)[0]
    assert 'value="approve"' in other and 'value="kick"' not in other
    # The bulk bar offers what every message of the page can take, and asks nothing it cannot undo.
    bulk = page.split('id="bulk-form"', 1)[1].split("</form>", 1)[0]
    assert 'value="remove"' in bulk and 'value="spam"' not in bulk and 'value="ban"' not in bulk


def test_an_action_the_channel_lacks_is_refused_and_nothing_is_decided(client, owner, workspace, lesser):
    message = pending(lesser, 1)[0]
    client.force_login(owner)
    response = client.post(
        f"/w/{workspace.slug}/moderation/decide/", {"ids": [message.pk], "action": "spam"}, HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert response.status_code == 400
    assert "Lesser ne peut pas marquer un message comme indésirable." in response.content.decode()
    assert not Decision.objects.exists() and not LesserConnector.asked
    assert Message.objects.get(pk=message.pk).review == "pending"


def test_the_api_refuses_an_action_the_channel_lacks(client, owner, workspace, lesser):
    message = pending(lesser, 1)[0]
    _token, raw = create_api_token(user=owner, workspace=workspace, name="t")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    body = {"message_ids": [message.pk], "action": "spam"}
    response = client.post("/api/v1/moderation/decisions", body, content_type="application/json", **auth)
    assert response.status_code == 422
    assert response.json()["error"]["message"] == "Lesser cannot mark a message as spam."
    assert not Decision.objects.exists()
    channels = {c["id"]: c for c in client.get("/api/v1/connections", **auth).json()}
    assert channels[lesser.pk]["actions"] == ["approve", "remove", "reject", "ban", "kick", "close"]


def test_a_ban_names_the_author_and_the_thread_and_asks_first(client, owner, workspace, lesser):
    message = pending(lesser, 1)[0]
    client.force_login(owner)
    url = f"/w/{workspace.slug}/moderation/decide/"
    response = client.post(url, {"ids": [message.pk], "action": "kick"})
    assert response.status_code == 400 and "Confirm" in response.content.decode()
    assert not LesserConnector.asked
    client.post(url, {"ids": [message.pk], "action": "ban", "confirmed": "yes"})
    (asked,) = LesserConnector.asked
    assert asked.kind == ActionKind.BAN and asked.external_id == message.external_id
    assert asked.author_id == message.author.external_id and asked.author_id
    assert asked.thread_id == message.conversation.external_id and asked.thread_id
    assert Decision.objects.get(message=message).network_state == NetworkState.DONE


def test_reject_needs_a_reason_which_goes_to_the_network(client, owner, workspace, lesser):
    message = pending(lesser, 1)[0]
    client.force_login(owner)
    url = f"/w/{workspace.slug}/moderation/decide/"
    refused = client.post(url, {"ids": [message.pk], "action": "reject", "confirmed": "yes", "reason": " "})
    assert refused.status_code == 400 and "the reason is sent to the author" in refused.content.decode()
    assert not Decision.objects.exists()
    client.post(url, {"ids": [message.pk], "action": "reject", "confirmed": "yes", "reason": "Off topic here"})
    (asked,) = LesserConnector.asked
    assert asked.kind == ActionKind.REJECT and asked.reason == "Off topic here"
    assert Message.objects.get(pk=message.pk).network_status == "removed"


def test_a_rule_action_a_channel_lacks_says_so_and_sends_nothing(workspace, owner, lesser, synced):
    rule = services.save_rule(
        workspace=workspace,
        by=owner,
        name="Close long threads",
        match="any",
        conditions=[{"type": "length", "max": 1}],
        actions=[{"type": "close"}],
    )
    Rule.objects.filter(pk=rule.pk).update(enabled=True)
    theirs = list(Message.objects.filter(connection=synced).select_related("connection", "conversation")[:2])
    decisions = services.moderate_new_messages(synced, theirs)
    assert {d.network_state for d in decisions} == {NetworkState.UNSUPPORTED}
    assert {d.network_detail for d in decisions} == {"Demo network cannot close a thread."}
    assert services.dispatch_due_decisions() == []  # nothing to retry
    mine = list(Message.objects.filter(connection=lesser).select_related("connection", "conversation")[:1])
    (decision,) = services.moderate_new_messages(lesser, mine)
    assert decision.network_state == NetworkState.PENDING
    services.execute_decision(decision.pk)
    (asked,) = LesserConnector.asked
    assert asked.kind == ActionKind.CLOSE and asked.thread_id == mine[0].conversation.external_id


def test_the_rule_editor_offers_the_union_and_names_the_channels_lacking_each(client, owner, workspace, lesser, synced):
    client.force_login(owner)
    page = client.get(f"/w/{workspace.slug}/moderation/rules/new/").content.decode()
    select = page.split('name="action"', 1)[1].split("</select>", 1)[0]
    assert '<option value="kick">Kick author (not on Acme blog)</option>' in select
    assert '<option value="hold">Hold for review (not on Lesser room)</option>' in select
    assert '<option value="approve">Approve</option>' in select  # every channel can keep a message
    assert '<option value="remove">Remove</option>' in select
    assert 'value="pin"' not in select  # neither channel pins


def test_the_thread_page_offers_the_channels_actions(client, owner, workspace, lesser):
    message = pending(lesser, 1)[0]
    client.force_login(owner)
    page = client.get(f"/w/{workspace.slug}/inbox/{message.conversation_id}/", HTTP_HX_REQUEST="true").content.decode()
    menu = page.split('class="qactions"', 1)[1].split("</form>", 1)[0]
    assert 'value="close"' in menu and 'value="spam"' not in menu
    thread_url = f"/w/{workspace.slug}/inbox/{message.conversation_id}/"
    assert f'name="next" value="{thread_url}"' in menu
    response = client.post(
        f"/w/{workspace.slug}/moderation/decide/", {"ids": [message.pk], "action": "close", "next": thread_url}
    )
    assert response.status_code == 302 and response["Location"] == thread_url
    assert LesserConnector.asked[0].kind == ActionKind.CLOSE


def test_a_message_is_kept_on_a_network_that_cannot_approve(client, owner, workspace, lesser):
    """A network without 'approve' (a chat room) still lets the moderator clear its review queue: 'keep' leaves the
    public message as it is, nothing is sent, the queue is emptied; a held one cannot be kept that way."""
    public, held = pending(lesser, 2)
    Message.objects.filter(pk=held.pk).update(network_status="held")
    assert actions.offered(lesser)[0] == Verdict.APPROVE
    client.force_login(owner)
    page = client.get(f"/w/{workspace.slug}/moderation/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    card = page.split(f'data-id="{public.pk}"', 1)[1].split('class="qitem"', 1)[0]
    assert 'value="approve"' in card and "Garder" in card

    response = client.post(f"/w/{workspace.slug}/moderation/decide/", {"ids": [public.pk], "action": "approve"})
    assert response.status_code < 400
    decision = Decision.objects.get(message=public)
    assert decision.network_state == NetworkState.NOT_NEEDED and not LesserConnector.asked
    assert Message.objects.get(pk=public.pk).review == "reviewed"

    [refused] = services.decide(messages=[Message.objects.get(pk=held.pk)], action="approve", by=owner)
    assert refused.network_state == NetworkState.UNSUPPORTED and not LesserConnector.asked


def test_a_rejection_says_whether_the_author_is_told_why_on_that_network(workspace):
    """Mailman mails the moderator's reason to the sender; YouTube, Discourse and Usenet tell the author nothing."""
    told = Message(connection=ConnectionFactory(workspace=workspace, network="mailman", name="List"))
    silent = Message(connection=ConnectionFactory(workspace=workspace, network="youtube", name="Channel"))
    assert "its author receives your reason" in network_effect(Verdict.REJECT, told)
    with translation.override("fr"):
        said = network_effect(Verdict.REJECT, silent)
    assert "son auteur n’en est pas averti" in said and "raison" not in said
