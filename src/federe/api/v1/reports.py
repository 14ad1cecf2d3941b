"""Client reports at ``/api/v1/reports``: report templates (list, create, read, change, delete; the logo as base64
PNG or JPEG), a template's report as JSON tables or as a PDF, and a share link that expires. Writing needs the
``manage_reports`` permission (owners, community managers, analysts)."""

from __future__ import annotations

import base64
import binascii
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from federe.analytics import period as periods
from federe.api.v1.schemas import Id
from federe.core.requests import ApiRequest
from federe.reports import content, render, services, sharing, transparency
from federe.reports.content import SECTIONS
from federe.reports.models import ReportTemplate

router = Router()


class TemplateIn(Schema):
    name: str = Field(..., max_length=120)
    language: str = Field("en", description='"fr" or "en": the report\'s language.')
    sections: list[str] = Field(default_factory=lambda: list(SECTIONS), description=f"Among {', '.join(SECTIONS)}.")
    days: int = Field(30, description="Days covered: 7, 30 or 90, up to the day before the report is made.")
    primary_colour: str = Field("#1F3A5F", max_length=7)
    accent_colour: str = Field("#C8553D", max_length=7)
    schedule: str = Field("", description='"", "weekly" or "monthly".')
    recipients: list[str] = Field(default_factory=list, max_length=50)
    logo_base64: str | None = Field(
        None, max_length=1_500_000, description='A PNG or JPEG of at most 1 MB; null keeps it, "" removes it.'
    )

    def fields(self) -> services.Fields:
        data = self.dict(exclude={"logo_base64"})
        return services.Fields(**data)

    def logo(self) -> bytes | None:
        if not self.logo_base64:
            return None
        try:
            return base64.b64decode(self.logo_base64, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValidationError({"logo_base64": [_("The logo is not valid base64.")]}) from exc


class TemplateOut(Schema):
    id: int
    name: str
    language: str
    sections: list[str]
    days: int
    primary_colour: str
    accent_colour: str
    schedule: str
    recipients: list[str]
    has_logo: bool
    next_send_at: datetime | None
    last_sent_at: datetime | None


class TableOut(Schema):
    family: str
    title: str
    header: list[str]
    rows: list[list[str | int | float | None]]
    notes: list[str]


class ReportOut(Schema):
    since: date
    until: date = Field(description="The last day, included.")
    language: str
    engagement_basis: str
    tables: list[TableOut]


class ShareIn(Schema):
    days: int = Field(30, description="How long the link works: 7, 30 or 90 days.")


class ShareOut(Schema):
    url: str
    expires_at: datetime


def template_out(t: ReportTemplate) -> TemplateOut:
    return TemplateOut(
        id=t.pk,
        name=t.name,
        language=t.language,
        sections=t.sections,
        days=t.days,
        primary_colour=t.primary_colour,
        accent_colour=t.accent_colour,
        schedule=t.schedule,
        recipients=t.addresses(),
        has_logo=bool(t.logo),
        next_send_at=t.next_send_at,
        last_sent_at=t.last_sent_at,
    )


def _found(request: ApiRequest, template_id: int) -> ReportTemplate:
    return ReportTemplate.objects.select_related("workspace").get(workspace=request.workspace, pk=template_id)


def _report(request: ApiRequest, template_id: int, since: str | None, until: str | None) -> content.Report:
    template = _found(request, template_id)
    period = periods.parse(None, since, until) if since or until else None
    return content.build(template, period)


class CountOut(Schema):
    code: str
    label: str
    decisions: int


class TransparencyOut(Schema):
    since: date
    until: date = Field(description="The last day, included.")
    decisions: int
    automatic: int = Field(description="Made by a rule.")
    human: int = Field(description="Made by a person.")
    median_minutes_to_act: float | None = Field(description="From the message reaching Fédère to the decision.")
    median_minutes_automatic: float | None
    median_minutes_human: float | None
    reversals: int = Field(description="Restored or unbanned in the period.")
    appeals_recorded: bool = Field(description="Always false: Fédère records no appeals.")
    by_action: list[CountOut]
    by_reason: list[CountOut]


@router.get("/transparency", response=TransparencyOut)
def get_transparency(
    request: ApiRequest, days: str | None = None, since: str | None = None, until: str | None = None
) -> TransparencyOut:
    """The moderation transparency report of a period (``days`` = 7, 30 or 90, or ``since`` and ``until``)."""
    found = transparency.build(request.workspace.pk, periods.parse(days, since, until))
    return TransparencyOut(
        since=found.period.since,
        until=found.period.last,
        decisions=found.total,
        automatic=found.automatic,
        human=found.human,
        median_minutes_to_act=transparency.minutes(found.median_all),
        median_minutes_automatic=transparency.minutes(found.median_automatic),
        median_minutes_human=transparency.minutes(found.median_human),
        reversals=found.reversals,
        appeals_recorded=False,
        by_action=[CountOut(code=c, label=transparency.action_label(c), decisions=n) for c, n in found.by_action],
        by_reason=[CountOut(code=c, label=transparency.reason_label(c), decisions=n) for c, n in found.by_reason],
    )


@router.get("", response=list[TemplateOut])
def list_templates(request: ApiRequest) -> list[TemplateOut]:
    return [template_out(t) for t in ReportTemplate.objects.filter(workspace=request.workspace)[:500]]


@router.post("", response={201: TemplateOut})
def create_template(request: ApiRequest, payload: TemplateIn) -> tuple[int, TemplateOut]:
    template = services.create_template(
        request.workspace, by=request.user, fields=payload.fields(), logo=payload.logo()
    )
    return 201, template_out(template)


@router.get("/{template_id}", response=TemplateOut)
def get_template(request: ApiRequest, template_id: Id) -> TemplateOut:
    return template_out(_found(request, template_id))


@router.put("/{template_id}", response=TemplateOut)
def update_template(request: ApiRequest, template_id: Id, payload: TemplateIn) -> TemplateOut:
    template = _found(request, template_id)
    services.change_template(
        template, by=request.user, fields=payload.fields(), logo=payload.logo(), drop_logo=payload.logo_base64 == ""
    )
    return template_out(template)


@router.delete("/{template_id}", response={204: None})
def delete_template(request: ApiRequest, template_id: Id) -> tuple[int, None]:
    services.delete_template(_found(request, template_id), by=request.user)
    return 204, None


@router.get("/{template_id}/report", response=ReportOut)
def get_report(request: ApiRequest, template_id: Id, since: str | None = None, until: str | None = None) -> ReportOut:
    """The report's tables for its rolling window (or ``since`` to ``until``, both included), in its language."""
    report = _report(request, template_id, since, until)
    return ReportOut(
        since=report.period.since,
        until=report.period.last,
        language=report.template.language,
        engagement_basis=report.engagement_basis,
        tables=[
            TableOut(
                family=t.family,
                title=t.title,
                header=[str(h) for h in t.header],
                rows=[[c if isinstance(c, int | float) or c is None else str(c) for c in row] for row in t.rows],
                notes=[str(n) for n in t.notes],
            )
            for t in report.tables
        ],
    )


@router.get("/{template_id}/pdf", response={200: None})
def get_pdf(request: ApiRequest, template_id: Id, since: str | None = None, until: str | None = None) -> HttpResponse:
    """The report as a PDF file (``application/pdf``)."""
    report = _report(request, template_id, since, until)
    response = HttpResponse(render.pdf(report), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{render.file_name(report, "pdf")}"'
    return response


@router.post("/{template_id}/share", response={201: ShareOut})
def share(request: ApiRequest, template_id: Id, payload: ShareIn) -> tuple[int, ShareOut]:
    """A link anyone can open without logging in, until it expires."""
    token, expires = sharing.make(_found(request, template_id), by=request.user, days=payload.days)
    url = settings.FEDERE_BASE_URL.rstrip("/") + reverse("reports:shared", args=[token])
    return 201, ShareOut(url=url, expires_at=expires)
