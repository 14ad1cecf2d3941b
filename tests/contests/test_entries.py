"""Collecting entries: what matches, every exclusion with its reason, duplicates after identity merges, the
organiser's decisions (audited, kept when collecting again)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from federe.contests import services
from federe.contests.collect import collect, eligible_entries
from federe.contests.models import Entry
from federe.contests.words import entry_status
from federe.core.models import AuditEvent
from federe.moderation.models import Decision
from tests.contests.conftest import END, START, fields

pytestmark = pytest.mark.django_db
DAY = timedelta(days=1)


def _by_name(contest) -> dict[str, list[Entry]]:
    found: dict[str, list[Entry]] = {}
    for e in Entry.objects.filter(contest=contest).order_by("posted_at"):
        found.setdefault(e.name, []).append(e)
    return found


def test_each_exclusion_has_its_reason(town, workspace, owner):
    alice = town.person("Alice")
    town.say(alice, "Count me in #WinAMug!", at=START + DAY)
    other = town.channel("Acme forum")
    town.say(town.identity(alice.person, connection=other), "#winamug again", at=START + 2 * DAY)  # one person
    town.say(town.person("Bob"), "#WinAMug", at=END + DAY)
    town.say(town.person("Carol"), "#WinAMug buy pills", at=START + DAY, status="spam")
    staff = town.person("Acme team")
    town.say(staff, "Our contest: reply with #WinAMug", at=START, outbound=True)
    town.say(staff, "#WinAMug (testing)", at=START + DAY)
    dave = town.person("Dave")
    banned = town.say(dave, "#WinAMug", at=START + DAY)
    Decision.objects.create(workspace=workspace, message=banned, action="ban")
    town.say(town.person("Erin", first_seen=START - 2 * DAY), "#WINAMUG", at=START + DAY)
    town.say(town.person("Frank"), "winamug without the hash, #winamugs too", at=START + DAY)
    contest = services.add(workspace=workspace, fields=fields(min_account_days=30), by=owner)

    collect(contest)

    entries = _by_name(contest)
    assert "Frank" not in entries
    reasons = {name: [e.reason for e in rows] for name, rows in entries.items()}
    assert reasons == {
        "Alice": ["", "duplicate"],
        "Bob": ["late"],
        "Carol": ["unpublished"],
        "Acme team": ["staff", "staff"],
        "Dave": ["blocked"],
        "Erin": ["too_new"],
    }
    assert [e.name for e in eligible_entries(contest)] == ["Alice"]
    with translation.override("en"):
        words = {e.name: entry_status(e) for rows in entries.values() for e in rows if e.reason}
        assert words["Erin"] == "First seen 2 days before the start; the rules ask for 30."
        assert words["Bob"] == "Posted after the deadline."
    with translation.override("fr"):
        assert entry_status(entries["Dave"][0]) != "The author is banned."


def test_collecting_again_changes_nothing_and_keeps_the_organiser_s_decisions(town, workspace, owner):
    alice, bob = town.person("Alice"), town.person("Bob")
    town.say(alice, "#WinAMug", at=START + DAY)
    town.say(bob, "#WinAMug", at=START + DAY)
    contest = services.add(workspace=workspace, fields=fields(), by=owner)
    first = collect(contest)
    assert first.created == 2
    entry = Entry.objects.get(contest=contest, name="Bob")
    with pytest.raises(ValidationError):
        services.decide_entry(entry=entry, exclude=True, note="  ", by=owner)
    services.decide_entry(entry=entry, exclude=True, note="Works for the agency", by=owner)
    again = collect(contest)
    assert (again.created, again.updated, again.removed) == (0, 0, 0)
    assert [e.name for e in eligible_entries(contest)] == ["Alice"]
    event = AuditEvent.objects.filter(verb="contest.entry_excluded").get()
    assert event.details["note"] == "Works for the agency" and event.actor == owner
    services.decide_entry(entry=Entry.objects.get(pk=entry.pk), exclude=False, note="Checked: not staff", by=owner)
    assert sorted(e.name for e in eligible_entries(contest)) == ["Alice", "Bob"]


def test_a_merge_makes_two_people_one_entrant(town, workspace, owner):
    a1, a2 = town.person("Anne"), town.person("Anne B.", connection=town.channel("Acme chat"))
    town.say(a1, "#WinAMug", at=START + DAY)
    town.say(a2, "#WinAMug", at=START + 2 * DAY)
    contest = services.add(workspace=workspace, fields=fields(), by=owner)
    collect(contest)
    assert len(eligible_entries(contest)) == 2
    a2.person = a1.person  # what people/identities/merging.py does: the identity moves to the kept person
    a2.save()
    collect(contest)
    assert [e.reason for e in Entry.objects.filter(contest=contest).order_by("posted_at")] == ["", "duplicate"]


def test_a_quiz_takes_the_replies_to_its_message_and_checks_each_answer(town, workspace, owner):
    staff = town.person("Acme team")
    quiz = town.say(staff, "Quiz! Capital of France? And 2+2?", at=START, outbound=True)
    town.say(town.person("Right"), "PARÍS, and four", at=START + DAY)
    town.say(town.person("Digits"), "paris 4", at=START + DAY)
    town.say(town.person("Wrong"), "Lyon, 4", at=START + DAY)
    town.say(town.person("Half"), "Paris, 5", at=START + DAY)
    elsewhere = town.person("Elsewhere", connection=town.channel("Other"))
    town.say(elsewhere, "Paris 4", at=START + DAY)  # another thread: not a reply to the quiz
    questions = [("Capital of France?", ["Paris"]), ("2+2?", ["four", "4"])]
    contest = services.add(
        workspace=workspace, fields=fields(rule="quiz", term="", reply_to_id=quiz.pk, questions=questions), by=owner
    )
    collect(contest)
    found = {e.name: (e.reason, e.params) for e in Entry.objects.filter(contest=contest)}
    assert found == {
        "Right": ("", {}),
        "Digits": ("", {}),
        "Wrong": ("wrong_answer", {"question": 1}),
        "Half": ("wrong_answer", {"question": 2}),
    }


def test_wrong_rules_are_refused_in_words(workspace, owner, other_workspace):
    _ws, _owner, theirs = other_workspace
    cases = [
        (fields(ends_at=START), "ends_at"),
        (fields(term="#"), "term"),
        (fields(rule="reply", term=""), "reply_to_id"),
        (fields(rule="quiz", questions=[("Q?", [" "])]), "questions"),
        (fields(winners_count=0), "winners_count"),
        (fields(channel_ids=[theirs.pk]), "channel_ids"),
    ]
    for wrong, field in cases:
        with pytest.raises(ValidationError) as refused:
            services.add(workspace=workspace, fields=wrong, by=owner)
        assert field in refused.value.message_dict, field
