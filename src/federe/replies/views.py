"""The saved replies page (list by folder, filters, create, edit, delete) and, in a thread's reply box, the
``/`` picker and the insertion of one reply filled for the thread (htmx fragments; static/federe/replies.js)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from federe.accounts.permissions import Perm, has_perm
from federe.connections.queries import connections_of
from federe.core.confirm import ask_again, is_confirmed
from federe.core.pages import add_errors, workspace_page
from federe.core.refusals import error_text
from federe.core.requests import WorkspaceRequest
from federe.inbox import queries as inbox_queries
from federe.inbox.models import Conversation
from federe.replies import forms, queries, services
from federe.replies.models import ReplyLanguage, SavedReply


def _saved(request: WorkspaceRequest, pk: int) -> SavedReply:
    try:
        return queries.saved_reply(request.workspace, pk)
    except SavedReply.DoesNotExist as exc:
        raise Http404 from exc


def _conversation(request: WorkspaceRequest, pk: int) -> Conversation:
    try:
        return inbox_queries.conversation(request.workspace, pk)
    except Conversation.DoesNotExist as exc:
        raise Http404 from exc


def _channels(request: WorkspaceRequest) -> list[tuple[int, str]]:
    return [(c.pk, c.name) for c in connections_of(request.workspace)]


def _page(request: WorkspaceRequest, form: forms.SavedReplyForm | None = None, status: int = 200) -> HttpResponse:
    workspace = request.workspace
    language = request.GET.get("language", "")
    language = language if language in ReplyLanguage.values else ""
    scope = request.GET.get("scope", "")
    rows = list(queries.listing(workspace, language=language, scope=scope))
    folders: dict[str, list[SavedReply]] = {}
    for row in rows:
        folders.setdefault(row.folder, []).append(row)
    context: dict[str, Any] = {
        "workspace": workspace,
        "nav": "inbox",
        "folders": sorted(folders.items(), key=lambda item: (item[0] == "", item[0].lower())),
        "count": len(rows),
        "language": language,
        "scope": scope,
        "languages": ReplyLanguage.choices,
        "channels": _channels(request),
        "may_edit": has_perm(request.user, workspace, Perm.REPLY),
        "form": form or forms.SavedReplyForm(channels=_channels(request), initial={"language": "fr"}),
    }
    return render(request, "replies/page.html", context, status=status)


@workspace_page()
def page(request: WorkspaceRequest, slug: str) -> HttpResponse:
    if request.method != "POST":
        return _page(request)
    form = forms.SavedReplyForm(request.POST, channels=_channels(request))
    if form.is_valid():
        try:
            saved = services.add(workspace=request.workspace, fields=form.fields_out(), by=request.user)
        except (ValidationError, PermissionDenied) as exc:
            add_errors(form, exc)
        else:
            flash.success(request, _("Saved reply “%(title)s” created.") % {"title": saved.title})
            return redirect("replies:list", slug=slug)
    return _page(request, form, status=422)


@workspace_page()
def edit(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    saved = _saved(request, pk)
    initial = {
        "title": saved.title,
        "folder": saved.folder,
        "language": saved.language,
        "connection": saved.connection_id or "",
        "body": saved.body,
    }
    form = forms.SavedReplyForm(request.POST or None, channels=_channels(request), initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                services.change(saved, fields=form.fields_out(), by=request.user)
            except (ValidationError, PermissionDenied) as exc:
                add_errors(form, exc)
            else:
                flash.success(request, _("Saved reply “%(title)s” changed.") % {"title": saved.title})
                return redirect("replies:list", slug=slug)
    context = {
        "workspace": request.workspace,
        "nav": "inbox",
        "saved": saved,
        "form": form,
        "may_edit": has_perm(request.user, request.workspace, Perm.REPLY),
    }
    return render(request, "replies/edit.html", context, status=status)


@workspace_page(post=True)
def remove(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    saved = _saved(request, pk)
    back = reverse("replies:edit", args=[slug, pk])
    if not is_confirmed(request):
        return ask_again(
            request,
            consequence=_("The saved reply “%(title)s” is deleted.") % {"title": saved.title},
            confirm_label=_("Delete this saved reply"),
            back=back,
        )
    try:
        services.remove(saved, by=request.user)
    except PermissionDenied as exc:
        flash.error(request, error_text(exc))
        return redirect(back)
    flash.success(request, _("Saved reply “%(title)s” deleted.") % {"title": saved.title})
    return redirect("replies:list", slug=slug)


@workspace_page(perm=Perm.REPLY)
def picker(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    """The saved replies offered on this thread, filtered by what follows the ``/`` typed."""
    conversation = _conversation(request, pk)
    search = request.GET.get("q", "").lstrip("/")[:60]
    context = {
        "workspace": request.workspace,
        "conversation": conversation,
        "offered": services.offered(conversation, search)[:12],
        "search": search,
    }
    return render(request, "replies/_picker_list.html", context)


@workspace_page(perm=Perm.REPLY)
def insert(request: WorkspaceRequest, slug: str, pk: int, reply_pk: int) -> HttpResponse:
    """The saved reply filled for this thread, or (it asks questions) the small form that asks them first."""
    conversation = _conversation(request, pk)
    saved = _saved(request, reply_pk)
    if saved.connection_id not in (None, conversation.connection_id):
        raise Http404
    questions = forms.question_fields(saved.body)
    answers = {label: request.POST.get(name, "") for name, label in questions}
    context: dict[str, Any] = {
        "workspace": request.workspace,
        "conversation": conversation,
        "saved": saved,
        "questions": [(name, label, answers[label]) for name, label in questions],
    }
    if request.method == "POST" or not questions:
        try:
            context["text"] = services.render_for(saved, conversation, agent=request.user, answers=answers)
            context["done"] = True
        except ValidationError as exc:
            context["error"] = error_text(exc)
    return render(request, "replies/_insert.html", context)
