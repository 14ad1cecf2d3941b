from __future__ import annotations

import pytest

from federe.accounts.models import Role
from federe.inbox.models import Message
from federe.moderation import services
from federe.moderation.models import Decision, Rule

pytestmark = pytest.mark.django_db

RULE_FORM = {"name": "Spam", "match": "any", "words": "gagn*\nfree followers", "action": "spam"}


@pytest.fixture
def queued(synced, owner):
    """Three messages waiting in the review queue."""
    Message.objects.filter(connection=synced).update(review="")
    ids = list(Message.objects.filter(connection=synced, network_status="published").values_list("pk", flat=True)[:3])
    Message.objects.filter(pk__in=ids).update(review="pending")
    return ids


def test_the_queue_lists_pending_messages_with_reasons(client, owner, queued, workspace):
    client.force_login(owner)
    page = client.get(f"/w/{workspace.slug}/moderation/").content.decode()
    assert "3 messages to review" in page
    for pk in queued:
        assert f'data-id="{pk}"' in page


def test_one_click_decision_is_applied_on_the_network_and_shown(client, owner, queued, workspace):
    client.force_login(owner)
    response = client.post(
        f"/w/{workspace.slug}/moderation/decide/", {"ids": [queued[0]], "action": "spam"}, HTTP_HX_REQUEST="true"
    )
    page = response.content.decode()
    assert "Just decided" in page and "done on the network" in page
    assert "2 messages to review" in page
    message = Message.objects.get(pk=queued[0])
    assert message.review == "reviewed" and message.network_status == "spam"
    assert Decision.objects.get(message=message).actor == owner


def test_bulk_decisions(client, owner, queued, workspace):
    client.force_login(owner)
    client.post(f"/w/{workspace.slug}/moderation/decide/", {"ids": queued, "action": "approve"})
    assert Decision.objects.filter(message_id__in=queued, action="approve").count() == 3
    assert not Message.objects.filter(pk__in=queued, review="pending").exists()


def test_an_analyst_cannot_decide(client, member_factory, queued, workspace):
    client.force_login(member_factory(Role.ANALYST))
    client.post(f"/w/{workspace.slug}/moderation/decide/", {"ids": queued, "action": "spam"})
    assert Decision.objects.count() == 0


def test_create_a_rule_then_edit_it_into_a_new_version(client, owner, workspace):
    client.force_login(owner)
    response = client.post(f"/w/{workspace.slug}/moderation/rules/new/", RULE_FORM)
    rule = Rule.objects.get(workspace=workspace)
    assert response.status_code == 302
    assert rule.current.conditions == [{"type": "words", "words": ["gagn*", "free followers"]}]
    client.post(f"/w/{workspace.slug}/moderation/rules/{rule.pk}/", {**RULE_FORM, "min_links": "2", "match": "all"})
    assert rule.current.number == 2
    assert {"type": "links", "min": 2} in rule.current.conditions
    page = client.get(f"/w/{workspace.slug}/moderation/rules/{rule.pk}/").content.decode()
    assert "version 2" in page and "version 1" in page


def test_a_rule_without_conditions_is_refused_with_a_message(client, owner, workspace):
    client.force_login(owner)
    response = client.post(f"/w/{workspace.slug}/moderation/rules/new/", {**RULE_FORM, "words": ""})
    assert response.status_code == 200
    assert "Add at least one condition." in response.content.decode()
    assert not Rule.objects.exists()


def test_backtest_from_the_form(client, owner, synced, workspace):
    spam = Message.objects.filter(connection=synced, body_text__iregex=r"gagnez|followers").first()
    services.decide(messages=[spam], action="spam", by=owner)
    client.force_login(owner)
    page = client.post(f"/w/{workspace.slug}/moderation/rules/backtest/", RULE_FORM).content.decode()
    assert "of the last 50 messages" in page
    assert "1 a moderator marked as spam (the rule agrees)." in page
    assert not Rule.objects.exists()  # testing saves nothing


def test_switching_a_rule_off(client, owner, workspace):
    rule = services.save_rule(
        workspace=workspace,
        by=owner,
        name="x",
        match="any",
        conditions=[{"type": "emoji_only"}],
        actions=[{"type": "hold"}],
    )
    client.force_login(owner)
    client.post(f"/w/{workspace.slug}/moderation/rules/{rule.pk}/toggle/")
    rule.refresh_from_db()
    assert rule.enabled is False
    assert services.active_versions(workspace.pk) == []


def test_score_conditions_from_the_form_round_trip(client, owner, workspace):
    client.force_login(owner)
    form = {**RULE_FORM, "words": "", "min_spam": "80", "min_negative": "60"}
    client.post(f"/w/{workspace.slug}/moderation/rules/new/", form)
    rule = Rule.objects.get(workspace=workspace)
    assert {"type": "score", "task": "spam", "min": 0.8} in rule.current.conditions
    assert {"type": "score", "task": "negative", "min": 0.6} in rule.current.conditions
    page = client.get(f"/w/{workspace.slug}/moderation/rules/{rule.pk}/").content.decode()
    assert 'name="min_spam" value="80"' in page and 'name="min_negative" value="60"' in page
    response = client.post(f"/w/{workspace.slug}/moderation/rules/new/", {**form, "min_spam": "150"})
    assert response.status_code == 200 and Rule.objects.count() == 1


def test_score_conditions_are_validated(owner, workspace):
    import pytest
    from django.core.exceptions import ValidationError

    for bad in ({"task": "bogus", "min": 0.5}, {"task": "spam", "min": 0}, {"task": "spam", "min": "x"}):
        with pytest.raises(ValidationError, match="score condition"):
            services.save_rule(
                workspace=workspace,
                by=owner,
                name="s",
                match="any",
                conditions=[{"type": "score", **bad}],
                actions=[{"type": "hold"}],
            )
