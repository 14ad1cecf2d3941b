"""Registrations: the page's (capacity kept by the database, waiting list, consent, the same address once), by
message (the contests' matcher), cancellation giving the seat to the waiting list, check-in and the counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from federe.accounts.models import Role
from federe.events import queries, seats, services
from federe.events.models import Event, Registration, Source, State
from federe.people.models import Identity, Person
from tests.events.conftest import fields

pytestmark = pytest.mark.django_db


def _register(event, name: str, consent: bool = True):
    email = f"{name.lower()}@example.org"
    return services.register_on_page(event=event, name=name, email=email, consent=consent)


def test_capacity_then_waiting_list_then_a_freed_seat(event, owner):
    first, second, third = (_register(event, n).registration for n in ("Ana", "Bo", "Cy"))
    assert [r.state for r in (first, second, third)] == [State.REGISTERED, State.REGISTERED, State.WAITING]
    event.refresh_from_db()
    assert event.seats_taken == 2
    services.cancel(registration=second, by=owner)
    third.refresh_from_db()
    assert third.state == State.REGISTERED
    event.refresh_from_db()
    assert event.seats_taken == 2
    counts = queries.counts(event)
    assert (counts.registered, counts.waiting, counts.seats_left) == (2, 0, 0)


def test_the_database_refuses_more_seats_than_the_capacity(event):
    _register(event, "Ana")
    _register(event, "Bo")
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.filter(pk=event.pk).update(seats_taken=3)
    assert seats.take(event) is False  # the conditional update takes nothing when full


def test_two_registrations_that_both_saw_the_last_seat_cannot_both_take_it(workspace, owner):
    """Two requests that both read the event with one seat left: the seat is taken by the database's conditional
    UPDATE, not from what each request read, so the second goes to the waiting list."""
    event = services.add(workspace=workspace, fields=fields(capacity=1), by=owner)
    first_view, second_view = Event.objects.get(pk=event.pk), Event.objects.get(pk=event.pk)
    assert first_view.seats_taken == second_view.seats_taken == 0
    assert _register(first_view, "Ana").registration.state == State.REGISTERED
    assert _register(second_view, "Bo").registration.state == State.WAITING
    event.refresh_from_db()
    assert event.seats_taken == 1


def test_the_same_address_is_one_registration(event):
    first = services.register_on_page(event=event, name="Ana", email="ana@example.org", consent=True)
    again = services.register_on_page(event=event, name="Ana B", email="ANA@example.org", consent=True)
    assert first.created and not again.created and again.registration.pk == first.registration.pk
    assert Registration.objects.filter(event=event).count() == 1


def test_refusals_are_in_words_and_register_nothing(workspace, owner):
    event = services.add(workspace=workspace, fields=fields(consent_text="I agree to be e-mailed."), by=owner)
    with pytest.raises(ValidationError) as refused:
        services.register_on_page(event=event, name=" ", email="not-an-address", consent=False)
    assert set(refused.value.message_dict) == {"name", "email", "consent"}
    event.status = "closed"
    event.save()
    with pytest.raises(ValidationError, match="closed"):
        _register(event, "Ana")
    assert not Registration.objects.exists()


def test_a_page_registration_links_the_person_with_that_address(event, town):
    ana = town.person("Ana")
    Identity.objects.filter(pk=ana.pk).update(email="ana@example.org")
    done = _register(event, "Ana")
    assert done.registration.person_id == ana.person_id


def test_registrations_by_message_use_the_contests_matcher(workspace, owner, town):
    event = services.add(workspace=workspace, fields=fields(rule="hashtag", term="#Meetup", capacity=None), by=owner)
    ana, bo = town.person("Ana"), town.person("Bo")
    now = timezone.now()
    town.say(ana, "Je viens ! #meetup", at=now - timedelta(hours=2))
    town.say(ana, "Moi aussi #Meetup", at=now - timedelta(hours=1))  # the same author: once
    town.say(bo, "meetup sans dièse", at=now - timedelta(hours=1))
    assert services.collect_registrations(event=event, by=owner) == 1
    assert services.collect_registrations(event=event, by=owner) == 0
    (row,) = Registration.objects.filter(event=event)
    assert (row.source, row.person_id, row.name) == (Source.MESSAGE, ana.person_id, "Ana")


def test_check_in_counts_and_no_shows_after_the_end(event, owner, member_factory):
    ana, bo = _register(event, "Ana").registration, _register(event, "Bo").registration
    services.check_in(registration=ana, by=owner)
    assert queries.counts(event).no_shows == 0  # not ended yet
    Event.objects.filter(pk=event.pk).update(
        starts_at=timezone.now() - timedelta(hours=3), ends_at=timezone.now() - timedelta(hours=1)
    )
    event.refresh_from_db()
    counts = queries.counts(event)
    assert (counts.registered, counts.checked_in, counts.no_shows) == (2, 1, 1)
    services.check_in(registration=ana, by=owner, undo=True)
    assert queries.counts(event).checked_in == 0
    with pytest.raises(PermissionDenied):
        services.check_in(registration=bo, by=member_factory(Role.ANALYST))


def test_capacity_cannot_go_below_the_seats_taken(event, owner):
    _register(event, "Ana")
    _register(event, "Bo")
    with pytest.raises(ValidationError) as refused:
        services.change(event=event, fields=fields(capacity=1), by=owner)
    assert "capacity" in refused.value.message_dict
    assert Person.objects.count() == 0


def test_attendance_shows_on_the_person_s_timeline(client, owner, workspace, event, town):
    ana = town.person("Ana")
    Identity.objects.filter(pk=ana.pk).update(email="ana@example.org")
    registration = _register(event, "Ana").registration
    services.check_in(registration=registration, by=owner)
    client.force_login(owner)
    page = client.get(f"/w/{workspace.slug}/people/{ana.person_id}/").content.decode()
    assert "Attended “Meetup”" in page


def test_a_cancelled_person_who_registers_again_takes_a_seat_again(event, owner):
    ana = _register(event, "Ana").registration
    services.cancel(registration=ana, by=owner)
    again = _register(event, "Ana")
    event.refresh_from_db()
    assert (again.registration.pk, again.registration.state, event.seats_taken) == (ana.pk, State.REGISTERED, 1)
    services.cancel(registration=again.registration, by=owner)
    _register(event, "Bo")
    _register(event, "Cy")  # the two seats taken: Ana, back again, waits
    assert _register(event, "Ana").registration.state == State.WAITING
    event.refresh_from_db()
    assert event.seats_taken == 2


def test_a_registration_by_message_the_team_cancelled_stays_cancelled(workspace, owner, town):
    event = services.add(workspace=workspace, fields=fields(rule="hashtag", term="#Meetup", capacity=None), by=owner)
    town.say(town.person("Ana"), "Je viens ! #meetup", at=timezone.now() - timedelta(hours=1))
    services.collect_registrations(event=event, by=owner)
    services.cancel(registration=Registration.objects.get(event=event), by=owner)
    assert services.collect_registrations(event=event, by=owner) == 0
    assert Registration.objects.get(event=event).state == State.CANCELLED


def test_a_seat_taken_while_the_capacity_is_lowered_is_a_form_error(event, owner, monkeypatch):
    _register(event, "Ana")
    real_apply = services._apply

    def a_seat_is_taken(target, f):  # as by a database that lets a registration in between the check and the save
        real_apply(target, f)
        assert seats.take(event)

    monkeypatch.setattr(services, "_apply", a_seat_is_taken)
    with pytest.raises(ValidationError) as refused:
        services.change(event=event, fields=fields(capacity=1), by=owner)
    assert "the capacity cannot be lower" in refused.value.message_dict["capacity"][0]
    event.refresh_from_db()
    assert event.capacity == 2  # nothing saved
