"""A rule that would match more than half of recent messages is not switched on without an explicit "anyway"."""

from __future__ import annotations

import pytest

from federe.core.models import AuditEvent
from federe.moderation import services
from federe.moderation.models import Rule

pytestmark = pytest.mark.django_db

BROAD = [{"type": "length", "min": 100000}]  # every message is shorter: matches all of them
NARROW = [{"type": "words", "words": ["gagn*", "crypto*"]}]


def save(workspace, owner, conditions, rule=None, **extra):
    return services.save_rule(
        workspace=workspace,
        by=owner,
        name="r",
        match="any",
        conditions=conditions,
        actions=[{"type": "hold"}],
        rule=rule,
        **extra,
    )


def test_a_new_broad_rule_is_saved_switched_off(synced, owner, workspace):
    rule = save(workspace, owner, BROAD)
    rule.refresh_from_db()
    assert rule.enabled is False
    assert services.active_versions(workspace.pk) == []


def test_a_narrow_rule_is_switched_on_at_once(synced, owner, workspace):
    rule = save(workspace, owner, NARROW)
    rule.refresh_from_db()
    assert rule.enabled is True


def test_a_new_version_that_turns_broad_switches_the_rule_off(synced, owner, workspace):
    rule = save(workspace, owner, NARROW)
    save(workspace, owner, BROAD, rule=rule)
    rule.refresh_from_db()
    assert rule.enabled is False and rule.current.number == 2


def test_switching_on_a_broad_rule_needs_anyway(synced, owner, workspace):
    rule = save(workspace, owner, BROAD)
    with pytest.raises(services.RuleTooBroad) as caught:
        services.set_rule_enabled(rule=rule, enabled=True, by=owner)
    assert caught.value.matched == caught.value.examined == 50
    rule.refresh_from_db()
    assert rule.enabled is False
    services.set_rule_enabled(rule=rule, enabled=True, by=owner, anyway=True)
    rule.refresh_from_db()
    assert rule.enabled is True
    assert AuditEvent.objects.get(verb="rule.enabled").details == {"anyway": True, "matched": 50, "examined": 50}


def test_the_rules_page_warns_and_offers_switch_on_anyway(client, synced, owner, workspace):
    rule = save(workspace, owner, BROAD)
    client.force_login(owner)
    page = client.post(f"/w/{workspace.slug}/moderation/rules/{rule.pk}/toggle/").content.decode()
    assert "would have matched 50 of the last 50 messages" in page
    assert 'name="anyway" value="yes"' in page and "Switch on anyway" in page
    assert Rule.objects.get(pk=rule.pk).enabled is False
    client.post(f"/w/{workspace.slug}/moderation/rules/{rule.pk}/toggle/", {"anyway": "yes"})
    assert Rule.objects.get(pk=rule.pk).enabled is True


def test_the_form_says_a_broad_rule_was_saved_switched_off(client, synced, owner, workspace):
    client.force_login(owner)
    response = client.post(
        f"/w/{workspace.slug}/moderation/rules/new/",
        {"name": "Short", "match": "any", "max_length": "1", "action": "hold"},
        follow=True,
    )
    page = response.content.decode()
    assert "saved switched off" in page
    assert Rule.objects.get(workspace=workspace).enabled is False
