"""Campaigns: list, create, read, change, delete; their goals, budget lines (money as decimal strings, in the
workspace's ``currency``), impact (each figure before and during, its p-value and verdict) and mentions.
Writing needs the publishing permission (owners and community managers)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import Field, Router, Schema

from federe.api.v1.listening import MentionOut, mention_out
from federe.api.v1.schemas import Id
from federe.campaigns import impact as impacts
from federe.campaigns import membership, queries, services, spending, words
from federe.campaigns.models import BudgetLine, Campaign, Metric
from federe.core.requests import ApiRequest
from federe.publishing.csvread import MAX_BYTES

router = Router()

Money = Decimal


class CampaignIn(Schema):
    name: str = Field(..., max_length=120)
    description: str = Field("", max_length=5000)
    starts_on: date
    ends_on: date
    post_ids: list[Id] = Field(default_factory=list, max_length=services.MAX_ITEMS)
    link_ids: list[Id] = Field(default_factory=list, max_length=services.MAX_ITEMS)
    query_ids: list[Id] = Field(default_factory=list, max_length=services.MAX_ITEMS)
    contest_ids: list[Id] = Field(default_factory=list, max_length=services.MAX_ITEMS)
    event_ids: list[Id] = Field(default_factory=list, max_length=services.MAX_ITEMS)

    def fields(self) -> services.Fields:
        return services.Fields(**self.dict())


class GoalOut(Schema):
    metric: str
    target: Money


class CampaignOut(CampaignIn):
    id: int
    currency: str
    planned: Money
    spent: Money
    goals: list[GoalOut]


class GoalsIn(Schema):
    targets: dict[str, Money | None] = Field(
        ..., description=f"Measure → target (null removes it). Measures: {', '.join(Metric.values)}."
    )


class LineIn(Schema):
    category: str = Field(..., max_length=80)
    planned: Money = Field(Decimal(0), ge=0, max_digits=14, decimal_places=2)
    spent: Money = Field(Decimal(0), ge=0, max_digits=14, decimal_places=2)
    note: str = Field("", max_length=200)


class LineOut(LineIn):
    id: int


class FigureOut(Schema):
    key: str
    kind: str = Field(description='"count", "share" (0 to 1) or "per_post".')
    before: float
    during: float
    p_value: float
    within_normal_variation: bool
    sentence: str = Field(description="The difference in words, in the token user's language.")
    cost_per_result: Money | None


class ImpactOut(Schema):
    baseline_start: datetime
    during_start: datetime
    during_end: datetime
    currency: str
    spent: Money
    figures: list[FigureOut]


def campaign_out(campaign: Campaign) -> CampaignOut:
    planned, spent = queries.totals(campaign)
    return CampaignOut(
        id=campaign.pk,
        currency=campaign.workspace.currency,
        planned=planned,
        spent=spent,
        goals=[GoalOut(metric=g.metric, target=g.target) for g in campaign.goals.all()],
        **vars(services.items_of(campaign)),
    )


def line_out(line: BudgetLine) -> LineOut:
    return LineOut(id=line.pk, category=line.category, planned=line.planned, spent=line.spent, note=line.note)


@router.get("", response=list[CampaignOut])
def list_campaigns(request: ApiRequest) -> list[CampaignOut]:
    """The workspace's campaigns, the latest first."""
    return [campaign_out(c) for c in queries.campaigns(request.workspace).select_related("workspace")[:500]]


@router.post("", response={201: CampaignOut})
def create_campaign(request: ApiRequest, payload: CampaignIn) -> tuple[int, CampaignOut]:
    campaign = services.create_campaign(request.workspace, by=request.user, fields=payload.fields())
    return 201, campaign_out(queries.campaign(request.workspace, campaign.pk))


@router.get("/{campaign_id}", response=CampaignOut)
def get_campaign(request: ApiRequest, campaign_id: Id) -> CampaignOut:
    return campaign_out(queries.campaign(request.workspace, campaign_id))


@router.put("/{campaign_id}", response=CampaignOut)
def update_campaign(request: ApiRequest, campaign_id: Id, payload: CampaignIn) -> CampaignOut:
    """The whole campaign: what it groups is replaced by the lists given."""
    campaign = queries.campaign(request.workspace, campaign_id)
    services.change_campaign(campaign, by=request.user, fields=payload.fields())
    return campaign_out(queries.campaign(request.workspace, campaign_id))


@router.delete("/{campaign_id}", response={204: None})
def delete_campaign(request: ApiRequest, campaign_id: Id) -> tuple[int, None]:
    """The campaign, its goals and budget; its posts, links and queries are kept."""
    services.delete_campaign(queries.campaign(request.workspace, campaign_id), by=request.user)
    return 204, None


@router.put("/{campaign_id}/goals", response=CampaignOut)
def set_goals(request: ApiRequest, campaign_id: Id, payload: GoalsIn) -> CampaignOut:
    campaign = queries.campaign(request.workspace, campaign_id)
    services.set_goals(campaign, by=request.user, targets=dict(payload.targets))
    return campaign_out(campaign)


@router.get("/{campaign_id}/budget-lines", response=list[LineOut])
def list_lines(request: ApiRequest, campaign_id: Id) -> list[LineOut]:
    return [line_out(line) for line in queries.lines(queries.campaign(request.workspace, campaign_id))]


@router.post("/{campaign_id}/budget-lines", response={201: LineOut})
def add_line(request: ApiRequest, campaign_id: Id, payload: LineIn) -> tuple[int, LineOut]:
    campaign = queries.campaign(request.workspace, campaign_id)
    line = services.save_line(campaign, by=request.user, fields=services.LineFields(**payload.dict()))
    return 201, line_out(line)


@router.put("/{campaign_id}/budget-lines/{line_id}", response=LineOut)
def update_line(request: ApiRequest, campaign_id: Id, line_id: Id, payload: LineIn) -> LineOut:
    campaign = queries.campaign(request.workspace, campaign_id)
    line = queries.lines(campaign).get(pk=line_id)
    return line_out(
        services.save_line(campaign, by=request.user, fields=services.LineFields(**payload.dict()), line=line)
    )


@router.delete("/{campaign_id}/budget-lines/{line_id}", response={204: None})
def delete_line(request: ApiRequest, campaign_id: Id, line_id: Id) -> tuple[int, None]:
    campaign = queries.campaign(request.workspace, campaign_id)
    services.remove_line(queries.lines(campaign).get(pk=line_id), by=request.user)
    return 204, None


class SpendIn(Schema):
    csv: str = Field(
        ..., max_length=MAX_BYTES, description="The file's text: category and spent columns (planned, note)."
    )
    dry_run: bool = Field(False, description="True: the report only, nothing changed.")


class SpendRowOut(Schema):
    row: int = Field(description="As a spreadsheet numbers it: the header is row 1.")
    category: str
    spent: Money
    problems: list[str]


class SpendOut(Schema):
    imported: bool = Field(description="False when a row was refused (then nothing was imported) or on a dry run.")
    notes: list[str]
    rows: list[SpendRowOut]


@router.post("/{campaign_id}/spend-import", response=SpendOut)
def import_spend(request: ApiRequest, campaign_id: Id, payload: SpendIn) -> SpendOut:
    """Spending from a CSV file (``campaigns/spending.py``): each row adds to its category's line; every row or
    none. A file that cannot be read at all is a 422; a refused row is named in the report."""
    campaign = queries.campaign(request.workspace, campaign_id)
    data = payload.csv.encode("utf-8", "replace")
    run = spending.check_file if payload.dry_run else spending.import_spend
    report = run(campaign, request.user, data)
    if report.problems:
        raise ValidationError({"csv": report.problems})
    rows = [SpendRowOut(row=r.number, category=r.category, spent=r.spent, problems=r.problems) for r in report.rows]
    return SpendOut(imported=report.imported, notes=report.notes, rows=rows)


@router.get("/{campaign_id}/impact", response={200: ImpactOut, 204: None})
def get_impact(request: ApiRequest, campaign_id: Id) -> tuple[int, ImpactOut | None]:
    """Each figure during the campaign so far and over its baseline (the same length just before it); 204 before
    the campaign starts."""
    campaign = queries.campaign(request.workspace, campaign_id)
    found = impacts.measure(campaign, timezone.now())
    if found is None:
        return 204, None
    figures = [
        FigureOut(
            key=key,
            kind=f.kind,
            before=f.before,
            during=f.after,
            p_value=f.comparison.p_value,
            within_normal_variation=not f.comparison.significant,
            sentence=words.sentence(f),
            cost_per_result=found.cost_per(key),
        )
        for key, f in found.figures.items()
    ]
    return 200, ImpactOut(
        baseline_start=found.baseline.start,
        during_start=found.during.start,
        during_end=found.during.end,
        currency=campaign.workspace.currency,
        spent=found.spent,
        figures=figures,
    )


@router.get("/{campaign_id}/mentions", response=list[MentionOut])
def list_mentions(request: ApiRequest, campaign_id: Id, limit: int = 50) -> list[MentionOut]:
    """Its mentions: its queries' mentions posted during its dates, newest first."""
    campaign = queries.campaign(request.workspace, campaign_id)
    rows = membership.mentions(campaign).select_related(
        "message__connection", "message__author", "message__conversation"
    )
    return [mention_out(m) for m in rows.order_by("-posted_at", "-id")[: max(1, min(limit, 500))]]
