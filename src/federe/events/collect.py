"""Registrations collected from stored messages: a message received in the event's workspace, posted in the
``WINDOW_DAYS`` days before the event's start or during it, whose text holds the event's hashtag or keyword (the
contests' matcher, ``contests/matching.py``) registers its author once (``identity:<pk>``, linked to the author's
person). It runs when the organiser asks (the event's page, ``federe events collect``, the API), any number of
times: a registration made stays.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from federe.contests import matching
from federe.events import seats
from federe.events.models import EntryRule, Event, Source
from federe.inbox.models import Direction, Message

WINDOW_DAYS = 60


def _matches(event: Event, text: str) -> bool:
    if event.rule == EntryRule.HASHTAG:
        return matching.hashtag_matches(event.term, text)
    return matching.keyword_matches(event.term, text)


def collect(event: Event) -> int:
    """How many new registrations the stored messages gave."""
    messages = (
        Message.objects.filter(
            workspace=event.workspace,
            author__isnull=False,
            direction=Direction.INBOUND,
            posted_at__gte=event.starts_at - timedelta(days=WINDOW_DAYS),
            posted_at__lt=event.ends_at,
        )
        .select_related("author")
        .only("pk", "body_text", "posted_at", "author__person_id", "author__display_name", "author__handle")
        .order_by("posted_at", "pk")
    )
    created = 0
    for message in messages.iterator(chunk_size=500):
        if message.author is None or not _matches(event, message.body_text):
            continue
        author = message.author
        done = seats.register(
            event,
            key=f"identity:{author.pk}",
            name=author.display_name or author.handle,
            message=message,
            person_id=author.person_id,
            source=Source.MESSAGE,
        )
        created += int(done.created)
    Event.objects.filter(pk=event.pk).update(collected_at=timezone.now())
    return created
