"""New authors become persons and identities through the people app; known ones move their "last seen" forward."""

from __future__ import annotations

from datetime import timedelta

import pytest

from federe.connectors.types import Author
from federe.people.identities import arrivals
from federe.people.models import Identity
from tests.people.conftest import NOW

pytestmark = pytest.mark.django_db


def test_each_new_author_gets_a_person_named_by_its_best_name(community):
    ids = arrivals.create(
        community.connection,
        [Author("a-1", handle="zoe", display_name="Zoé"), Author("a-2", handle="max"), Author("a-3")],
        {"a-1": (NOW - timedelta(days=2), NOW)},
    )
    identities = {i.external_id: i for i in Identity.objects.filter(pk__in=ids.values()).select_related("person")}
    assert {key: identities[key].person.display_name for key in ids} == {"a-1": "Zoé", "a-2": "max", "a-3": "a-3"}
    assert identities["a-1"].person.first_seen_at == NOW - timedelta(days=2)
    assert identities["a-2"].person.last_seen_at is None


def test_a_person_seen_through_two_identities_keeps_the_later_time(community):
    person = community.person("Anne", last_seen_at=NOW - timedelta(days=30))
    first = community.identity(person)
    second = Identity.objects.create(
        workspace=community.workspace, connection=community.connection, person=person, external_id="anne-2"
    )
    later, earlier = NOW - timedelta(days=1), NOW - timedelta(days=5)
    arrivals.move_last_seen({first.pk: later, second.pk: earlier})  # the later identity row carries the earlier time
    person.refresh_from_db()
    assert person.last_seen_at == later


def test_last_seen_never_moves_back(community):
    person = community.person("Bob", last_seen_at=NOW)
    arrivals.move_last_seen({community.identity(person).pk: NOW - timedelta(days=3)})
    person.refresh_from_db()
    assert person.last_seen_at == NOW
