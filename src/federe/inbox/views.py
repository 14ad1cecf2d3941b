from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from django.contrib import messages as flash
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from federe.accounts.models import Workspace
from federe.accounts.permissions import Perm, has_perm
from federe.accounts.queries import members_of, members_who_can
from federe.campaigns.queries import choices as campaign_choices
from federe.connections.queries import connections_of
from federe.core.pages import workspace_page
from federe.core.params import whole_number
from federe.core.refusals import error_text
from federe.core.requests import AuthedRequest, WorkspaceRequest
from federe.inbox import list_views, notes, queries, reading, services
from federe.inbox.forms import AssignForm, PriorityForm, ReplyForm, StatusForm
from federe.inbox.models import (
    Conversation,
    ConversationStatus,
    Direction,
    Language,
    Message,
    Priority,
    Reply,
    ReplyState,
)
from federe.moderation import menu
from federe.nlp.explain import SENTIMENT_NAMES
from federe.people.queries import segments_of
from federe.replies import services as saved_replies
from federe.sla import queries as sla_queries
from federe.sla import words as sla_words


def _conversation(workspace: Workspace, pk: int) -> Conversation:
    try:
        return queries.conversation(workspace, pk)
    except Conversation.DoesNotExist as exc:
        raise Http404 from exc


def _ids(values: list[str]) -> list[int]:
    """The ids of a form's list, ASCII digits only ("²" is a digit to isdigit() and no number to int())."""
    return [n for n in (whole_number(v) for v in values[:20]) if n is not None]


def _list_query(request: AuthedRequest) -> str:
    """The inbox filters of this request, or (htmx posts) of the page it came from, as a query string."""
    params = request.GET.dict()
    if not params and request.htmx and request.htmx.current_url:
        params = {name: values[-1] for name, values in parse_qs(urlsplit(request.htmx.current_url).query).items()}
    return queries.InboxFilters.from_params(params).as_query()


def _thread_context(request: AuthedRequest, workspace: Workspace, conv: Conversation, form: ReplyForm | None = None):
    thread = list(queries.thread(workspace, conv))
    can_moderate = has_perm(request.user, workspace, Perm.MODERATE)
    if can_moderate:  # each message's action menu: its channel's actions only
        menu.attach(m for m in thread if m.direction == Direction.INBOUND)
    notes_after = notes.attach_notes(thread, notes.notes_of(conv))  # internal notes, interleaved by time
    reading.mark_read(workspace, request.user, [conv.pk])  # the reader sees it up to its last message
    return {
        "notes_after": notes_after,
        "teammates": members_of(workspace),
        "note_max": notes.MAX_NOTE_LENGTH,
        "workspace": workspace,
        "conversation": conv,
        "query": _list_query(request),
        "thread": thread,
        "can_moderate": can_moderate,
        "thread_url": reverse("inbox:thread", args=[workspace.slug, conv.pk]),
        "pending_replies": Reply.objects.filter(workspace=workspace, conversation=conv).exclude(state=ReplyState.SENT),
        "form": form or ReplyForm(),
        "members": members_who_can(workspace, Perm.REPLY),
        "statuses": ConversationStatus.choices,
        "can_reply": has_perm(request.user, workspace, Perm.REPLY),
        "can_assign": has_perm(request.user, workspace, Perm.ASSIGN),
        "tones": list(SENTIMENT_NAMES.items()),
        "priorities": Priority.choices,
        "sla_lines": _sla_lines(conv),
    }


def _sla_lines(conv: Conversation) -> list[sla_words.Line]:
    clock = sla_queries.clock_of(conv)
    return sla_words.lines(clock, timezone.now()) if clock else []


@workspace_page()
def inbox(request: WorkspaceRequest, slug: str) -> HttpResponse:
    return _inbox_page(request)


def _inbox_page(
    request: WorkspaceRequest, pk: int | None = None, form: ReplyForm | None = None, status: int = 200
) -> HttpResponse:
    """The list, and the thread ``pk`` beside it when one is open (the page without JavaScript)."""
    workspace = request.workspace
    filters = queries.InboxFilters.from_params(request.GET.dict())
    listing = queries.conversations(workspace, filters, request.user).prefetch_related("labels")
    page = Paginator(listing, 40).get_page(request.GET.get("page"))
    context = {
        "workspace": workspace,
        "nav": "inbox",
        "page": page,
        "filters": filters,
        "connections": connections_of(workspace),
        "statuses": ConversationStatus.choices,
        "languages": Language.choices,
        "segments": segments_of(workspace),
        "campaigns": campaign_choices(workspace),
        "query": filters.as_query(),
        **list_views.list_context(request, filters),
    }
    if pk is not None:
        context.update(_thread_context(request, workspace, _conversation(workspace, pk), form))
    if request.htmx and request.htmx.target == "conversation-list":
        return render(request, "inbox/_list.html", context)
    return render(request, "inbox/inbox.html", context, status=status)


@workspace_page()
def thread(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    workspace = request.workspace
    conv = _conversation(workspace, pk)
    if not request.htmx:
        return _inbox_page(request, pk)
    return render(request, "inbox/_thread.html", _thread_context(request, workspace, conv))


def _render_thread(request: WorkspaceRequest, workspace: Workspace, conv: Conversation, form: ReplyForm | None = None):
    conv.refresh_from_db()
    if request.htmx:
        response = render(request, "inbox/_thread.html", _thread_context(request, workspace, conv, form))
        response["HX-Trigger"] = "inbox-changed"  # the list refreshes its statuses
        return response
    if form is not None and form.errors:
        # Without JavaScript: show the whole page again, with the error and the text typed.
        return _inbox_page(request, conv.pk, form=form, status=422)
    return redirect("inbox:thread", slug=workspace.slug, pk=conv.pk)


@workspace_page(post=True)
def reply(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    workspace = request.workspace
    conv = _conversation(workspace, pk)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return _render_thread(request, workspace, conv, form)
    parent = None
    if form.cleaned_data.get("in_reply_to"):
        parent = Message.objects.filter(
            workspace=workspace, conversation=conv, pk=form.cleaned_data["in_reply_to"]
        ).first()
    try:
        sent = services.send_reply(
            conversation=conv, text=form.cleaned_data["body"], by=request.user, in_reply_to=parent
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        return _render_thread(request, workspace, conv, form)
    except PermissionDenied as exc:
        flash.error(request, str(exc))
        return _render_thread(request, workspace, conv)
    if sent.state == ReplyState.SENT:
        saved_replies.count_used(conv, _ids(request.POST.getlist("saved_reply")))
        flash.success(request, _("Reply sent on %(channel)s.") % {"channel": conv.connection.name})
    else:
        flash.error(request, _("The reply could not be sent; it is kept below with the reason."))
    return _render_thread(request, workspace, conv)


@workspace_page(post=True)
def retry(request: WorkspaceRequest, slug: str, pk: int, reply_pk: int) -> HttpResponse:
    workspace = request.workspace
    conv = _conversation(workspace, pk)
    draft = get_object_or_404(Reply, workspace=workspace, conversation=conv, pk=reply_pk)
    try:
        services.retry_reply(reply=draft, by=request.user, text=request.POST.get("body"))
    except (ValidationError, PermissionDenied) as exc:
        flash.error(request, error_text(exc))
    return _render_thread(request, workspace, conv)


@workspace_page(post=True)
def change_status(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    workspace = request.workspace
    conv = _conversation(workspace, pk)
    form = StatusForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Unknown status."))
        services.set_status(conversation=conv, status=form.cleaned_data["status"], by=request.user)
    except (ValidationError, PermissionDenied) as exc:
        flash.error(request, error_text(exc))
    return _render_thread(request, workspace, conv)


@workspace_page(post=True)
def assign(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    workspace = request.workspace
    conv = _conversation(workspace, pk)
    form = AssignForm(request.POST)
    assignee = None
    if form.is_valid() and form.cleaned_data["assignee"]:
        assignee = (
            get_user_model().objects.filter(pk=form.cleaned_data["assignee"], memberships__workspace=workspace).first()
        )
        if assignee is None:
            flash.error(request, _("This person is not a member of the workspace."))
            return _render_thread(request, workspace, conv)
    try:
        services.assign(conversation=conv, assignee=assignee, by=request.user)
    except (ValidationError, PermissionDenied) as exc:
        flash.error(request, error_text(exc))
    return _render_thread(request, workspace, conv)


@workspace_page(post=True)
def change_priority(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    workspace = request.workspace
    conv = _conversation(workspace, pk)
    form = PriorityForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Unknown priority."))
        services.set_priority(conversation=conv, priority=form.cleaned_data["priority"], by=request.user)
    except (ValidationError, PermissionDenied) as exc:
        flash.error(request, error_text(exc))
    return _render_thread(request, workspace, conv)
