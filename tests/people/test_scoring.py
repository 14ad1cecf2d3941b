"""The engagement score, levels and reach: checked against the formula computed independently here."""

from __future__ import annotations

import pytest
from django.utils import timezone

from federe.accounts.models import Role
from federe.moderation import services as moderation
from federe.moderation.models import Decision, NetworkState
from federe.people.engagement import scoring
from federe.people.models import Person, ReplyEdge
from tests.people.conftest import NOW

pytestmark = pytest.mark.django_db


def decay(days: float, half_life: float = 90.0) -> float:
    return 0.5 ** (days / half_life)


def test_score_follows_the_documented_formula(community, workspace):
    ana, bob, cyd = community.person("Ana"), community.person("Bob"), community.person("Cyd")
    post = community.say(ana, days_ago=0)
    reply = community.say(bob, days_ago=90, parent=post)  # bob replies to ana, 90 days ago (half weight)
    community.say(ana, days_ago=10, parent=post)  # ana answers in her own thread: posting only
    community.say(cyd, days_ago=180, parent=reply)  # cyd replies to bob, a quarter weight
    community.say(cyd, days_ago=1, status="spam")  # spam earns nothing

    scoring.recompute(workspace, now=NOW)

    expected = {
        ana.pk: 1 * decay(0) + 1 * decay(10) + 1 * decay(90),  # two posts, one reply received (bob, 90 days)
        bob.pk: (1 + 2) * decay(90) + 1 * decay(180),  # a reply to someone else; a reply received from cyd
        cyd.pk: (1 + 2) * decay(180),
    }
    got = dict(Person.objects.filter(workspace=workspace).values_list("pk", "score"))
    assert got == pytest.approx(expected, rel=1e-6)
    reach = dict(Person.objects.values_list("pk", "reach"))
    assert reach == {ana.pk: 1, bob.pk: 1, cyd.pk: 0}
    assert ReplyEdge.objects.count() == 2  # ana's answer to herself is no link between two identities


def test_levels_follow_the_editable_thresholds(community, workspace):
    people = [community.person(f"P{i}") for i in range(4)]
    for count, person in zip([0, 3, 15, 50], people, strict=True):
        for _ in range(count):
            community.say(person, days_ago=0)
    scoring.recompute(workspace, now=NOW)
    levels = [Person.objects.get(pk=p.pk).level for p in people]
    assert levels == ["newcomer", "occasional", "regular", "champion"]

    s = scoring.settings_for(workspace)
    s.threshold_champion = 60
    s.save()
    scoring.recompute(workspace, now=NOW)
    assert Person.objects.get(pk=people[3].pk).level == "regular"


def test_moderators_decisions_count_and_rules_do_not(community, workspace, owner):
    ana = community.person("Ana")
    approved, removed, auto = (community.say(ana, days_ago=0) for _ in range(3))
    moderation.decide(messages=[approved], action="approve", by=owner)
    moderation.decide(messages=[removed], action="remove", by=owner)
    now = timezone.now()
    scoring.recompute(workspace, now=now)
    s = scoring.settings_for(workspace)
    # posts decay from their date; the decisions were made just now. A removed message earns no posting points.
    removed.refresh_from_db()
    posts = 3 if removed.network_status == "published" else 2
    age = (now - approved.posted_at).total_seconds() / 86400
    assert Person.objects.get(pk=ana.pk).score == pytest.approx(
        posts * s.weight_post * decay(age) + s.weight_approved + s.weight_removed, abs=0.01
    )
    assert auto.network_status == "published"


def test_decisions_not_possible_on_the_network_do_not_count(community, workspace, owner):
    ana = community.person("Ana")
    approved, removed = community.say(ana, days_ago=0), community.say(ana, days_ago=0)
    moderation.decide(messages=[approved], action="approve", by=owner)
    moderation.decide(messages=[removed], action="remove", by=owner)
    # the network could not remove it: the decision stays in Fédère's history, the person's score ignores it
    Decision.objects.filter(message=removed).update(network_state=NetworkState.UNSUPPORTED)
    now = timezone.now()
    scoring.recompute(workspace, now=now)
    s = scoring.settings_for(workspace)
    removed.refresh_from_db()
    posts = 2 if removed.network_status == "published" else 1
    age = (now - approved.posted_at).total_seconds() / 86400
    assert Person.objects.get(pk=ana.pk).score == pytest.approx(
        posts * s.weight_post * decay(age) + s.weight_approved, abs=0.01
    )


def test_incremental_update_gives_the_same_result_as_a_full_recompute(community, workspace):
    ana, bob = community.person("Ana"), community.person("Bob")
    first = community.say(ana, days_ago=30)
    community.say(bob, days_ago=29, parent=first)
    community.attend(ana, days_ago=20)  # attended an event: in the stored score, never again in a page's points
    community.attend(None, days_ago=20)
    scoring.recompute(workspace, now=NOW)
    # new messages arrive: a new person replies to ana, bob replies again
    eve = community.person("Eve")
    community.attend(eve, days_ago=2)  # a person first scored by the page, in full
    new = [community.say(eve, days_ago=1, parent=first), community.say(bob, days_ago=0.5, parent=first)]
    touched = scoring.update_for_messages(workspace, [m.pk for m in new], now=NOW)
    assert touched == 3
    incremental = list(Person.objects.order_by("pk").values_list("pk", "score", "reach", "level"))
    scoring.recompute(workspace, now=NOW)
    full = list(Person.objects.order_by("pk").values_list("pk", "score", "reach", "level"))
    assert [r[0] for r in incremental] == [r[0] for r in full]
    for inc, ful in zip(incremental, full, strict=True):
        assert inc[1] == pytest.approx(ful[1], rel=1e-9)
        assert inc[2:] == ful[2:]
    assert dict((r[0], r[2]) for r in full)[ana.pk] == 2  # bob and eve


def test_a_sync_updates_the_scores_of_the_authors(synced, workspace):
    """connections.services calls people.engagement.scoring after each page: persons are scored without a recompute."""
    scored = Person.objects.filter(workspace=workspace, computed_at__isnull=False)
    assert scored.count() == Person.objects.filter(workspace=workspace).count() > 0
    assert scored.filter(score__gt=0).exists()
    before = list(Person.objects.order_by("pk").values_list("pk", "score", "reach"))
    scoring.recompute(workspace)
    after = list(Person.objects.order_by("pk").values_list("pk", "score", "reach"))
    for b, a in zip(before, after, strict=True):
        assert b[0] == a[0] and b[2] == a[2]
        assert b[1] == pytest.approx(a[1], rel=1e-3)  # the only difference: a few seconds more of decay


def test_the_formula_in_words_uses_the_workspace_numbers(workspace):
    s = scoring.settings_for(workspace)
    s.weight_reply, s.half_life_days = 7, 30
    text = " ".join(scoring.explain(s))
    assert "7 more" in text and "half after 30 days" in text


def test_settings_are_validated_and_nothing_is_saved_on_error(workspace, owner, member_factory):
    from django.core.exceptions import PermissionDenied, ValidationError

    from federe.people import services

    with pytest.raises(ValidationError) as exc:
        services.update_settings(
            workspace=workspace,
            values={"weight_post": "abc", "threshold_regular": "1", "half_life_days": "0"},
            by=owner,
        )
    assert set(exc.value.message_dict) == {"weight_post", "threshold_regular", "half_life_days"}
    assert scoring.settings_for(workspace).weight_post == 1.0
    services.update_settings(workspace=workspace, values={"weight_post": "2,5"}, by=owner, recompute=False)
    assert scoring.settings_for(workspace).weight_post == 2.5
    with pytest.raises(PermissionDenied):
        services.update_settings(workspace=workspace, values={"weight_post": "3"}, by=member_factory(Role.MODERATOR))
