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


def _done(request: WorkspaceRequest, conv, action, done: str) -> HttpResponse:
    """Run a note action, say how it went, and show the thread again."""
    try:
        action()
    except (ValidationError, PermissionDenied) as exc:
        flash.error(request, error_text(exc))
    else:
        flash.success(request, done)
    return _render_thread(request, request.workspace, conv)


def _note(request: WorkspaceRequest, conv, note_pk: int) -> InternalNote:
    return get_object_or_404(InternalNote, workspace=request.workspace, conversation=conv, pk=note_pk)


@workspace_page(post=True)
def add(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    conv = _conversation(request.workspace, pk)
    body = request.POST.get("note", "")
    return _done(request, conv, lambda: notes.add_note(conversation=conv, by=request.user, body=body), _saved())


@workspace_page(post=True)
def edit(request: WorkspaceRequest, slug: str, pk: int, note_pk: int) -> HttpResponse:
    conv = _conversation(request.workspace, pk)
    note, body = _note(request, conv, note_pk), request.POST.get("note", "")
    return _done(request, conv, lambda: notes.edit_note(note=note, by=request.user, body=body), _saved())


@workspace_page(post=True)
def delete(request: WorkspaceRequest, slug: str, pk: int, note_pk: int) -> HttpResponse:
    conv = _conversation(request.workspace, pk)
    note = _note(request, conv, note_pk)
    return _done(request, conv, lambda: notes.delete_note(note=note, by=request.user), _("Note deleted."))


def _saved() -> str:  # read at request time, in the reader's language
    return _("Note saved. It is only seen by your team.")
