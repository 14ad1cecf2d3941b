"""The campaign pages: list, create and edit, the campaign (its impact: a picture, a table beside it, goals and
cost per result) and delete. The budget pages are in ``budget_views.py``. Views translate; services decide."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from federe.accounts.permissions import Perm, has_perm
from federe.campaigns import impact as impacts
from federe.campaigns import membership, queries, services, words
from federe.campaigns.forms import CampaignForm, GoalsForm
from federe.campaigns.models import Campaign
from federe.core.charts import bar_chart
from federe.core.confirm import ask_again, is_confirmed
from federe.core.money import format_amount
from federe.core.pages import add_errors, workspace_page
from federe.core.refusals import error_text
from federe.core.requests import WorkspaceRequest


def found(request: WorkspaceRequest, pk: int) -> Campaign:
    try:
        return queries.campaign(request.workspace, pk)
    except Campaign.DoesNotExist:
        raise Http404 from None


@workspace_page()
def campaign_list(request: WorkspaceRequest, slug: str) -> HttpResponse:
    workspace = request.workspace
    rows = list(queries.campaigns(workspace))
    today = timezone.localdate(timezone=ZoneInfo(workspace.timezone))
    context = {
        "workspace": workspace,
        "nav": "posts",
        "today": today,
        "may_edit": has_perm(request.user, workspace, Perm.PUBLISH),
        "rows": [
            (c, format_amount(c.planned_total, workspace.currency), format_amount(c.spent_total, workspace.currency))
            for c in rows
        ],
    }
    return render(request, "campaigns/list.html", context)


def _form_page(request: WorkspaceRequest, form: CampaignForm, campaign: Campaign | None) -> HttpResponse:
    context = {"workspace": request.workspace, "nav": "posts", "form": form, "campaign": campaign}
    return render(request, "campaigns/edit.html", context, status=422 if form.errors else 200)


@workspace_page(perm=Perm.PUBLISH)
def create(request: WorkspaceRequest, slug: str) -> HttpResponse:
    form = CampaignForm(request.workspace, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.create_campaign(request.workspace, by=request.user, fields=form.fields_value())
        except (ValidationError, PermissionDenied) as exc:
            add_errors(form, exc)
        else:
            flash.success(request, _("Campaign created."))
            return redirect("campaigns:campaign", request.workspace.slug, campaign.pk)
    return _form_page(request, form, None)


@workspace_page(perm=Perm.PUBLISH)
def edit(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    campaign = found(request, pk)
    form = CampaignForm(request.workspace, request.POST or None, initial=vars(services.items_of(campaign)))
    if request.method == "POST" and form.is_valid():
        try:
            services.change_campaign(campaign, by=request.user, fields=form.fields_value())
        except (ValidationError, PermissionDenied) as exc:
            add_errors(form, exc)
        else:
            flash.success(request, _("Campaign saved."))
            return redirect("campaigns:campaign", request.workspace.slug, campaign.pk)
    return _form_page(request, form, campaign)


@workspace_page(perm=Perm.PUBLISH, post=True)
def delete(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    campaign = found(request, pk)
    if not is_confirmed(request):
        return ask_again(
            request,
            consequence=_(
                "The campaign “%(name)s”, its goals and its budget are deleted; its posts, links and queries are kept."
            )
            % {"name": campaign.name},
            confirm_label=_("Delete this campaign"),
            back=reverse("campaigns:campaign", args=[slug, pk]),
        )
    try:
        services.delete_campaign(campaign, by=request.user)
    except PermissionDenied as exc:
        flash.error(request, error_text(exc))
        return redirect("campaigns:campaign", request.workspace.slug, campaign.pk)
    flash.success(request, _("Campaign deleted. Its posts, links and queries are kept."))
    return redirect("campaigns:list", request.workspace.slug)


def _rows(impact: impacts.Impact | None, currency: str) -> list[dict[str, Any]]:
    if impact is None:
        return []
    rows = []
    for key, figure in impact.figures.items():
        cost = impact.cost_per(key)
        rows.append(
            {
                "label": words.LABELS[key],
                "before": words.value(figure, "before"),
                "after": words.value(figure, "after"),
                "change": words.change(figure),
                "verdict": words.verdict(figure),
                "significant": figure.comparison.significant,
                "sentence": words.sentence(figure),
                "cost": format_amount(cost, currency) if cost is not None else "",
            }
        )
    return rows


@workspace_page()
def campaign_page(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    campaign = found(request, pk)
    workspace = request.workspace
    impact = impacts.measure(campaign, timezone.now())
    planned, spent = queries.totals(campaign)
    chart = None
    if impact is not None:
        chart = bar_chart(
            queries.mentions_per_day(campaign, impact), title=_("Mentions per day, baseline then campaign")
        )
    goals_form = GoalsForm(initial={g.metric: g.target for g in campaign.goals.all()})
    context = {
        "workspace": workspace,
        "nav": "posts",
        "campaign": campaign,
        "impact": impact,
        "rows": _rows(impact, workspace.currency),
        "chart": chart,
        "goals": queries.goal_states(campaign, impact),
        "goals_form": goals_form,
        "planned": format_amount(planned, workspace.currency),
        "spent": format_amount(spent, workspace.currency),
        "posts": membership.posts(campaign),
        "links": membership.links(campaign).select_related("connection")[:100],
        "queries": membership.queries(campaign),
        "contests": membership.contests(campaign),
        "events": membership.events(campaign),
        "may_edit": has_perm(request.user, workspace, Perm.PUBLISH),
        "currency": workspace.currency,
    }
    return render(request, "campaigns/campaign.html", context)


@workspace_page(perm=Perm.PUBLISH, post=True)
def goals(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    campaign = found(request, pk)
    form = GoalsForm(request.POST)
    if not form.is_valid():
        flash.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    else:
        try:
            services.set_goals(campaign, by=request.user, targets=form.targets())
        except (ValidationError, PermissionDenied) as exc:
            flash.error(request, error_text(exc))
        else:
            flash.success(request, _("Goals saved."))
    return redirect("campaigns:campaign", request.workspace.slug, campaign.pk)


@workspace_page()
def mentions(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    """The campaign's mentions (its queries', during its dates), newest first, 30 a page."""
    campaign = found(request, pk)
    rows = (
        membership.mentions(campaign)
        .select_related("query", "message__connection", "message__author", "message__conversation")
        .order_by("-posted_at", "-id")
    )
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    context = {"workspace": request.workspace, "nav": "posts", "campaign": campaign, "page": page}
    return render(request, "campaigns/mentions.html", context)
