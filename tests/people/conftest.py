"""Small hand-built communities for the people tests: every row is created here, so results can be checked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from federe.inbox.models import Conversation, Message
from federe.people.models import Identity, Person
from tests.factories import ConnectionFactory

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


class Community:
    """Helpers to add persons, identities and messages to one workspace."""

    def __init__(self, workspace, connection) -> None:
        self.workspace = workspace
        self.connection = connection
        self.n = 0

    def channel(self, name: str, network: str = "dummy"):
        return ConnectionFactory(workspace=self.workspace, name=name, network=network)

    def person(self, name: str, *, connection=None, handle: str = "", email: str = "", url: str = "", **extra):
        self.n += 1
        connection = connection or self.connection
        person = Person.objects.create(workspace=self.workspace, display_name=name, **extra)
        Identity.objects.create(
            workspace=self.workspace,
            connection=connection,
            person=person,
            external_id=f"id-{self.n}",
            handle=handle,
            display_name=name,
            email=email,
            profile_url=url,
        )
        return person

    def identity(self, person):
        return person.identities.order_by("pk").first()

    def say(self, person, *, days_ago: float, parent: Message | None = None, status: str = "published", language="fr"):
        self.n += 1
        identity = self.identity(person)
        connection = parent.connection if parent else identity.connection
        conversation = (
            parent.conversation
            if parent
            else Conversation.objects.create(
                workspace=self.workspace, connection=connection, external_id=f"t-{self.n}", title=f"Thread {self.n}"
            )
        )
        posted = NOW - timedelta(days=days_ago)
        message = Message.objects.create(
            workspace=self.workspace,
            connection=connection,
            conversation=conversation,
            external_id=f"m-{self.n}",
            parent_external_id=parent.external_id if parent else "",
            author=identity,
            body_html=f"<p>message {self.n}</p>",
            body_text=f"message {self.n} by {person.display_name}",
            language=language,
            network_status=status,
            posted_at=posted,
        )
        Person.objects.filter(pk=person.pk, first_seen_at__isnull=True).update(first_seen_at=posted)
        Person.objects.filter(pk=person.pk).update(last_seen_at=max(filter(None, [person.last_seen_at, posted])))
        person.refresh_from_db()
        return message

    def attend(self, person: Person | None, *, days_ago: float | None, workspace=None, title: str = "Meetup"):
        """A registration of ``person`` (or of nobody known) at a new event, checked in ``days_ago`` (None: not)."""
        from federe.events.models import Event, Registration, Source

        self.n += 1
        start = NOW - timedelta(days=days_ago or 0, hours=1)
        event = Event.objects.create(
            workspace=workspace or self.workspace,
            title=title,
            starts_at=start,
            ends_at=start + timedelta(hours=3),
            place="Nantes",
            public_id=f"event-{self.n}",
        )
        return Registration.objects.create(
            event=event,
            key=f"email:guest-{self.n}@example.org",
            name=person.display_name if person else "Someone",
            source=Source.PAGE,
            person=person,
            checked_in_at=None if days_ago is None else NOW - timedelta(days=days_ago),
        )


@pytest.fixture
def community(workspace, connection):
    return Community(workspace, connection)
