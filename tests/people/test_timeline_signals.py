"""The timeline (every kind of event, in order, in pages) and the signals (newcomers, gone quiet, back)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from federe.accounts.models import Role
from federe.moderation import services as moderation
from federe.people import services, timelines
from federe.people.engagement import community as community_signals
from federe.people.engagement import scoring
from federe.people.identities import merging
from federe.people.models import Person
from tests.people.conftest import NOW

pytestmark = pytest.mark.django_db


def test_timeline_holds_every_kind_of_event_in_order_and_pages_cover_it_once(community, workspace, owner):
    ana, bob, zoe = community.person("Ana"), community.person("Bob"), community.person("Zoé")
    post = community.say(ana, days_ago=5)
    community.say(bob, days_ago=4, parent=post)  # a reply ana received
    spam = community.say(ana, days_ago=3)
    moderation.decide(messages=[spam], action="spam", by=owner)
    services.add_note(person=ana, body="a note", by=owner)
    services.add_tag(person=ana, name="vip", by=owner)
    services.set_field(person=ana, name="city", value="Lyon", by=owner)
    merging.merge(keep=ana, absorb=zoe, by=owner)
    community.say(bob, days_ago=2)  # bob's own message: not on ana's timeline
    scoring.recompute(workspace)

    everything = timelines.timeline(workspace, ana, limit=100)
    kinds = [item.kind for item in everything.items]
    assert sorted(kinds) == sorted(["message", "message", "reply", "decision", "note", "tag", "field", "merge"])
    assert [item.at for item in everything.items] == sorted((item.at for item in everything.items), reverse=True)
    assert everything.next_cursor == ""

    seen, cursor = [], ""
    while True:
        page = timelines.timeline(workspace, ana, before=cursor, limit=3)
        seen += [(item.kind, item.id) for item in page.items]
        cursor = page.next_cursor
        if not cursor:
            break
    assert seen == [(item.kind, item.id) for item in everything.items]

    with pytest.raises(ValidationError):
        timelines.timeline(workspace, ana, before="not-a-cursor")


def test_timeline_has_an_extension_point_for_other_sources(community, workspace):
    assert {s.kind for s in timelines.TIMELINE_SOURCES} >= {"message", "reply", "decision", "note", "tag", "field"}
    with pytest.raises(ValueError):
        timelines.register_timeline_source(timelines.TIMELINE_SOURCES[0])


def test_newcomers_gone_quiet_and_back(community, workspace):
    now = timezone.now()

    def ago(days: float) -> float:  # community.say counts days before NOW (a fixed date); these are before now
        return days - (now - NOW).total_seconds() / 86400

    regulars = [community.person(f"Regular {i}") for i in range(8)]
    for i, person in enumerate(regulars):
        for _ in range(10 + i):
            community.say(person, days_ago=ago(1))
    quiet = community.person("Quiet champion")
    for _ in range(40):
        community.say(quiet, days_ago=ago(60))  # strong, but silent for two months
    small = community.person("Small and silent")
    community.say(small, days_ago=ago(60))
    scoring.recompute(workspace, now=now)

    gone = community_signals.gone_quiet(workspace, now=now)
    assert [s.person.pk for s in gone] == [quiet.pk]
    assert "silent for" in gone[0].reason

    newcomer = community.person("New here")
    message = community.say(newcomer, days_ago=ago(1))
    Person.objects.filter(pk=newcomer.pk).update(first_seen_at=now - timedelta(days=1))
    assert newcomer.pk in [s.person.pk for s in community_signals.newcomers(workspace, now=now)]
    assert quiet.pk not in [s.person.pk for s in community_signals.newcomers(workspace, now=now)]

    # the quiet champion posts again: the incremental update (as after a sync) marks them back
    comeback = community.say(quiet, days_ago=ago(0))
    scoring.update_for_messages(workspace, [comeback.pk, message.pk], now=now)
    assert [s.person.pk for s in community_signals.back(workspace, now=now)] == [quiet.pk]
    assert community_signals.gone_quiet(workspace, now=now) == []
    assert "after 6" in community_signals.back(workspace, now=now)[0].reason  # 60+ days of silence


def test_top_quarter_threshold():
    assert community_signals.top_quarter_threshold([]) is None
    assert community_signals.top_quarter_threshold([0, 0]) is None
    assert community_signals.top_quarter_threshold([1, 2, 3, 4, 5, 6, 7, 8]) == 7
    assert community_signals.top_quarter_threshold([5]) == 5


def test_digest_goes_to_the_team_in_each_language(community, workspace, owner, member_factory):
    owner.email, owner.language = "owner@example.org", "fr"
    owner.save()
    english = member_factory(Role.COMMUNITY_MANAGER)
    english.email, english.language = "cm@example.org", "en"
    english.save()
    client = member_factory(Role.CLIENT)
    client.email = "client@example.org"
    client.save()
    person = community.person("Nina Newcomer")
    community.say(person, days_ago=0)
    Person.objects.filter(pk=person.pk).update(first_seen_at=timezone.now())

    assert community_signals.send_digest(workspace) == 2
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert set(by_recipient) == {"owner@example.org", "cm@example.org"}
    assert "Nina Newcomer" in by_recipient["cm@example.org"].body
    month = timezone.localtime().month
    french_months = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
                     "octobre", "novembre", "décembre"]  # fmt: skip
    assert french_months[month - 1] in by_recipient["owner@example.org"].body  # dates in the reader's language
    assert french_months[month - 1] not in by_recipient["cm@example.org"].body
