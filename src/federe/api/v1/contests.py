"""Contests: list, create (safe to retry with an ``Idempotency-Key`` header), read, entries (read, collect again,
exclude or reinstate one with a reason), commit, draw, announce the winners by reply, and the certificate's JSON
(the data ``verify_draw.py`` reads; before the draw, the commitment only). Changes need the publish permission."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from ninja import Field, Header, Router, Schema

from federe.api.v1.schemas import Id, Moment
from federe.contests import announce, queries, services
from federe.contests.models import Contest, Entry
from federe.contests.words import entry_status
from federe.core.requests import ApiRequest

router = Router()

RuleName = Literal["hashtag", "keyword", "reply", "quiz"]


class QuestionIn(Schema):
    text: str = Field(..., max_length=300)
    answers: list[str] = Field(..., min_length=1, max_length=50)


class ContestIn(Schema):
    name: str = Field(..., max_length=120)
    starts_at: Moment
    ends_at: Moment
    rule: RuleName = "hashtag"
    term: str = Field("", max_length=100)
    reply_to_id: Id | None = None
    channel_ids: list[Id] = Field(default_factory=list, max_length=500, description="None: every channel.")
    winners_count: int = Field(1, ge=1, le=services.MAX_WINNERS)
    exclude_staff: bool = True
    exclude_blocked: bool = True
    min_account_days: int | None = Field(None, ge=1, le=3650)
    public_source: str = Field("", max_length=300)
    questions: list[QuestionIn] = Field(default_factory=list, max_length=services.MAX_QUESTIONS)

    def fields(self) -> services.Fields:
        data = self.dict(exclude={"questions"})
        return services.Fields(**data, questions=[(q.text, list(q.answers)) for q in self.questions])


class ContestOut(Schema):
    id: int
    name: str
    stage: str
    starts_at: datetime
    ends_at: datetime
    rule: str
    term: str
    winners_count: int
    commitment: str
    committed_at: datetime | None
    entries_sha256: str
    drawn_at: datetime | None
    certificate_path: str


class EntryOut(Schema):
    id: int
    key: str
    name: str
    posted_at: datetime
    eligible: bool
    reason: str
    status: str
    rank: int | None
    announcement_state: str


class DecideIn(Schema):
    exclude: bool
    note: str = Field(..., max_length=300)


class DrawIn(Schema):
    public_value: str = Field(..., max_length=500)
    source: str = Field(..., max_length=500)


class AnnounceIn(Schema):
    text: str = Field(..., max_length=5000)


class CollectedOut(Schema):
    created: int
    updated: int
    removed: int


class FailureOut(Schema):
    name: str
    error: str


class AnnouncedOut(Schema):
    """The latest announcement run: the worker sends it; read it again for its progress."""

    state: str  # queued, running, done
    total: int
    sent: int
    failed: int
    remaining: int
    skipped: int
    failures: list[FailureOut]


def announced_out(contest: Contest) -> AnnouncedOut:
    run, p = announce.latest(contest)
    if run is None or p is None:
        return AnnouncedOut(state="", total=0, sent=0, failed=0, remaining=0, skipped=0, failures=[])
    return AnnouncedOut(
        state=run.state,
        total=p.total,
        sent=p.sent,
        failed=p.failed,
        remaining=p.remaining,
        skipped=p.skipped,
        failures=[FailureOut(name=name, error=error) for name, error in p.failures],
    )


def contest_out(c: Contest) -> ContestOut:
    return ContestOut(
        id=c.pk,
        name=c.name,
        stage=c.stage,
        starts_at=c.starts_at,
        ends_at=c.ends_at,
        rule=c.rule,
        term=c.term,
        winners_count=c.winners_count,
        commitment=c.commitment,
        committed_at=c.committed_at,
        entries_sha256=c.entries_sha256,
        drawn_at=c.drawn_at,
        certificate_path=f"/draws/{c.public_id}/",
    )


def entry_out(e: Entry) -> EntryOut:
    return EntryOut(
        id=e.pk,
        key=e.key,
        name=e.name,
        posted_at=e.posted_at,
        eligible=e.eligible,
        reason=e.reason or e.decided,
        status=entry_status(e),
        rank=e.rank,
        announcement_state=e.announcement.state if e.announcement else "",
    )


@router.get("", response=list[ContestOut])
def list_contests(request: ApiRequest) -> list[ContestOut]:
    return [contest_out(c) for c in queries.contests(request.workspace)]


@router.post("", response={201: ContestOut})
def create_contest(
    request: ApiRequest, payload: ContestIn, idempotency_key: str = Header("", alias="Idempotency-Key")
) -> tuple[int, ContestOut]:
    contest = services.add(
        workspace=request.workspace, fields=payload.fields(), by=request.user, client_key=idempotency_key
    )
    return 201, contest_out(contest)


@router.get("/{contest_id}", response=ContestOut)
def get_contest(request: ApiRequest, contest_id: Id) -> ContestOut:
    return contest_out(queries.contest(request.workspace, contest_id))


@router.get("/{contest_id}/entries", response=list[EntryOut])
def list_entries(request: ApiRequest, contest_id: Id, show: Literal["", "eligible", "excluded"] = "") -> list[EntryOut]:
    return [entry_out(e) for e in queries.entries(queries.contest(request.workspace, contest_id), show)]


@router.post("/{contest_id}/entries/collect", response=CollectedOut)
def collect_entries(request: ApiRequest, contest_id: Id) -> CollectedOut:
    found = services.collect_entries(contest=queries.contest(request.workspace, contest_id), by=request.user)
    return CollectedOut(created=found.created, updated=found.updated, removed=found.removed)


@router.post("/{contest_id}/entries/{entry_id}/decide", response=EntryOut)
def decide_entry(request: ApiRequest, contest_id: Id, entry_id: Id, payload: DecideIn) -> EntryOut:
    entry = queries.entry(queries.contest(request.workspace, contest_id), entry_id)
    return entry_out(services.decide_entry(entry=entry, exclude=payload.exclude, note=payload.note, by=request.user))


@router.post("/{contest_id}/commit", response=ContestOut)
def commit(request: ApiRequest, contest_id: Id) -> ContestOut:
    return contest_out(services.commit(contest=queries.contest(request.workspace, contest_id), by=request.user))


@router.post("/{contest_id}/draw", response=ContestOut)
def draw(request: ApiRequest, contest_id: Id, payload: DrawIn) -> ContestOut:
    contest = queries.contest(request.workspace, contest_id)
    return contest_out(
        services.run_draw(contest=contest, public_value=payload.public_value, source=payload.source, by=request.user)
    )


@router.post("/{contest_id}/announce", response={202: AnnouncedOut})
def announce_winners(request: ApiRequest, contest_id: Id, payload: AnnounceIn) -> tuple[int, AnnouncedOut]:
    """Queued for the worker: the answer is the run just claimed; GET the same address for its progress."""
    contest = queries.contest(request.workspace, contest_id)
    announce.announce_winners(contest=contest, text=payload.text, by=request.user)
    return 202, announced_out(contest)


@router.get("/{contest_id}/announce", response=AnnouncedOut)
def announcement_progress(request: ApiRequest, contest_id: Id) -> AnnouncedOut:
    return announced_out(queries.contest(request.workspace, contest_id))


@router.get("/{contest_id}/certificate", response=dict[str, Any])
def certificate(request: ApiRequest, contest_id: Id) -> dict[str, Any]:
    """The published JSON once drawn; before, the commitment and its time only (the rules stay sealed)."""
    c = queries.contest(request.workspace, contest_id)
    if c.published:
        return dict(c.published)
    return {"commitment": c.commitment, "committed_at": c.committed_at.isoformat() if c.committed_at else ""}
