"""The SLA page (under the inbox): the policies in the order they are tried, the response-time figures of the last
30 days as a small chart; owners and community managers add, edit, move and delete policies."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from federe.accounts.permissions import Perm, may
from federe.connections.queries import connections_of
from federe.core.charts import category_chart
from federe.core.confirm import ask_again, is_confirmed
from federe.core.pages import add_errors, workspace_page
from federe.core.refusals import error_text
from federe.core.requests import WorkspaceRequest
from federe.sla import figures, forms, queries, services, words
from federe.sla.models import Policy, Target

WINDOW_DAYS = 30


def _policy(request: WorkspaceRequest, pk: int) -> Policy:
    try:
        return queries.policy(request.workspace, pk)
    except Policy.DoesNotExist as exc:
        raise Http404 from exc


def _channels(request: WorkspaceRequest) -> list[tuple[int, str]]:
    return [(c.pk, c.name) for c in connections_of(request.workspace)]


def _figures(request: WorkspaceRequest) -> dict[str, Any]:
    now = timezone.now()
    found = figures.response_figures(request.workspace.pk, now - timedelta(days=WINDOW_DAYS), now, now)
    shares = [(str(Target(t).label), found.share(t)) for t in Target.values]
    points = [(label, round(share * 100)) for label, share in shares if share is not None]
    chart = category_chart(points, title=_("Targets met (%), last 30 days"), width=360, height=150) if points else None
    return {
        "figures": found,
        "chart": chart,
        "median": words.duration(found.first_response_median) if found.first_response_median else "",
        "p90": words.duration(found.first_response_p90) if found.first_response_p90 else "",
    }


def _page(request: WorkspaceRequest, form: forms.PolicyForm | None = None, status: int = 200) -> HttpResponse:
    context = {
        "workspace": request.workspace,
        "nav": "inbox",
        "policies": list(queries.policies(request.workspace)),
        "may_edit": may(request, request.workspace, Perm.MANAGE_SLA),
        "form": form or forms.PolicyForm(channels=_channels(request), initial={"hours": "calendar"}),
        **_figures(request),
    }
    return render(request, "sla/page.html", context, status=status)


@workspace_page()
def page(request: WorkspaceRequest, slug: str) -> HttpResponse:
    if request.method != "POST":
        return _page(request)
    form = forms.PolicyForm(request.POST, channels=_channels(request))
    if form.is_valid():
        try:
            policy = services.add(workspace=request.workspace, fields=form.fields_out(), by=request.user)
        except (ValidationError, PermissionDenied) as exc:
            add_errors(form, exc)
        else:
            flash.success(request, _("SLA policy “%(name)s” added.") % {"name": policy.name})
            return redirect("sla:page", slug=slug)
    return _page(request, form, status=422)


@workspace_page()
def edit(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    policy = _policy(request, pk)
    form = forms.PolicyForm(request.POST or None, channels=_channels(request), initial=forms.initial_of(policy))
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                services.change(policy, fields=form.fields_out(), by=request.user)
            except (ValidationError, PermissionDenied) as exc:
                add_errors(form, exc)
            else:
                flash.success(request, _("SLA policy “%(name)s” changed; open threads follow.") % {"name": policy.name})
                return redirect("sla:page", slug=slug)
    context = {
        "workspace": request.workspace,
        "nav": "inbox",
        "policy": policy,
        "form": form,
        "may_edit": may(request, request.workspace, Perm.MANAGE_SLA),
    }
    return render(request, "sla/edit.html", context, status=status)


@workspace_page(post=True)
def move(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    policy = _policy(request, pk)
    try:
        services.move(policy, step=-1 if request.POST.get("step") == "up" else 1, by=request.user)
    except (ValidationError, PermissionDenied) as exc:
        flash.error(request, error_text(exc))
    return redirect("sla:page", slug=slug)


@workspace_page(post=True)
def remove(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    policy = _policy(request, pk)
    if not is_confirmed(request):
        return ask_again(
            request,
            consequence=_("The SLA policy “%(name)s” is deleted; open threads follow the next matching policy.")
            % {"name": policy.name},
            confirm_label=_("Delete this SLA policy"),
            back=reverse("sla:edit", args=[slug, pk]),
        )
    try:
        services.remove(policy, by=request.user)
    except PermissionDenied as exc:
        flash.error(request, error_text(exc))
        return redirect("sla:edit", slug=slug, pk=pk)
    flash.success(request, _("SLA policy “%(name)s” deleted.") % {"name": policy.name})
    return redirect("sla:page", slug=slug)
