from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from federe.accounts.models import Role
from federe.connections.services import sync_connection
from federe.core.models import AuditEvent
from federe.inbox.models import Message
from federe.moderation import services
from federe.moderation.models import Decision, NetworkState, RuleVersion

pytestmark = pytest.mark.django_db

SPAM_WORDS = [{"type": "words", "words": ["gagn*", "free followers", "crypto*"]}]


def spam_rule(workspace, owner, action="spam"):
    return services.save_rule(
        workspace=workspace, by=owner, name="Spam words", match="any", conditions=SPAM_WORDS, actions=[{"type": action}]
    )


def test_rules_are_versioned_and_audited(workspace, owner):
    rule = spam_rule(workspace, owner)
    services.save_rule(
        workspace=workspace,
        by=owner,
        name="Spam words",
        match="all",
        rule=rule,
        conditions=[*SPAM_WORDS, {"type": "links", "min": 1}],
        actions=[{"type": "hold"}],
    )
    versions = list(RuleVersion.objects.filter(rule=rule).order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert versions[0].actions == [{"type": "spam"}] and versions[1].match == "all"
    assert rule.current.number == 2
    assert AuditEvent.objects.filter(verb="rule.saved", object_id=str(rule.pk)).count() == 2


@pytest.mark.parametrize(
    ("match", "conditions", "actions", "field"),
    [
        ("some", SPAM_WORDS, [{"type": "hold"}], "match"),
        ("any", [], [{"type": "hold"}], "conditions"),
        ("any", [{"type": "words", "words": ["  "]}], [{"type": "hold"}], "conditions"),
        ("any", [{"type": "telepathy"}], [{"type": "hold"}], "conditions"),
        ("any", SPAM_WORDS, [], "actions"),
        ("any", SPAM_WORDS, [{"type": "hold"}, {"type": "spam"}], "actions"),
        ("any", SPAM_WORDS, [{"type": "label", "label": ""}], "actions"),
    ],
)
def test_bad_rules_are_refused_with_the_field(workspace, owner, match, conditions, actions, field):
    with pytest.raises(ValidationError) as caught:
        services.save_rule(workspace=workspace, by=owner, name="x", match=match, conditions=conditions, actions=actions)
    assert field in caught.value.message_dict


def test_a_client_cannot_write_rules(workspace, member_factory):
    with pytest.raises(PermissionDenied):
        spam_rule(workspace, member_factory(Role.CLIENT))


def test_rules_run_at_ingest_and_act_on_the_network(connection, owner, django_capture_on_commit_callbacks):
    spam_rule(workspace=connection.workspace, owner=owner)
    connection.config = {**connection.config, "total": 200, "page_size": 100}
    connection.save()
    with django_capture_on_commit_callbacks(execute=True):
        sync_connection(connection.pk)
    decisions = Decision.objects.filter(message__connection=connection, action="spam")
    assert decisions.exists()
    for decision in decisions.select_related("message", "rule_version"):
        assert "watched words" in decision.reason_texts[0]
        assert decision.reasons[0]["code"] == "words"
        assert decision.rule_version.rule.name == "Spam words"
        assert decision.network_state == NetworkState.PENDING  # the worker applies it
    first = decisions.first()
    services.execute_decision(first.pk)
    first.refresh_from_db()
    assert first.network_state == NetworkState.DONE and first.attempts == 1
    message = Message.objects.get(pk=first.message_id)
    assert message.network_status == "spam" and message.review == "pending"
    ham = Message.objects.filter(connection=connection).exclude(decisions__isnull=False)
    assert not ham.filter(body_text__icontains="gagnez").exists()


def test_a_failing_network_is_retried_with_backoff_then_succeeds(synced, owner):
    synced.config = {**synced.config, "fail_actions": "server_error"}
    synced.save()
    message = Message.objects.filter(connection=synced).first()
    decision = services.decide(messages=[message], action="remove", by=owner)[0]
    assert decision.network_state == NetworkState.FAILED and "internal error" in decision.network_detail
    assert decision.next_attempt_at is not None
    assert services.execute_decision(decision.pk) is None  # not due yet
    Decision.objects.filter(pk=decision.pk).update(next_attempt_at=decision.created_at)
    synced.config = {k: v for k, v in synced.config.items() if k != "fail_actions"}
    synced.save()
    services.execute_decision(decision.pk)
    decision.refresh_from_db()
    assert decision.network_state == NetworkState.DONE and decision.attempts == 2
    message.refresh_from_db()
    assert message.network_status == "removed" and message.review == "reviewed"


def test_a_permanent_refusal_is_not_retried(synced, owner):
    synced.config = {**synced.config, "fail_actions": "unauthorized"}
    synced.save()
    message = Message.objects.filter(connection=synced).first()
    decision = services.decide(messages=[message], action="spam", by=owner)[0]
    assert decision.network_state == NetworkState.FAILED and decision.next_attempt_at is None
    assert "refused the credentials" in decision.network_detail


def test_backtest_compares_with_what_moderators_decided(synced, owner):
    spam = Message.objects.filter(connection=synced, body_text__iregex=r"gagnez|followers|\$5000").first()
    ham = Message.objects.filter(connection=synced).exclude(pk=spam.pk).first()
    services.decide(messages=[spam], action="spam", by=owner)
    services.decide(messages=[ham], action="approve", by=owner)
    result = services.backtest(
        workspace=synced.workspace, match="any", conditions=SPAM_WORDS, actions=[{"type": "hold"}]
    )
    assert result.examined == 50
    assert result.matched >= 1 and result.human["spam"] == 1
    assert result.human["approve"] == 0
    assert sum(result.human.values()) == result.matched
    assert all("watched words" in reasons[0] for _, reasons in result.sample)
    narrow = services.backtest(
        workspace=synced.workspace,
        match="any",
        conditions=[{"type": "words", "words": ["zzzz"]}],
        actions=[{"type": "hold"}],
    )
    assert narrow.matched == 0 and narrow.missed["spam"] == 1


def test_a_rule_cannot_name_another_workspaces_channel(workspace, owner, connection, other_workspace):
    foreign = other_workspace[2]
    with pytest.raises(ValidationError) as caught:
        services.save_rule(
            workspace=workspace,
            by=owner,
            name="x",
            match="any",
            conditions=[{"type": "channel", "in": [foreign.pk]}],
            actions=[{"type": "hold"}],
        )
    assert "conditions" in caught.value.message_dict
    rule = services.save_rule(
        workspace=workspace,
        by=owner,
        name="x",
        match="any",
        conditions=[{"type": "channel", "in": [connection.pk]}],
        actions=[{"type": "hold"}],
    )
    assert rule.current.conditions == [{"type": "channel", "in": [connection.pk]}]


def test_rules_can_assign_and_e_mail_the_moderators(
    connection, owner, member_factory, mailoutbox, django_capture_on_commit_callbacks
):
    workspace = connection.workspace
    cm = member_factory(Role.COMMUNITY_MANAGER)
    moderator = member_factory(Role.MODERATOR)
    analyst = member_factory(Role.ANALYST)
    for user, lang in ((moderator, "fr"), (analyst, "en"), (cm, "en")):
        user.email, user.language = f"{user.username}@example.org", lang
        user.save()
    services.save_rule(
        workspace=workspace,
        by=owner,
        name="Links",
        match="any",
        conditions=[{"type": "links", "min": 1}],
        actions=[{"type": "assign", "username": cm.username}],
    )
    services.save_rule(
        workspace=workspace,
        by=owner,
        name="Troll",
        match="any",
        conditions=[{"type": "words", "words": ["idiot*", "nul*", "arnaque"]}],
        actions=[{"type": "notify"}],
    )
    connection.config = {**connection.config, "total": 200, "page_size": 200}
    connection.save()
    with django_capture_on_commit_callbacks(execute=True):
        sync_connection(connection.pk)
    linked = Message.objects.filter(connection=connection, decisions__action="assign").select_related("conversation")
    assert linked.exists()
    assert all(m.conversation.assignee_id == cm.pk for m in linked)
    notified = Message.objects.filter(connection=connection, decisions__action="notify")
    assert notified.exists() and all(m.review == "pending" for m in notified)
    reviews = [mail for mail in mailoutbox if "to review" in mail.subject or "à examiner" in mail.subject]
    recipients = sorted(address for mail in reviews for address in mail.to)
    assert recipients == sorted([f"{moderator.username}@example.org", f"{cm.username}@example.org"])
    assigned = [mail for mail in mailoutbox if mail not in reviews]  # cm is told of each thread a rule hands them
    assert assigned and all(mail.to == [f"{cm.username}@example.org"] for mail in assigned)
    french = next(mail for mail in reviews if mail.to == [f"{moderator.username}@example.org"])
    english = next(mail for mail in reviews if mail.to == [f"{cm.username}@example.org"])
    assert "to review" in english.subject
    assert "à examiner" in french.subject and "règle" in french.body
    assert notified.first().body_text[:40] in english.body


def test_assigning_to_a_stranger_is_refused(workspace, owner, user_factory):
    with pytest.raises(ValidationError) as caught:
        services.save_rule(
            workspace=workspace,
            by=owner,
            name="x",
            match="any",
            conditions=[{"type": "emoji_only"}],
            actions=[{"type": "assign", "username": user_factory().username}],
        )
    assert "actions" in caught.value.message_dict


def test_delete_for_good_is_its_own_action_on_the_network(synced, owner):
    message = Message.objects.filter(connection=synced).first()
    decision = services.decide(messages=[message], action="delete", by=owner)[0]
    assert decision.network_state == NetworkState.DONE and decision.network_detail == "delete applied"
    message.refresh_from_db()
    assert message.network_status == "removed"


def test_automatic_decisions_are_in_the_audit_log_and_on_the_message(connection, owner, client):
    services.save_rule(
        workspace=connection.workspace,
        by=owner,
        name="Spam words",
        match="any",
        conditions=SPAM_WORDS,
        actions=[{"type": "spam"}],
    )
    sync_connection(connection.pk)
    decision = Decision.objects.filter(message__connection=connection).select_related("rule_version").first()
    event = AuditEvent.objects.get(verb="moderation.spam", object_id=str(decision.message_id))
    assert event.actor is None and event.actor_label == f"rule:{decision.rule_version.rule_id}@v1"
    assert event.details["reasons"] == decision.reasons
    client.force_login(owner)
    page = client.get(f"/w/{connection.workspace.slug}/inbox/{decision.message.conversation_id}/").content.decode()
    assert "Spam words, version 1" in page and decision.reason_texts[0] in page


def test_rules_can_be_reordered(workspace, owner):
    first = spam_rule(workspace, owner)
    second = services.save_rule(
        workspace=workspace,
        by=owner,
        name="Emoji",
        match="any",
        conditions=[{"type": "emoji_only"}],
        actions=[{"type": "hold"}],
    )
    services.move_rule(rule=second, step=-1, by=owner)
    assert [v.rule_id for v in services.active_versions(workspace.pk)] == [second.pk, first.pk]
    services.move_rule(rule=second, step=-1, by=owner)  # already first: nothing moves
    assert [v.rule_id for v in services.active_versions(workspace.pk)] == [second.pk, first.pk]
