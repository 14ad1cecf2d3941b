"""Checking an attendee in (or undoing it) moves their engagement score at once (issue 16)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from federe.events import services
from federe.people.engagement import formula, scoring
from federe.people.models import Identity, Person

pytestmark = pytest.mark.django_db


def _register(event, name: str, email: str):
    return services.register_on_page(event=event, name=name, email=email, consent=True).registration


def _posts_only(person: Person, posted_at, s) -> float:
    """What one published message is worth at the person's ``computed_at``."""
    return s.weight_post * formula.decay((person.computed_at - posted_at).total_seconds(), s)


def test_check_in_adds_the_weight_decayed_and_undo_takes_it_back(event, owner, workspace, town):
    ana = town.person("Ana")
    Identity.objects.filter(pk=ana.pk).update(email="ana@example.org")
    posted_at = timezone.now() - timedelta(days=10)
    town.say(ana, "Bonjour", at=posted_at)
    scoring.recompute(workspace)
    registration = _register(event, "Ana", "ana@example.org")
    assert registration.person_id == ana.person_id
    s = scoring.settings_for(workspace)

    services.check_in(registration=registration, by=owner)
    person = Person.objects.get(pk=ana.person_id)
    age = (person.computed_at - registration.checked_in_at).total_seconds()
    attended = s.weight_attended * formula.decay(age, s)
    assert attended > 0
    assert person.score == pytest.approx(_posts_only(person, posted_at, s) + attended, rel=1e-9)

    services.check_in(registration=registration, by=owner, undo=True)
    person = Person.objects.get(pk=ana.person_id)
    assert person.score == pytest.approx(_posts_only(person, posted_at, s), rel=1e-9)


def test_checking_in_someone_linked_to_nobody_scores_nobody(event, owner, workspace, town):
    ana = town.person("Ana")
    town.say(ana, "Bonjour", at=timezone.now() - timedelta(days=1))
    scoring.recompute(workspace)
    before = list(Person.objects.values_list("pk", "score", "computed_at"))
    registration = _register(event, "Guest", "guest@example.org")
    assert registration.person_id is None

    services.check_in(registration=registration, by=owner)
    assert registration.checked_in_at is not None
    assert list(Person.objects.values_list("pk", "score", "computed_at")) == before


def test_a_checked_in_registration_cancelled_then_made_again_loses_its_attendance(event, owner, workspace, town):
    """Registering again on the page after a cancellation starts afresh (not checked in): the attendance the person
    was credited with goes, at once."""
    ana = town.person("Ana")
    Identity.objects.filter(pk=ana.pk).update(email="ana@example.org")
    registration = _register(event, "Ana", "ana@example.org")
    services.check_in(registration=registration, by=owner)
    assert Person.objects.get(pk=ana.person_id).score > 0
    services.cancel(registration=registration, by=owner)
    again = _register(event, "Ana", "ana@example.org")
    assert again.pk == registration.pk and again.checked_in_at is None
    assert Person.objects.get(pk=ana.person_id).score == 0
