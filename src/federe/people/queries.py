"""People reads, always scoped to one workspace: the list and its filters, segments, timelines, suggestions."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from federe.accounts.models import Workspace
from federe.core.params import MAX_DAYS, whole_number
from federe.inbox.models import Language, Message
from federe.people import languages as person_languages
from federe.people.models import (
    CustomField,
    Identity,
    Level,
    Merge,
    MergeSuggestion,
    Note,
    Person,
    PersonTag,
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
    campaign: int | None = None  # the people of a campaign (campaigns/membership.py says who they are)
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
            campaign=ident("campaign"),
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
        return bool(self.segment_dict() or self.q or self.campaign)


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
        qs = qs.filter(languages__in=person_languages.masks_with(filters.language))
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
    if filters.campaign:
        qs = qs.filter(pk__in=_campaign_people(workspace, filters.campaign))
    return qs.order_by(*SORTS[filters.sort])


def _campaign_people(workspace: Workspace, campaign_id: int) -> Any:
    """The ids of a campaign's people; none for a campaign of another workspace (or none at all)."""
    from federe.campaigns import membership  # campaigns is built on people: read when asked

    found = membership.of_workspace(workspace.pk, campaign_id)
    return membership.people(found).values("pk") if found else Person.objects.none().values("pk")


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
