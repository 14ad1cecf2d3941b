"""The demo's campaign: running today, with posts, short links and clicks, a query, goals and budget lines."""

from __future__ import annotations

import pytest
from django.utils import timezone

from federe.campaigns import demo, impact, membership
from federe.listening import services as listening
from federe.publishing.demo import publish_history

pytestmark = pytest.mark.django_db


def test_the_demo_campaign_is_running_and_measured(workspace, owner, synced):
    publish_history(workspace, synced, owner, seed=3, lang="en")
    listening.save_query(workspace=workspace, by=owner, name="Acme", kind="brand", text="acme OR lang:en")
    campaign = demo.load(workspace, owner)
    today = timezone.localdate()
    assert campaign.starts_on < today < campaign.ends_on
    assert membership.posts(campaign).exists() and membership.queries(campaign).exists()
    assert membership.links(campaign).count() == 2
    assert campaign.budget_lines.count() == 3 and campaign.goals.count() == 3
    found = impact.measure(campaign, timezone.now())
    assert found is not None and found.figures["clicks"].after == sum(demo.CLICKS)
    assert found.cost_per("clicks") is not None
