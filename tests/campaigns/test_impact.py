"""A campaign's impact against its baseline, and what belongs to it (the inbox, mentions and people filters)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from federe.campaigns import impact, membership
from federe.campaigns.models import Campaign
from federe.inbox.models import Message
from federe.listening.models import Mention
from tests.campaigns.conftest import FIRST, LAST

pytestmark = pytest.mark.django_db
AFTER = datetime(2026, 4, 1, tzinfo=UTC)


def _mentioned_between(campaign: Campaign, start, end) -> int:
    return (
        Mention.objects.filter(workspace=campaign.workspace, posted_at__gte=start, posted_at__lt=end)
        .values("message_id")
        .distinct()
        .count()
    )


def test_mentions_before_and_during_come_from_their_own_weeks(campaign):
    found = impact.measure(campaign, AFTER)
    assert found is not None
    assert found.during.days == 7 and found.baseline.end == found.during.start
    mentions = found.figures["mentions"]
    during = _mentioned_between(campaign, found.during.start, found.during.end)
    before = _mentioned_between(campaign, found.baseline.start, found.baseline.end)
    assert (mentions.after, mentions.before) == (during, before)
    assert during > before > 0  # 30 messages moved into the campaign's week, 10 into the baseline's
    assert mentions.comparison.significant


def test_nothing_is_measured_before_the_first_day(campaign):
    assert impact.measure(campaign, datetime(2026, 2, 1, tzinfo=UTC)) is None


def test_a_campaign_s_mentions_are_its_queries_during_its_dates(campaign):
    span = membership.window(campaign)
    rows = list(membership.mentions(campaign))
    assert rows and all(span.start <= m.posted_at < span.end for m in rows)
    outside = Mention.objects.filter(workspace=campaign.workspace).exclude(pk__in=[m.pk for m in rows])
    assert outside.exists()  # the baseline's and the later week's are not its


def test_inbox_people_and_mentions_filter_by_campaign(client, owner, campaign):
    client.force_login(owner)
    slug = campaign.workspace.slug
    ours = membership.messages(campaign)
    assert ours.exists()
    conversations = set(ours.values_list("conversation_id", flat=True))
    others = Message.objects.filter(workspace=campaign.workspace).exclude(conversation_id__in=conversations)
    assert others.exists()
    page = client.get(reverse("inbox:list", args=[slug]) + f"?campaign={campaign.pk}")
    assert page.status_code == 200
    listed = {c.pk for c in page.context["conversations"]} if "conversations" in page.context else None
    if listed is not None:
        assert listed <= conversations
    people = client.get(reverse("people:list", args=[slug]) + f"?campaign={campaign.pk}")
    shown = {p.pk for p in people.context["page"]}
    expected = set(membership.people(campaign).values_list("pk", flat=True))
    assert shown and shown <= expected
    mentions = client.get(reverse("campaigns:mentions", args=[slug, campaign.pk]))
    assert mentions.status_code == 200 and mentions.context["page"].paginator.count == len(
        membership.mentions(campaign)
    )


def test_the_inbox_filter_keeps_only_the_campaign_s_threads(owner, campaign):
    from federe.inbox import queries

    filters = queries.InboxFilters.from_params({"campaign": str(campaign.pk)})
    threads = set(queries.conversations(campaign.workspace, filters).values_list("pk", flat=True))
    expected = set(membership.messages(campaign).values_list("conversation_id", flat=True))
    assert threads == expected and threads
    assert "campaign=" in filters.as_query()
    unknown = queries.InboxFilters.from_params({"campaign": "999999"})
    assert not queries.conversations(campaign.workspace, unknown).exists()


def test_dates_shown_are_the_campaign_s(campaign):
    span = membership.window(campaign)
    assert span.first_day(campaign.workspace.timezone) == FIRST
    assert span.last_day(campaign.workspace.timezone) == LAST
