"""Attendance in the engagement score: a check-in of a registration linked to a person earns ``weight_attended``,
decayed from the check-in, by the same formula as every other point (people.engagement.formula's "attended")."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from federe.events.models import Registration
from federe.people.engagement import formula, scoring
from federe.people.models import Person
from tests.factories import WorkspaceFactory
from tests.people.conftest import NOW

pytestmark = pytest.mark.django_db


def decay(days: float, half_life: float = 90.0) -> float:
    return 0.5 ** (days / half_life)


def scores(workspace) -> dict[int, float]:
    return dict(Person.objects.filter(workspace=workspace).values_list("pk", "score"))


def test_a_check_in_adds_exactly_the_weight_decayed_from_the_check_in(community, workspace):
    ana, bob = community.person("Ana"), community.person("Bob")
    community.say(ana, days_ago=10)
    community.say(bob, days_ago=5)
    row = community.attend(ana, days_ago=None)
    community.attend(bob, days_ago=None)  # registered, never came
    scoring.recompute(workspace, now=NOW)
    unchecked = scores(workspace)
    assert unchecked[ana.pk] == pytest.approx(decay(10), rel=1e-9)  # registering alone earns nothing

    Registration.objects.filter(pk=row.pk).update(checked_in_at=NOW - timedelta(days=30))
    scoring.recompute(workspace, now=NOW)
    checked = scores(workspace)
    s = scoring.settings_for(workspace)
    assert s.weight_attended == 3.0
    assert checked[ana.pk] - unchecked[ana.pk] == pytest.approx(s.weight_attended * decay(30), rel=1e-9)
    assert checked[bob.pk] == unchecked[bob.pk]


def test_recomputing_some_persons_counts_attendance_like_the_full_recompute(community, workspace):
    ana, bob = community.person("Ana"), community.person("Bob")
    community.attend(ana, days_ago=45)
    s = scoring.settings_for(workspace)
    s.weight_attended = 5
    s.save()
    scoring.update_for_persons(workspace, [ana.pk], now=NOW)
    assert Person.objects.get(pk=ana.pk).score == pytest.approx(5 * decay(45), rel=1e-9)
    assert Person.objects.get(pk=ana.pk).level == "occasional"  # 3.54 points, with no message at all
    assert Person.objects.get(pk=bob.pk).computed_at is None


def test_a_registration_without_a_person_earns_nobody_anything(community, workspace):
    ana = community.person("Ana")
    community.say(ana, days_ago=1)
    scoring.recompute(workspace, now=NOW)
    before = scores(workspace)
    community.attend(None, days_ago=1)
    scoring.recompute(workspace, now=NOW)
    assert scores(workspace) == before


def test_another_workspace_s_registrations_never_count(community, workspace):
    ana = community.person("Ana")
    community.say(ana, days_ago=1)
    rival = WorkspaceFactory(slug="rival", name="Rival")
    theirs = Person.objects.create(workspace=rival, display_name="Zoé")
    community.attend(theirs, days_ago=2, workspace=rival)
    community.attend(ana, days_ago=2, workspace=rival)  # a row that crosses tenants: it counts for nobody
    community.attend(theirs, days_ago=2)  # nor does this one, the other way round

    scoring.recompute(workspace, now=NOW)
    assert Person.objects.get(pk=ana.pk).score == pytest.approx(decay(1), rel=1e-9)
    assert Person.objects.get(pk=theirs.pk).computed_at is None  # the rival's person is not touched
    scoring.update_for_persons(workspace, [ana.pk], now=NOW)
    assert Person.objects.get(pk=ana.pk).score == pytest.approx(decay(1), rel=1e-9)

    scoring.recompute(rival, now=NOW)
    assert Person.objects.get(pk=theirs.pk).score == pytest.approx(3 * decay(2), rel=1e-9)  # once: its own event
    scoring.update_for_persons(rival, [theirs.pk], now=NOW)
    assert Person.objects.get(pk=theirs.pk).score == pytest.approx(3 * decay(2), rel=1e-9)


def test_a_page_of_new_messages_brings_no_attendance(workspace):
    sql = formula.points_sql(formula.Scope(messages=[1, 2]), "sqlite")
    assert "events_registration" not in sql
    assert "events_registration" in formula.points_sql(formula.Scope(persons=[1]), "sqlite")
    assert formula.Scope(messages=[1]).condition(formula.ATTENDANCE) == "1 = 0"


def test_the_settings_page_shows_the_weight_with_its_help_in_both_languages(client, owner, workspace):
    client.force_login(owner)
    page = client.get(reverse("people:settings", args=[workspace.slug])).content.decode()
    assert "Attending an event (checked in)" in page
    assert "the person was checked in at" in page
    assert "Being checked in at one of the workspace&#x27;s events is worth 3 points." in page
    assert 'name="weight_attended" value="3.0"' in page
    response = client.post(reverse("people:settings", args=[workspace.slug]), {"weight_attended": "5,5"})
    assert response.status_code == 302 and scoring.settings_for(workspace).weight_attended == 5.5

    client.post(reverse("accounts:set-language"), {"language": "fr"})
    page = client.get(reverse("people:settings", args=[workspace.slug])).content.decode()
    assert "Participer à un événement (présence pointée)" in page
    assert "où la présence de la personne a été pointée" in page
    assert "vaut 5,5 points" in page
