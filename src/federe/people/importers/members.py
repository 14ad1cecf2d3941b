"""The members an import brings: identities (with their persons) created or updated in bulk, and their clocks."""

from __future__ import annotations

from django.db.models import Max, Min

from federe.connections.models import Connection
from federe.connectors.types import Author
from federe.inbox.models import Message
from federe.people.identities import arrivals
from federe.people.identities import keys as match_keys
from federe.people.models import Identity, Person

CHUNK = 500  # stays under every database's bound-parameter limit
_FIELDS = ("handle", "display_name", "profile_url", "avatar_url")


def upsert_identities(connection: Connection, authors: list[Author]) -> tuple[int, int]:
    """Create the identities (and persons) not seen yet, update the ones whose name or links changed.

    Returns (created, updated). Call inside a transaction.
    """
    existing = _existing(connection, [a.external_id for a in authors])
    new = [a for a in authors if a.external_id not in existing]
    if new:
        arrivals.create(connection, new)
    changed, renamed = _changed(authors, existing)
    Identity.objects.bulk_update(
        [match_keys.fill(i) for i in changed], (*_FIELDS, *match_keys.KEY_FIELDS), batch_size=CHUNK
    )
    if renamed:
        _rename_persons(changed, renamed)
    return len(new), len(changed)


def _existing(connection: Connection, keys: list[str]) -> dict[str, Identity]:
    existing: dict[str, Identity] = {}
    for start in range(0, len(keys), CHUNK):
        for identity in Identity.objects.filter(connection=connection, external_id__in=keys[start : start + CHUNK]):
            existing[identity.external_id] = identity
    return existing


def _changed(authors: list[Author], existing: dict[str, Identity]) -> tuple[list[Identity], dict[int, str]]:
    """The identities to update, and the old name of each person whose identity was renamed."""
    changed: list[Identity] = []
    renamed: dict[int, str] = {}
    for author in authors:
        identity = existing.get(author.external_id)
        if identity is None:
            continue
        values = {
            "handle": author.handle[:255],
            "display_name": author.display_name[:255],
            # Without a site address this run, keep the links an earlier run made.
            "profile_url": author.profile_url[:500] or identity.profile_url,
            "avatar_url": author.avatar_url[:500],
        }
        if all(getattr(identity, key) == value for key, value in values.items()):
            continue
        if values["display_name"] != identity.display_name:
            renamed[identity.person_id] = identity.display_name
        for key, value in values.items():
            setattr(identity, key, value)
        changed.append(identity)
    return changed, renamed


def _rename_persons(changed: list[Identity], renamed: dict[int, str]) -> None:
    """A person keeps a name someone chose in Fédère; only the name that came from the network follows it."""
    names = {i.person_id: i.display_name for i in changed if i.person_id in renamed}
    persons = [p for p in Person.objects.filter(pk__in=list(renamed)) if p.display_name == renamed[p.pk][:200]]
    for person in persons:
        person.display_name = names[person.pk][:200]
    Person.objects.bulk_update(persons, ["display_name"], batch_size=CHUNK)


def update_person_clocks(connection: Connection) -> None:
    """First and last message of each person who wrote in this channel (they may also write elsewhere)."""
    spans = {
        row["author__person_id"]: (row["first"], row["last"])
        for row in Message.objects.filter(connection=connection, author__isnull=False)
        .values("author__person_id")
        .annotate(first=Min("posted_at"), last=Max("posted_at"))
    }
    ids = list(spans)
    for start in range(0, len(ids), CHUNK):
        stale = []
        for person in Person.objects.filter(pk__in=ids[start : start + CHUNK]).only("first_seen_at", "last_seen_at"):
            first, last = spans[person.pk]
            new_first = first if person.first_seen_at is None else min(first, person.first_seen_at)
            new_last = last if person.last_seen_at is None else max(last, person.last_seen_at)
            if (new_first, new_last) != (person.first_seen_at, person.last_seen_at):
                person.first_seen_at, person.last_seen_at = new_first, new_last
                stale.append(person)
        Person.objects.bulk_update(stale, ["first_seen_at", "last_seen_at"])
