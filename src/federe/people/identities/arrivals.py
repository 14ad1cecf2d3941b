"""Authors the networks bring: each new one gets a person and an identity here, in bulk; known ones get seen.

The ingest pipeline (``inbox.ingest``) and history imports (``people.importers``) both call this module, so
people's rows are written by the people app only. ``identities.suggestions`` may later join persons found to be one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from federe.connections.models import Connection
from federe.connectors.types import Author
from federe.inbox.bulk import set_column
from federe.people.identities import keys as match_keys
from federe.people.models import Identity, Person

CHUNK = 500  # stays under every database's bound-parameter limit

#: When an author was first and last seen, by external id.
Seen = Mapping[str, tuple[datetime, datetime]]


def create(connection: Connection, authors: Sequence[Author], seen: Seen | None = None) -> dict[str, int]:
    """Create a person and an identity for each author (none of them known yet); identity ids by external id."""
    seen = seen or {}
    persons = Person.objects.bulk_create(
        (_person(connection, author, seen.get(author.external_id)) for author in authors), batch_size=CHUNK
    )
    created = Identity.objects.bulk_create(
        (_identity(connection, author, person) for author, person in zip(authors, persons, strict=True)),
        batch_size=CHUNK,
    )
    return {identity.external_id: identity.pk for identity in created}


def _person(connection: Connection, author: Author, seen: tuple[datetime, datetime] | None) -> Person:
    first, last = seen or (None, None)
    name = author.display_name or author.handle or author.external_id
    return Person(workspace_id=connection.workspace_id, display_name=name[:200], first_seen_at=first, last_seen_at=last)


def _identity(connection: Connection, author: Author, person: Person) -> Identity:
    identity = Identity(
        workspace_id=connection.workspace_id,
        connection=connection,
        person=person,
        external_id=author.external_id,
        handle=author.handle[:255],
        display_name=author.display_name[:255],
        profile_url=author.profile_url[:500],
        email=author.email,
        avatar_url=author.avatar_url[:500],
    )
    return match_keys.fill(identity)  # a bulk create does not call save()


def move_last_seen(latest: Mapping[int, datetime]) -> None:
    """Move each identity's person's "last seen" forward to the given time (identity id → time); never back."""
    persons = Person.objects.filter(identities__in=list(latest)).values_list("identities", "id", "last_seen_at")
    stale: dict[int, datetime] = {}
    for identity_id, person_id, last_seen in persons:
        when = latest[identity_id]
        if (last_seen is None or when > last_seen) and (person_id not in stale or when > stale[person_id]):
            stale[person_id] = when  # a person with two identities in the page takes the later time
    set_column(Person, "last_seen_at", stale)
