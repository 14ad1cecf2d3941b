"""Hand-built entrants for the contest tests: every person, identity and message is created here."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count

import pytest

from federe.contests import services
from federe.inbox.models import Conversation, Direction, Message
from federe.people.models import Identity, Person
from tests.factories import ConnectionFactory

START = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
END = START + timedelta(days=7)
_ids = count(1)


class Town:
    def __init__(self, workspace, connection) -> None:
        self.workspace, self.connection = workspace, connection
        self.thread = Conversation.objects.create(
            workspace=workspace, connection=connection, external_id="contest-post", title="Win a mug"
        )

    def channel(self, name: str):
        return ConnectionFactory(workspace=self.workspace, name=name)

    def person(self, name: str, *, connection=None, first_seen: datetime | None = None) -> Identity:
        person = Person.objects.create(workspace=self.workspace, display_name=name, first_seen_at=first_seen)
        return self.identity(person, connection=connection)

    def identity(self, person: Person, *, connection=None) -> Identity:
        n = next(_ids)
        return Identity.objects.create(
            workspace=self.workspace,
            connection=connection or self.connection,
            person=person,
            external_id=f"who-{n}",
            display_name=person.display_name,
        )

    def say(self, who: Identity, text: str, *, at: datetime, thread=None, status="published", outbound=False):
        n = next(_ids)
        thread = thread or self.thread
        if who.connection_id != thread.connection_id:
            thread = Conversation.objects.create(
                workspace=self.workspace, connection=who.connection, external_id=f"t-{n}", title="Other"
            )
        return Message.objects.create(
            workspace=self.workspace,
            connection=who.connection,
            conversation=thread,
            external_id=f"m-{n}",
            author=who,
            body_html=f"<p>{text}</p>",
            body_text=text,
            posted_at=at,
            network_status=status,
            direction=Direction.OUTBOUND if outbound else Direction.INBOUND,
        )


@pytest.fixture
def town(workspace, connection):
    return Town(workspace, connection)


def fields(**changes) -> services.Fields:
    values = {"name": "Mug contest", "starts_at": START, "ends_at": END, "rule": "hashtag", "term": "#WinAMug"}
    values.update(changes)
    return services.Fields(**values)
