"""What /api/v1/people/… reads and answers: the schemas, and the functions that fill them from models."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Schema

from federe.api.v1.schemas import Id, Offset
from federe.people.engagement import scoring
from federe.people.identities import evidence
from federe.people.models import Merge, MergeSuggestion, Person, ScoringSettings


class IdentityOut(Schema):
    id: int
    connection_id: int
    network: str
    external_id: str
    handle: str
    display_name: str
    profile_url: str


class PersonOut(Schema):
    id: int
    display_name: str
    level: str
    score: float
    reach: int
    first_seen_at: datetime | None
    last_seen_at: datetime | None
    computed_at: datetime | None
    merged_into: int | None
    identities: list[IdentityOut]
    tags: list[str]


class PersonDetail(PersonOut):
    fields: dict[str, str]
    notes: list[dict[str, Any]]
    open_suggestions: list[int]


class TimelineItemOut(Schema):
    at: datetime
    kind: str
    id: int
    summary: str


class TimelineOut(Schema):
    items: list[TimelineItemOut]
    next_before: str = Field(description="Pass as ?before= for the next (older) page; empty at the end")


class NoteIn(Schema):
    body: str = Field(min_length=1, max_length=5000)


class TagIn(Schema):
    name: str = Field(min_length=1, max_length=60)


class FieldIn(Schema):
    name: str = Field(min_length=1, max_length=60)
    value: str = Field("", max_length=500, description="Empty removes the field")


class SuggestionOut(Schema):
    id: int
    person_a: int
    person_b: int
    total: int
    confidence: str
    status: str
    signals: list[dict[str, Any]]
    evidence: list[str]


class AcceptIn(Schema):
    keep: Id | None = Field(None, description="The person to keep (one of the two); chosen for you if omitted")


class MergeIn(Schema):
    keep: Id
    absorb: Id


class MergeOut(Schema):
    id: int
    kept: int
    absorbed: int
    automatic: bool
    signals: list[dict[str, Any]]
    created_at: datetime
    undone_at: datetime | None


class SignalOut(Schema):
    kind: str
    person_id: int
    display_name: str
    reason: str


class SettingsIO(Schema):
    weight_post: float | None = None
    weight_reply: float | None = None
    weight_received: float | None = None
    weight_approved: float | None = None
    weight_removed: float | None = None
    weight_attended: float | None = None
    half_life_days: float | None = None
    reach_days: int | None = None
    threshold_occasional: float | None = None
    threshold_regular: float | None = None
    threshold_champion: float | None = None
    quiet_days: int | None = None
    signal_days: int | None = None
    auto_merge_threshold: int | None = None


class SettingsOut(SettingsIO):
    formula: list[str]
    computed_at: datetime | None


class RecomputeOut(Schema):
    persons: int
    seconds: float


class SegmentIn(Schema):
    name: str = Field(min_length=1, max_length=120)
    filters: dict[str, Any] = Field(
        description="levels, language, channel, tag, seen_within_days, silent_for_days, score_min, score_max"
    )


class SegmentOut(Schema):
    id: int
    name: str
    filters: dict[str, Any]


class EraseIn(Schema):
    confirm: str = Field(description="The person's display name or id, to confirm")


class ListParams(Schema):
    q: str = ""
    levels: list[str] = Field(default_factory=list)
    language: str = ""
    channel: Id | None = None
    tag: Id | None = None
    seen_within_days: int | None = None
    silent_for_days: int | None = None
    score_min: float | None = None
    score_max: float | None = None
    campaign: Id | None = None  # a campaign's people (the authors of its messages)
    sort: str = "score"
    segment: Id | None = None
    limit: int = 50
    offset: Offset = 0


def person_out(p: Person) -> PersonOut:
    return PersonOut(
        id=p.pk,
        display_name=p.display_name,
        level=p.level,
        score=round(p.score, 3),
        reach=p.reach,
        first_seen_at=p.first_seen_at,
        last_seen_at=p.last_seen_at,
        computed_at=p.computed_at,
        merged_into=p.merged_into_id,
        identities=[
            IdentityOut(
                id=i.pk,
                connection_id=i.connection_id,
                network=i.connection.network,
                external_id=i.external_id,
                handle=i.handle,
                display_name=i.display_name,
                profile_url=i.profile_url,
            )
            for i in p.identities.all()
        ],
        tags=[link.tag.name for link in p.tag_links.all()],
    )


def suggestion_out(s: MergeSuggestion) -> SuggestionOut:
    return SuggestionOut(
        id=s.pk,
        person_a=s.person_a_id,
        person_b=s.person_b_id,
        total=s.total,
        confidence=evidence.confidence(s.total),
        status=s.status,
        signals=s.signals,
        evidence=[evidence.describe(signal) for signal in s.signals],
    )


def merge_out(m: Merge) -> MergeOut:
    return MergeOut(
        id=m.pk,
        kept=m.kept_id,
        absorbed=m.absorbed_id,
        automatic=m.automatic,
        signals=m.signals,
        created_at=m.created_at,
        undone_at=m.undone_at,
    )


def settings_out(s: ScoringSettings) -> SettingsOut:
    return SettingsOut(
        **{name: getattr(s, name) for name in ScoringSettings.EDITABLE_FIELDS},
        formula=scoring.explain(s),
        computed_at=s.computed_at,
    )
