"""A merge carries the absorbed person's event registrations (issue 16), folds a shared event into one registration,
never touches another workspace's, and undoing it puts each registration back (events/merges.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from federe.core.models import AuditEvent
from federe.events.models import Registration, Source, State
from federe.people.engagement import scoring
from federe.people.identities import merging
from federe.people.models import Merge, Person
from federe.people.timelines import timeline
from tests.factories import WorkspaceFactory
from tests.people.conftest import NOW

pytestmark = pytest.mark.django_db


def attendance(workspace, person: Person) -> list[int]:
    return sorted(item.obj.pk for item in timeline(workspace, person, limit=100).items if item.kind == "attendance")


def owners(*rows: Registration) -> list[int | None]:
    return [Registration.objects.get(pk=r.pk).person_id for r in rows]


def second_registration(row: Registration, person: Person, *, checked_in: bool, minutes_later: int) -> Registration:
    """Another registration of the same event (another address), made ``minutes_later`` than ``row``."""
    other = Registration.objects.create(
        event=row.event,
        key=f"email:other-{person.pk}@example.org",
        name=person.display_name,
        source=Source.PAGE,
        person=person,
        checked_in_at=NOW if checked_in else None,
    )
    Registration.objects.filter(pk=other.pk).update(created_at=row.created_at + timedelta(minutes=minutes_later))
    return other


def test_the_kept_person_gets_the_absorbed_person_s_attendance_on_the_timeline_and_in_the_score(
    community, workspace, owner
):
    keep, absorb = community.person("Ana Bell"), community.person("Ana B.")
    came = community.attend(absorb, days_ago=20)
    community.attend(absorb, days_ago=None)  # registered, never came
    assert attendance(workspace, keep) == [] and Person.objects.get(pk=keep.pk).score == 0

    merging.merge(keep=keep, absorb=absorb, by=owner)

    assert attendance(workspace, keep) == [came.pk]
    assert Registration.objects.filter(person=keep).count() == 2
    assert not Registration.objects.filter(person=absorb).exists()
    days = (timezone.now() - came.checked_in_at).total_seconds() / 86400
    weight = scoring.settings_for(workspace).weight_attended
    assert Person.objects.get(pk=keep.pk).score == pytest.approx(weight * 0.5 ** (days / 90), rel=1e-3)
    details = AuditEvent.objects.get(verb="person.merged").details
    assert details["registrations"] == 2 and details["registrations_folded"] == []


@pytest.mark.parametrize("checked_in_is_absorbed", [True, False])
def test_both_registered_to_one_event_keeps_the_checked_in_registration(
    community, workspace, owner, checked_in_is_absorbed
):
    keep, absorb = community.person("Ana Bell"), community.person("Ana B.")
    first = community.attend(keep if checked_in_is_absorbed else absorb, days_ago=None, title="Apéro")
    # the later registration is the checked-in one: the check-in wins over the earlier
    later = second_registration(first, absorb if checked_in_is_absorbed else keep, checked_in=True, minutes_later=5)

    record = merging.merge(keep=keep, absorb=absorb, by=owner)

    assert list(Registration.objects.filter(person=keep).values_list("pk", flat=True)) == [later.pk]
    assert attendance(workspace, keep) == [later.pk]
    assert Registration.objects.filter(event=first.event).count() == 2  # folded, not deleted: seats unchanged
    assert record.snapshot["registrations"]["folded"] == ["Apéro"]
    assert AuditEvent.objects.get(verb="person.merged").details["registrations_folded"] == ["Apéro"]

    merging.unmerge(record, by=owner)
    expected = [keep.pk, absorb.pk] if checked_in_is_absorbed else [absorb.pk, keep.pk]
    assert owners(first, later) == expected


def test_both_registered_and_neither_checked_in_keeps_the_earliest(community, workspace, owner):
    keep, absorb = community.person("Ana Bell"), community.person("Ana B.")
    first = community.attend(absorb, days_ago=None)
    later = second_registration(first, keep, checked_in=False, minutes_later=5)

    merging.merge(keep=keep, absorb=absorb, by=owner)

    assert owners(first, later) == [keep.pk, absorb.pk]
    assert Registration.objects.filter(person=keep).count() == 1


def test_a_merge_never_touches_another_workspace_s_registrations(community, workspace, owner):
    keep, absorb = community.person("Ana Bell"), community.person("Ana B.")
    rival = WorkspaceFactory(slug="rival", name="Rival")
    crossing = community.attend(absorb, days_ago=3, workspace=rival)  # a row across tenants: left alone
    theirs = Person.objects.create(workspace=rival, display_name="Ana Bell")
    their_row = community.attend(theirs, days_ago=3, workspace=rival)
    ours = community.attend(absorb, days_ago=3)

    record = merging.merge(keep=keep, absorb=absorb, by=owner)

    assert owners(crossing, their_row, ours) == [absorb.pk, theirs.pk, keep.pk]
    assert record.snapshot["registrations"]["moved"] == [ours.pk]
    merging.unmerge(record, by=owner)
    assert owners(crossing, their_row, ours) == [absorb.pk, theirs.pk, absorb.pk]


def test_undoing_the_merge_puts_each_registration_back_and_the_scores_with_them(community, workspace, owner):
    keep, absorb = community.person("Ana Bell"), community.person("Ana B.")
    own = community.attend(keep, days_ago=None)
    theirs = community.attend(absorb, days_ago=4)
    record = merging.merge(keep=keep, absorb=absorb, by=owner)
    assert owners(own, theirs) == [keep.pk, keep.pk] and Person.objects.get(pk=keep.pk).score > 0

    merging.unmerge(record, by=owner)

    assert owners(own, theirs) == [keep.pk, absorb.pk]
    assert attendance(workspace, keep) == [] and attendance(workspace, absorb) == [theirs.pk]
    assert Person.objects.get(pk=keep.pk).score == 0 and Person.objects.get(pk=absorb.pk).score > 0


def test_undoing_a_merge_made_before_registrations_moved_changes_no_registration(community, workspace, owner):
    keep, absorb = community.person("Ana Bell"), community.person("Ana B.")
    record = merging.merge(keep=keep, absorb=absorb, by=owner)
    row = community.attend(keep, days_ago=1)  # made for the kept person since
    snapshot = dict(record.snapshot)
    snapshot.pop("registrations")  # an old merge's snapshot
    type(record).objects.filter(pk=record.pk).update(snapshot=snapshot)
    record.refresh_from_db()
    merging.unmerge(record, by=owner)
    assert owners(row) == [keep.pk]


def test_both_registered_keeps_the_live_registration_over_an_earlier_cancelled_one(community, workspace, owner):
    keep, absorb = community.person("Ana Bell"), community.person("Ana B.")
    first = community.attend(keep, days_ago=None)
    Registration.objects.filter(pk=first.pk).update(state=State.CANCELLED)
    later = second_registration(first, absorb, checked_in=False, minutes_later=5)

    merging.merge(keep=keep, absorb=absorb, by=owner)

    assert owners(first, later) == [absorb.pk, keep.pk]  # the kept person holds the seat, not the cancellation


@pytest.mark.parametrize("absorbed_registered_first", [False, True])
def test_checking_in_a_folded_registration_credits_the_kept_person_and_survives_an_undo(
    community, workspace, owner, client, absorbed_registered_first
):
    """Both registered, neither checked in yet; after the merge the door finds the folded registration (the one
    the merge parked on the hidden person). Its check-in is credited once, to the person the team sees; undoing the
    merge leaves the check-in with the registration that was found at the door, on the person who made it."""
    from federe.events import services as events

    keep, absorb = community.person("Ana Bell"), community.person("Ana B.")
    first = community.attend(absorb if absorbed_registered_first else keep, days_ago=None, title="Apéro")
    later = second_registration(first, keep if absorbed_registered_first else absorb, checked_in=False, minutes_later=5)
    record = merging.merge(keep=keep, absorb=absorb, by=owner)
    at_the_door = later  # the earliest stays with the kept person: the later one is folded
    assert owners(first, later) == [keep.pk, absorb.pk]
    made_by = keep if absorbed_registered_first else absorb

    client.force_login(owner)
    page = f"/w/{workspace.slug}/events/{first.event_id}/check-in/"
    listed = client.get(page).content.decode()
    assert f'id="r{at_the_door.pk}"' in listed and "Merged with Ana Bell, also registered" in listed

    done = events.check_in(registration=Registration.objects.get(pk=at_the_door.pk), by=owner)

    assert done.pk == at_the_door.pk and Registration.objects.get(pk=at_the_door.pk).checked_in_at is not None
    assert owners(first, later) == [absorb.pk, keep.pk]  # the two swapped: the one found is the kept person's
    assert attendance(workspace, keep) == [at_the_door.pk]
    assert Person.objects.get(pk=keep.pk).score > 0 and Person.objects.get(pk=absorb.pk).score == 0
    assert client.get(page).content.decode().count("Checked in (undo)") == 2  # both rows show the one check-in
    # checking in the other row now changes nothing: the person is in
    events.check_in(registration=Registration.objects.get(pk=first.pk), by=owner)
    assert Registration.objects.get(pk=first.pk).checked_in_at is None

    merging.unmerge(Merge.objects.get(pk=record.pk), by=owner)

    assert Registration.objects.get(pk=at_the_door.pk).person_id == made_by.pk
    assert Registration.objects.get(pk=first.pk).checked_in_at is None
    assert owners(first, later) == ([absorb.pk, keep.pk] if absorbed_registered_first else [keep.pk, absorb.pk])


def test_undoing_a_check_in_from_a_folded_row_undoes_the_kept_person_s(community, workspace, owner):
    from federe.events import services as events

    keep, absorb = community.person("Ana Bell"), community.person("Ana B.")
    kept_row = community.attend(keep, days_ago=1, title="Apéro")  # came, checked in
    folded_row = second_registration(kept_row, absorb, checked_in=False, minutes_later=5)
    merging.merge(keep=keep, absorb=absorb, by=owner)

    events.check_in(registration=Registration.objects.get(pk=folded_row.pk), by=owner, undo=True)

    assert Registration.objects.get(pk=kept_row.pk).checked_in_at is None
    assert owners(kept_row, folded_row) == [keep.pk, absorb.pk]


def test_the_suggestions_page_says_beforehand_which_events_a_merge_folds(community, workspace, owner, client):
    from federe.people.identities import suggestions
    from federe.people.models import MergeSuggestion

    blog, forum = community.channel("Blog"), community.channel("Forum")
    a = community.person("Chloé Lefèvre", connection=blog, handle="chloe", email="chloe@example.org")
    b = community.person("chloe lefevre", connection=forum, handle="Chloe", email="CHLOE@example.org")
    apero = community.attend(a, days_ago=None, title="Apéro")
    second_registration(apero, b, checked_in=False, minutes_later=5)
    community.attend(b, days_ago=None, title="Atelier")  # b's alone: nothing folds there
    suggestions.refresh_suggestions(workspace, auto_merge=False)
    assert MergeSuggestion.objects.filter(person_a=a, person_b=b).exists()

    client.force_login(owner)
    page = client.get(f"/w/{workspace.slug}/people/suggestions/").content.decode()

    assert "Both are registered to Apéro: merging keeps one registration for the event" in page
    assert "Atelier" not in page

    owner.language = "fr"
    owner.save(update_fields=["language"])
    page = client.get(f"/w/{workspace.slug}/people/suggestions/").content.decode()
    assert "Les deux sont inscrits à Apéro : la fusion garde une seule inscription" in page
