from __future__ import annotations

from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from federe.accounts.models import Workspace
from federe.accounts.permissions import Perm, has_perm
from federe.accounts.queries import members_of, members_who_can
from federe.core.confirm import ask_again, is_confirmed
from federe.core.pages import workspace_page
from federe.core.refusals import error_text
from federe.core.requests import WorkspaceRequest
from federe.listening import services, voice
from federe.listening.charts import voice_chart
from federe.listening.delivery import delivery_problems
from federe.listening.forms import AlertSettingsForm, QueryForm
from federe.listening.models import Alert, Mention, SavedQuery
from federe.nlp.explain import SENTIMENT_NAMES


def _query(workspace: Workspace, pk: int) -> SavedQuery:
    query = get_object_or_404(SavedQuery, workspace=workspace, pk=pk)
    return query


@workspace_page()
def dashboard(request: WorkspaceRequest, slug: str) -> HttpResponse:
    workspace = request.workspace
    by = "week" if request.GET.get("by") == "week" else "day"
    days = 90 if by == "week" else 30
    brands = voice.voice_brands(workspace)
    points = voice.share_of_voice(workspace, days=days, by=by, brands=brands)
    queries = list(SavedQuery.objects.filter(workspace=workspace))
    chart = voice_chart(points, list(brands), title=_("Share of voice: brand and competitors"))
    counts = dict(Mention.objects.filter(workspace=workspace).values_list("query_id").annotate(n=Count("pk")))
    return render(
        request,
        "listening/dashboard.html",
        {
            "workspace": workspace,
            "nav": "listening",
            "chart": chart,
            "by": by,
            "days": days,
            "queries": [(q, counts.get(q.pk, 0)) for q in queries],
            "alerts": Alert.objects.filter(workspace=workspace).select_related("query")[:10],
            "can_manage": has_perm(request.user, workspace, Perm.MANAGE_LISTENING),
        },
    )


@workspace_page()
def voice_export(request: WorkspaceRequest, slug: str) -> HttpResponse:
    workspace = request.workspace
    by = "week" if request.GET.get("by") == "week" else "day"
    points = voice.share_of_voice(workspace, days=90 if by == "week" else 30, by=by)
    response = HttpResponse(voice.voice_csv(points, bom=True), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="share-of-voice-{workspace.slug}-{by}.csv"'
    return response


@workspace_page()
def query_edit(request: WorkspaceRequest, slug: str, pk: int | None = None) -> HttpResponse:
    workspace = request.workspace
    query = _query(workspace, pk) if pk is not None else None
    initial = {"name": query.name, "kind": query.kind, "brand": query.brand, "text": query.text} if query else {}
    form = QueryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_query(workspace=workspace, by=request.user, query=query, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        except PermissionDenied as exc:
            flash.error(request, str(exc) or _("You may not change listening queries."))
        else:
            flash.success(request, _("Query saved; recent messages were matched."))
            return redirect("listening:query", slug=slug, pk=saved.pk)
    return render(
        request,
        "listening/query_form.html",
        {"workspace": workspace, "nav": "listening", "form": form, "query": query},
        status=400 if form.errors else 200,
    )


@workspace_page(post=True)
def query_preview(request: WorkspaceRequest, slug: str) -> HttpResponse:
    workspace = request.workspace
    text = request.POST.get("text", "")
    error, found = "", []
    if text.strip():
        try:
            found = services.preview(workspace, text)
        except ValidationError as exc:
            error = error_text(exc)
    return render(
        request, "listening/_preview.html", {"workspace": workspace, "found": found, "error": error, "text": text}
    )


@workspace_page()
def query_detail(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    workspace = request.workspace
    query = _query(workspace, pk)
    mentions = (
        Mention.objects.filter(query=query)
        .select_related("message__connection", "message__author", "message__conversation")
        .order_by("-posted_at", "-id")
    )
    page = Paginator(mentions, 30).get_page(request.GET.get("page"))
    keep = request.GET.copy()
    keep.pop("page", None)
    return render(
        request,
        "listening/query.html",
        {
            "workspace": workspace,
            "nav": "listening",
            "query": query,
            "page": page,
            "pager_query": keep.urlencode(),
            "leaders": voice.opinion_leaders(query, order=request.GET.get("leaders", "mentions")),
            "leader_order": request.GET.get("leaders", "mentions"),
            "tones": list(SENTIMENT_NAMES.items()),
            "members": members_who_can(workspace, Perm.REPLY),
            "can_manage": has_perm(request.user, workspace, Perm.MANAGE_LISTENING),
            "can_assign": has_perm(request.user, workspace, Perm.ASSIGN),
        },
    )


def query_delete_effect(name: str) -> str:
    return _(
        "The query “%(name)s”, its mentions and alerts are deleted from Fédère; nothing changes on the networks."
        " This cannot be undone."
    ) % {"name": name}


@workspace_page(post=True)
def query_delete(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    workspace = request.workspace
    query = _query(workspace, pk)
    if not is_confirmed(request):
        return ask_again(
            request,
            consequence=query_delete_effect(query.name),
            confirm_label=_("Delete this query"),
            back=reverse("listening:query", args=[slug, pk]),
        )
    try:
        services.delete_query(query=query, by=request.user)
    except PermissionDenied as exc:
        flash.error(request, str(exc) or _("You may not change listening queries."))
        return redirect("listening:query", slug=slug, pk=pk)
    flash.success(request, _("Query deleted."))
    return redirect("listening:dashboard", slug=slug)


@workspace_page(post=True)
def mention_escalate(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    workspace = request.workspace
    mention = get_object_or_404(
        Mention.objects.select_related("query", "message__conversation"), workspace=workspace, pk=pk
    )
    member = next((m.user for m in members_of(workspace) if str(m.user.pk) == request.POST.get("assignee")), None)
    if member is None:
        flash.error(request, _("Choose a member of this workspace."))
    else:
        try:
            services.escalate(mention=mention, by=request.user, assignee=member, note=request.POST.get("note", ""))
        except (ValidationError, PermissionDenied) as exc:
            flash.error(request, error_text(exc))
        else:
            flash.success(
                request, _("Handed to %(user)s; the thread is in their inbox.") % {"user": member.get_username()}
            )
    return redirect("listening:query", slug=slug, pk=mention.query_id)


@workspace_page()
def alert_settings(request: WorkspaceRequest, slug: str) -> HttpResponse:
    workspace = request.workspace
    config = services.alert_settings(workspace.pk)
    form = AlertSettingsForm(request.POST or None, instance=config)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_alert_settings(form, by=request.user)
        except PermissionDenied as exc:
            flash.error(request, str(exc) or _("You may not change listening settings."))
        else:
            flash.success(request, _("Alert settings saved."))
            return redirect("listening:alerts", slug=slug)
    alerts = Alert.objects.filter(workspace=workspace).select_related("query")[:50]
    return render(
        request,
        "listening/alerts.html",
        {
            "workspace": workspace,
            "nav": "listening",
            "form": form,
            "alerts": [(a, services.describe(a), delivery_problems(a)) for a in alerts],
        },
        status=400 if form.errors else 200,
    )
