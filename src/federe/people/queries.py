"""People reads, always scoped to one workspace: the list and its filters, segments, timelines, suggestions."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from federe.accounts.models import Workspace
from federe.core.params import MAX_DAYS, whole_number
from federe.inbox.models import Language, Message
from federe.moderation.models import Decision
from federe.people.models import (
    CustomField,
    Identity,
    Level,
    Merge,
    MergeSuggestion,
    Note,
    Person,
    PersonTag,
    ReplyEdge,
    Segment,
    SuggestionStatus,
    Tag,
)

SORTS = {
    "score": ("-score", "id"),
    "reach": ("-reach", "-score", "id"),
    "last_seen": ("-last_seen_at", "id"),
    "first_seen": ("-first_seen_at", "id"),
    "name": ("display_name", "id"),
}


def _first(params: Mapping[str, Any], name: str) -> str:
    value = params.get(name, "")
    if isinstance(value, list | tuple):
        value = value[0] if value else ""
    return str(value or "").strip()


def _all(params: Mapping[str, Any], name: str) -> list[str]:
    getlist = getattr(params, "getlist", None)
    values = getlist(name) if getlist else params.get(name, [])
    if isinstance(values, str):
        values = [values]
    return [str(v).strip() for v in values or [] if str(v).strip()]


@dataclass(frozen=True)
class PeopleFilters:
    """What a people list or a segment keeps. Every field is optional; empty means "any"."""

    q: str = ""
    levels: tuple[str, ...] = ()
    language: str = ""
    channel: int | None = None
    tag: int | None = None
    seen_within_days: int | None = None
    silent_for_days: int | None = None
    score_min: float | None = None
    score_max: float | None = None
    sort: str = "score"
    errors: tuple[str, ...] = field(default=(), compare=False)

    SEGMENT_KEYS = (
        "levels",
        "language",
        "channel",
        "tag",
        "seen_within_days",
        "silent_for_days",
        "score_min",
        "score_max",
    )

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> PeopleFilters:
        """Read filters from a query string or a stored segment. Bad values are dropped, each with an error."""
        errors: list[str] = []

        def integer(name: str, label: str) -> int | None:
            raw = _first(params, name)
            if not raw:
                return None
            days = whole_number(raw, high=MAX_DAYS)
            if days is not None:
                return days
            errors.append(_("%(field)s: enter a whole number of days (0 or more).") % {"field": label})
            return None

        def number(name: str, label: str) -> float | None:
            raw = _first(params, name).replace(",", ".")
            if not raw:
                return None
            try:
                value = float(raw)
            except ValueError:
                value = float("nan")
            if value != value or abs(value) > 1e9:
                errors.append(_("%(field)s: enter a number.") % {"field": label})
                return None
            return value

        def ident(name: str) -> int | None:
            raw = _first(params, name)
            return whole_number(raw)

        levels = tuple(v for v in _all(params, "levels") + _all(params, "level") if v in Level.values)
        language = _first(params, "language")
        sort = _first(params, "sort")
        score_min, score_max = number("score_min", _("Lowest score")), number("score_max", _("Highest score"))
        if score_min is not None and score_max is not None and score_min > score_max:
            errors.append(_("The lowest score is above the highest score."))
        return cls(
            q=_first(params, "q")[:100],
            levels=tuple(dict.fromkeys(levels)),
            language=language if language in Language.values else "",
            channel=ident("channel"),
            tag=ident("tag"),
            seen_within_days=integer("seen_within_days", _("Seen in the last")),
            silent_for_days=integer("silent_for_days", _("Silent for")),
            score_min=score_min,
            score_max=score_max,
            sort=sort if sort in SORTS else "score",
            errors=tuple(errors),
        )

    def segment_dict(self) -> dict[str, Any]:
        """The part a segment stores: the filters, without the name search and the sort."""
        values = asdict(self)
        out = {}
        for key in self.SEGMENT_KEYS:
            value = values[key]
            if value in (None, "", ()):
                continue
            out[key] = list(value) if isinstance(value, tuple) else value
        return out

    def query_params(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):
            if f.name == "errors":
                continue
            value = getattr(self, f.name)
            if value in (None, "", ()) or (f.name == "sort" and value == "score"):
                continue
            out[f.name] = list(value) if isinstance(value, tuple) else value
        return out

    @property
    def active(self) -> bool:
        return bool(self.segment_dict() or self.q)


def persons(workspace: Workspace, filters: PeopleFilters, *, now: datetime | None = None) -> QuerySet[Person]:
    now = now or timezone.now()
    qs = Person.objects.filter(workspace=workspace, merged_into__isnull=True)
    if filters.q:
        qs = qs.filter(
            Q(display_name__icontains=filters.q)
            | Exists(Identity.objects.filter(person=OuterRef("pk"), handle__icontains=filters.q))
        )
    if filters.levels:
        qs = qs.filter(level__in=filters.levels)
    if filters.language:
        qs = qs.filter(
            Exists(Message.objects.filter(author__person=OuterRef("pk"), language=filters.language, direction="in"))
        )
    if filters.channel:
        qs = qs.filter(Exists(Identity.objects.filter(person=OuterRef("pk"), connection_id=filters.channel)))
    if filters.tag:
        qs = qs.filter(Exists(PersonTag.objects.filter(person=OuterRef("pk"), tag_id=filters.tag)))
    if filters.seen_within_days is not None:
        qs = qs.filter(last_seen_at__gte=now - timedelta(days=filters.seen_within_days))
    if filters.silent_for_days is not None:
        qs = qs.filter(last_seen_at__lt=now - timedelta(days=filters.silent_for_days))
    if filters.score_min is not None:
        qs = qs.filter(score__gte=filters.score_min)
    if filters.score_max is not None:
        qs = qs.filter(score__lte=filters.score_max)
    return qs.order_by(*SORTS[filters.sort])


def with_identities(qs: QuerySet[Person]) -> QuerySet[Person]:
    return qs.prefetch_related(
        Prefetch("identities", queryset=Identity.objects.select_related("connection").order_by("connection_id", "id")),
        Prefetch("tag_links", queryset=PersonTag.objects.select_related("tag").order_by("tag__name")),
    )


def person(workspace: Workspace, pk: int) -> Person:
    """A person of the workspace (raises Person.DoesNotExist otherwise); merged persons too, for their old URL."""
    return Person.objects.get(workspace=workspace, pk=pk)


def level_distribution(workspace: Workspace) -> list[tuple[str, str, int]]:
    counts = dict(
        Person.objects.filter(workspace=workspace, merged_into__isnull=True)
        .values_list("level")
        .annotate(n=Count("id"))
        .order_by()
    )
    return [(value, str(label), counts.get(value, 0)) for value, label in Level.choices]


def identities_of(person: Person) -> QuerySet[Identity]:
    return Identity.objects.filter(person=person).select_related("connection").order_by("connection__name", "id")


def tags_of(workspace: Workspace) -> QuerySet[Tag]:
    return Tag.objects.filter(workspace=workspace).order_by("name")


def tag_links_of(person: Person) -> QuerySet[PersonTag]:
    return PersonTag.objects.filter(person=person).select_related("tag").order_by("tag__name")


def fields_of(person: Person) -> QuerySet[CustomField]:
    return CustomField.objects.filter(person=person).order_by("name")


def notes_of(person: Person) -> QuerySet[Note]:
    return Note.objects.filter(person=person).select_related("author").order_by("-created_at", "-id")


# --------------------------------------------------------------------------- segments


def segments_of(workspace: Workspace) -> QuerySet[Segment]:
    return Segment.objects.filter(workspace=workspace).order_by("name")


def segment_of(workspace: Workspace, pk: int | None) -> Segment | None:
    if not pk:
        return None
    return Segment.objects.filter(workspace=workspace, pk=pk).first()


def persons_in_segment(workspace: Workspace, segment_id: int) -> QuerySet[Person]:
    """The persons a segment keeps; nothing when the segment is not one of this workspace."""
    segment = segment_of(workspace, segment_id)
    if segment is None:
        return Person.objects.none()
    return persons(workspace, PeopleFilters.from_params(segment.filters)).order_by()


def messages_by_segment(workspace: Workspace, segment_id: int) -> QuerySet[Message]:
    """Messages written by the persons of a segment (for the inbox filter)."""
    return Message.objects.filter(
        workspace=workspace, author__person__in=persons_in_segment(workspace, segment_id).values("pk")
    )


# --------------------------------------------------------------------------- suggestions and merges


def suggestions(workspace: Workspace, status: str = SuggestionStatus.OPEN) -> QuerySet[MergeSuggestion]:
    return (
        MergeSuggestion.objects.filter(workspace=workspace, status=status)
        .select_related("person_a", "person_b", "decided_by")
        .prefetch_related(
            Prefetch("person_a__identities", queryset=Identity.objects.select_related("connection")),
            Prefetch("person_b__identities", queryset=Identity.objects.select_related("connection")),
        )
        .order_by("-total", "-id")
    )


def suggestion_of(workspace: Workspace, pk: int) -> MergeSuggestion:
    return MergeSuggestion.objects.select_related("person_a", "person_b", "workspace").get(workspace=workspace, pk=pk)


def suggestions_for(person: Person) -> QuerySet[MergeSuggestion]:
    return (
        MergeSuggestion.objects.filter(
            Q(person_a=person) | Q(person_b=person), workspace_id=person.workspace_id, status=SuggestionStatus.OPEN
        )
        .select_related("person_a", "person_b")
        .order_by("-total", "-id")
    )


def merges(workspace: Workspace) -> QuerySet[Merge]:
    return (
        Merge.objects.filter(workspace=workspace)
        .select_related("kept", "absorbed", "by", "undone_by")
        .order_by("-created_at", "-id")
    )


def merge_of(workspace: Workspace, pk: int) -> Merge:
    return Merge.objects.select_related("kept", "absorbed", "workspace").get(workspace=workspace, pk=pk)


def merges_of(person: Person) -> QuerySet[Merge]:
    return (
        Merge.objects.filter(Q(kept=person) | Q(absorbed=person), workspace_id=person.workspace_id)
        .select_related("kept", "absorbed", "by", "undone_by")
        .order_by("-created_at", "-id")
    )


# --------------------------------------------------------------------------- the timeline


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
    return Decision.objects.filter(workspace=workspace, message__author_id__in=identity_ids).select_related(
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


# --------------------------------------------------------------------------- exports


def export_rows(workspace: Workspace, filters: PeopleFilters | None = None) -> Iterator[list[str]]:
    """CSV rows: person id, display name, score, level, reach, last seen, identities as network:external_id."""
    qs = persons(workspace, filters or PeopleFilters()).prefetch_related(
        Prefetch(
            "identities",
            queryset=Identity.objects.select_related("connection")
            .only("person_id", "external_id", "connection__network")
            .order_by("id"),
        )
    )
    for p in qs.iterator(chunk_size=2000):
        yield [
            str(p.pk),
            p.display_name,
            f"{p.score:.2f}",
            p.level,
            str(p.reach),
            p.last_seen_at.isoformat() if p.last_seen_at else "",
            " ".join(f"{i.connection.network}:{i.external_id}" for i in p.identities.all()),
        ]


EXPORT_HEADER = ["person_id", "display_name", "score", "level", "reach", "last_seen", "identities"]
