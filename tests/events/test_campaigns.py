"""Campaigns group contests and events (``campaigns.Item``): shown on the campaign page and the event's; another
workspace's contest or event is refused in words; deleting an event removes only its membership."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from federe.campaigns import services as campaigns
from federe.campaigns.models import Item
from federe.contests import services as contests
from federe.events import services
from tests.contests.conftest import fields as contest_fields
from tests.events.conftest import fields

pytestmark = pytest.mark.django_db


def _campaign_fields(**ids) -> campaigns.Fields:
    return campaigns.Fields(name="Noël", starts_on=date(2026, 12, 1), ends_on=date(2026, 12, 31), **ids)


def test_a_campaign_groups_a_contest_and_an_event(client, owner, workspace):
    event = services.add(workspace=workspace, fields=fields(title="Soirée de Noël"), by=owner)
    contest = contests.add(workspace=workspace, fields=contest_fields(name="Quiz de Noël"), by=owner)
    campaign = campaigns.create_campaign(
        workspace, by=owner, fields=_campaign_fields(event_ids=[event.pk], contest_ids=[contest.pk])
    )
    assert campaigns.items_of(campaign).event_ids == [event.pk]
    assert campaigns.items_of(campaign).contest_ids == [contest.pk]
    client.force_login(owner)
    page = client.get(reverse("campaigns:campaign", args=[workspace.slug, campaign.pk])).content.decode()
    assert "Soirée de Noël" in page and "Quiz de Noël" in page
    detail = client.get(reverse("events:detail", args=[workspace.slug, event.pk])).content.decode()
    assert reverse("campaigns:campaign", args=[workspace.slug, campaign.pk]) in detail
    event.delete()
    assert list(Item.objects.filter(campaign=campaign).values_list("contest_id", flat=True)) == [contest.pk]


def test_another_workspace_s_contest_or_event_is_refused(owner, workspace, other_workspace):
    rival, rival_owner, _conn = other_workspace
    theirs = services.add(workspace=rival, fields=fields(), by=rival_owner)
    their_contest = contests.add(workspace=rival, fields=contest_fields(), by=rival_owner)
    with pytest.raises(ValidationError) as refused:
        campaigns.create_campaign(
            workspace, by=owner, fields=_campaign_fields(event_ids=[theirs.pk], contest_ids=[their_contest.pk])
        )
    assert set(refused.value.message_dict) == {"event_ids", "contest_ids"}
    assert not Item.objects.exists()


def test_the_campaign_form_offers_the_workspace_s_events(client, owner, workspace):
    event = services.add(workspace=workspace, fields=fields(title="Atelier"), by=owner)
    client.force_login(owner)
    data = {"name": "Printemps", "starts_on": "2026-03-01", "ends_on": "2026-03-31", "event_ids": [event.pk]}
    response = client.post(reverse("campaigns:create", args=[workspace.slug]), data)
    assert response.status_code == 302
    assert Item.objects.filter(event=event).count() == 1
