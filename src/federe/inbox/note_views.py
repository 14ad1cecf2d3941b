"""Internal notes on a thread: write, edit and delete (the author only); the thread is shown again after each."""

from __future__ import annotations

from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from federe.core.pages import workspace_page
from federe.core.refusals import error_text
from federe.core.requests import WorkspaceRequest
from federe.inbox import notes
from federe.inbox.models import InternalNote
from federe.inbox.views import _conversation, _render_thread


@workspace_page(post=True)
def add(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    conv = _conversation(request.workspace, pk)
    try:
        notes.add_note(conversation=conv, by=request.user, body=request.POST.get("note", ""))
    except (ValidationError, PermissionDenied) as exc:
        flash.error(request, error_text(exc))
    else:
        flash.success(request, _("Note saved. It is only seen by your team."))
    return _render_thread(request, request.workspace, conv)


@workspace_page(post=True)
def edit(request: WorkspaceRequest, slug: str, pk: int, note_pk: int) -> HttpResponse:
    conv = _conversation(request.workspace, pk)
    note = get_object_or_404(InternalNote, workspace=request.workspace, conversation=conv, pk=note_pk)
    try:
        notes.edit_note(note=note, by=request.user, body=request.POST.get("note", ""))
    except (ValidationError, PermissionDenied) as exc:
        flash.error(request, error_text(exc))
    else:
        flash.success(request, _("Note saved. It is only seen by your team."))
    return _render_thread(request, request.workspace, conv)


@workspace_page(post=True)
def delete(request: WorkspaceRequest, slug: str, pk: int, note_pk: int) -> HttpResponse:
    conv = _conversation(request.workspace, pk)
    note = get_object_or_404(InternalNote, workspace=request.workspace, conversation=conv, pk=note_pk)
    try:
        notes.delete_note(note=note, by=request.user)
    except PermissionDenied as exc:
        flash.error(request, error_text(exc))
    else:
        flash.success(request, _("Note deleted."))
    return _render_thread(request, request.workspace, conv)
