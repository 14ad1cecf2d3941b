"""A person's timeline: every kind of event about them, newest first, a page at a time.

Other apps add their own kinds of event with ``register_timeline_source``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from federe.accounts.models import Workspace
from federe.inbox.models import Message
from federe.moderation.models import Decision
from federe.people.models import CustomField, Identity, Merge, Note, Person, PersonTag, ReplyEdge


@dataclass(frozen=True)
class TimelineItem:
    at: datetime
    kind: str  # message, reply, decision, note, tag, field, merge, or a registered source's kind
    rank: int
    id: int
    obj: Any

    @property
    def cursor(self) -> str:
        return f"{self.at.isoformat()}|{self.rank}|{self.id}"


@dataclass(frozen=True)
class Cursor:
    at: datetime
    rank: int
    id: int

    @classmethod
    def parse(cls, raw: str) -> Cursor | None:
        if not raw:
            return None
        try:
            at, rank, pk = raw.split("|")
            parsed = datetime.fromisoformat(at)
            if timezone.is_naive(parsed):
                raise ValueError
            return cls(parsed, int(rank), int(pk))
        except ValueError as exc:
            raise ValidationError(_("This page of the timeline does not exist; showing the latest events.")) from exc


@dataclass(frozen=True)
class TimelineSource:
    """One kind of event. ``query(workspace, person, identity_ids)`` gives a queryset; rows become items.

    Campaign participations (not built yet) plug in here: ``register_timeline_source(TimelineSource(...))``
    with their own kind and rank; the person page shows ``kind`` with a generic template unless
    ``people/timeline/_<kind>.html`` exists.
    """

    kind: str
    rank: int
    time_field: str
    id_field: str
    query: Callable[[Workspace, Person, list[int]], QuerySet]


def _messages(workspace: Workspace, person: Person, identity_ids: list[int]) -> QuerySet:
    return Message.objects.filter(workspace=workspace, author_id__in=identity_ids).select_related(
        "connection", "conversation", "author"
    )


def _replies(workspace: Workspace, person: Person, identity_ids: list[int]) -> QuerySet:
    return (
        ReplyEdge.objects.filter(workspace=workspace, target_id__in=identity_ids)
        .exclude(source__person=person)
        .select_related("message__connection", "message__conversation", "source")
    )


def _decisions(workspace: Workspace, person: Person, identity_ids: list[int]) -> QuerySet:
    # "Decisions on one of their messages" as a semi-join on message ids (read from the message_author_lang index),
    # so that only the decided messages are read, not every message of a person who wrote 100,000.
    theirs = Message.objects.filter(author_id__in=identity_ids).values("pk")
    return Decision.objects.filter(workspace=workspace, message__in=theirs).select_related(
        "message", "actor", "rule_version__rule"
    )


def _notes(workspace: Workspace, person: Person, identity_ids: list[int]) -> QuerySet:
    return Note.objects.filter(workspace=workspace, person=person).select_related("author")


def _tags(workspace: Workspace, person: Person, identity_ids: list[int]) -> QuerySet:
    return PersonTag.objects.filter(person=person, tag__workspace=workspace).select_related("tag", "added_by")


def _fields(workspace: Workspace, person: Person, identity_ids: list[int]) -> QuerySet:
    return CustomField.objects.filter(workspace=workspace, person=person).select_related("set_by")


def _merges(workspace: Workspace, person: Person, identity_ids: list[int]) -> QuerySet:
    return Merge.objects.filter(workspace=workspace, kept=person).select_related("absorbed", "by")


TIMELINE_SOURCES: list[TimelineSource] = [
    TimelineSource("message", 70, "posted_at", "id", _messages),
    TimelineSource("reply", 60, "posted_at", "message_id", _replies),
    TimelineSource("decision", 50, "created_at", "id", _decisions),
    TimelineSource("note", 40, "created_at", "id", _notes),
    TimelineSource("tag", 30, "created_at", "id", _tags),
    TimelineSource("field", 20, "updated_at", "id", _fields),
    TimelineSource("merge", 10, "created_at", "id", _merges),
]


def register_timeline_source(source: TimelineSource) -> None:
    """The extension point for other apps (campaign participations, events...)."""
    if any(s.kind == source.kind for s in TIMELINE_SOURCES):
        raise ValueError(f"timeline source {source.kind!r} is already registered")
    TIMELINE_SOURCES.append(source)


def _before(source: TimelineSource, cursor: Cursor | None) -> Q:
    if cursor is None:
        return Q()
    t, i = source.time_field, source.id_field
    older = Q(**{f"{t}__lt": cursor.at})
    if source.rank < cursor.rank:
        return older | Q(**{t: cursor.at})
    if source.rank == cursor.rank:
        return older | Q(**{t: cursor.at, f"{i}__lt": cursor.id})
    return older


@dataclass
class TimelinePage:
    items: list[TimelineItem]
    next_cursor: str


def timeline(workspace: Workspace, person: Person, *, before: str = "", limit: int = 30) -> TimelinePage:
    """The person's events, newest first, ``limit`` at a time; ``before`` is the cursor of the previous page.

    Each source is asked for at most ``limit + 1`` rows older than the cursor (keyset pagination, so a deep
    page costs the same as the first), then the rows are merged in order.
    """
    cursor = Cursor.parse(before)
    identity_ids = list(Identity.objects.filter(person=person).values_list("pk", flat=True))
    rows: list[TimelineItem] = []
    for source in TIMELINE_SOURCES:
        qs = source.query(workspace, person, identity_ids).filter(_before(source, cursor))
        ordered = qs.order_by(f"-{source.time_field}", f"-{source.id_field}")[: limit + 1]
        for obj in ordered:
            rows.append(
                TimelineItem(
                    at=getattr(obj, source.time_field),
                    kind=source.kind,
                    rank=source.rank,
                    id=getattr(obj, source.id_field),
                    obj=obj,
                )
            )
    rows.sort(key=lambda item: (item.at, item.rank, item.id), reverse=True)
    page = rows[:limit]
    return TimelinePage(items=page, next_cursor=page[-1].cursor if len(rows) > limit else "")
