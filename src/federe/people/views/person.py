"""One person's page (/people/<id>/): timeline, notes, tags, fields, export and erasure."""

from __future__ import annotations

import json
from collections.abc import Callable

from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from federe.accounts.models import Workspace
from federe.accounts.permissions import has_perm
from federe.core.pages import forbidden, workspace_page
from federe.core.refusals import error_text
from federe.core.requests import WorkspaceRequest
from federe.people import privacy, queries, services, timelines
from federe.people.engagement import scoring
from federe.people.models import Note, Person, Tag
from federe.people.permissions import PERSON_ERASE, PERSON_EXPORT
from federe.people.views.common import people_nav, person_of


@workspace_page()
def person_detail(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    workspace = request.workspace
    person = person_of(workspace, pk)
    before = request.GET.get("before", "")
    try:
        timeline = timelines.timeline(workspace, person, before=before)
    except ValidationError as exc:
        flash.error(request, error_text(exc))
        timeline = timelines.timeline(workspace, person)
    context = {
        **people_nav(request, workspace, "list"),
        "person": person,
        "timeline": timeline,
    }
    if request.htmx and request.htmx.target and request.htmx.target.startswith("timeline"):
        return render(request, "people/_timeline.html", context)
    context.update(
        {
            "identities": queries.identities_of(person),
            "tag_links": queries.tag_links_of(person),
            "fields": queries.fields_of(person),
            "notes": queries.notes_of(person),
            "suggestions": queries.suggestions_for(person),
            "merges": queries.merges_of(person),
            "tags": queries.tags_of(workspace),
            "can_export_person": has_perm(request.user, workspace, PERSON_EXPORT),
            "can_erase": has_perm(request.user, workspace, PERSON_ERASE),
            "settings": scoring.settings_for(workspace),
        }
    )
    return render(request, "people/person.html", context)


def _back_to_person(workspace: Workspace, person: Person, anchor: str = "") -> HttpResponse:
    return redirect(reverse("people:person", args=[workspace.slug, person.pk]) + (f"#{anchor}" if anchor else ""))


def _act(
    request: WorkspaceRequest, person: Person, anchor: str, action: Callable[[], object], done: str = ""
) -> HttpResponse:
    """Run one service action on the person, say it is done or why it was refused, and go back to its section."""
    try:
        action()
        if done:
            flash.success(request, done)
    except (ValidationError, PermissionDenied) as exc:
        flash.error(request, error_text(exc))
    return _back_to_person(request.workspace, person, anchor)


@workspace_page(post=True)
def person_note(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    person = person_of(request.workspace, pk)
    body = request.POST.get("body", "")
    return _act(
        request, person, "notes", lambda: services.add_note(person=person, body=body, by=request.user), _("Note added.")
    )


@workspace_page(post=True)
def person_note_delete(request: WorkspaceRequest, slug: str, pk: int, note_pk: int) -> HttpResponse:
    workspace = request.workspace
    person = person_of(workspace, pk)
    note = get_object_or_404(Note.objects.select_related("person"), workspace=workspace, person=person, pk=note_pk)
    return _act(request, person, "notes", lambda: services.delete_note(note=note, by=request.user), _("Note deleted."))


@workspace_page(post=True)
def person_tag(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    person = person_of(request.workspace, pk)
    name = request.POST.get("name", "")
    return _act(request, person, "tags", lambda: services.add_tag(person=person, name=name, by=request.user))


@workspace_page(post=True)
def person_untag(request: WorkspaceRequest, slug: str, pk: int, tag_pk: int) -> HttpResponse:
    person = person_of(request.workspace, pk)
    tag = get_object_or_404(Tag, workspace=request.workspace, pk=tag_pk)
    return _act(request, person, "tags", lambda: services.remove_tag(person=person, tag=tag, by=request.user))


@workspace_page(post=True)
def person_field(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    person = person_of(request.workspace, pk)
    name, value = request.POST.get("name", ""), request.POST.get("value", "")
    return _act(
        request, person, "fields", lambda: services.set_field(person=person, name=name, value=value, by=request.user)
    )


@workspace_page()
def person_export(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    workspace = request.workspace
    person = person_of(workspace, pk)
    try:
        data = privacy.export_person(person=person, by=request.user)
    except PermissionDenied:
        return forbidden(request)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="person-{person.pk}.json"'
    return response


@workspace_page(post=True)
def person_erase(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    workspace = request.workspace
    person = person_of(workspace, pk)
    try:
        counts = privacy.erase_person(person=person, by=request.user, confirm=request.POST.get("confirm", ""))
    except (ValidationError, PermissionDenied) as exc:
        flash.error(request, error_text(exc))
        return _back_to_person(workspace, person, "privacy")
    flash.success(
        request,
        _("Erased: identities %(identities)d, messages anonymised %(messages)d, notes %(notes)d.") % counts,
    )
    return redirect("people:list", slug=slug)
