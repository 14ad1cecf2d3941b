"""One person's page (/people/<id>/): timeline, notes, tags, fields, export and erasure."""

from __future__ import annotations

import json

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


@workspace_page(post=True)
def person_note(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    workspace = request.workspace
    person = person_of(workspace, pk)
    try:
        services.add_note(person=person, body=request.POST.get("body", ""), by=request.user)
        flash.success(request, _("Note added."))
    except (ValidationError, PermissionDenied) as exc:
        flash.error(request, error_text(exc))
    return _back_to_person(workspace, person, "notes")


@workspace_page(post=True)
def person_note_delete(request: WorkspaceRequest, slug: str, pk: int, note_pk: int) -> HttpResponse:
    workspace = request.workspace
    person = person_of(workspace, pk)
    note = get_object_or_404(Note.objects.select_related("person"), workspace=workspace, person=person, pk=note_pk)
    try:
        services.delete_note(note=note, by=request.user)
        flash.success(request, _("Note deleted."))
    except PermissionDenied as exc:
        flash.error(request, error_text(exc))
    return _back_to_person(workspace, person, "notes")


@workspace_page(post=True)
def person_tag(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    workspace = request.workspace
    person = person_of(workspace, pk)
    try:
        services.add_tag(person=person, name=request.POST.get("name", ""), by=request.user)
    except (ValidationError, PermissionDenied) as exc:
        flash.error(request, error_text(exc))
    return _back_to_person(workspace, person, "tags")


@workspace_page(post=True)
def person_untag(request: WorkspaceRequest, slug: str, pk: int, tag_pk: int) -> HttpResponse:
    workspace = request.workspace
    person = person_of(workspace, pk)
    tag = get_object_or_404(Tag, workspace=workspace, pk=tag_pk)
    try:
        services.remove_tag(person=person, tag=tag, by=request.user)
    except PermissionDenied as exc:
        flash.error(request, error_text(exc))
    return _back_to_person(workspace, person, "tags")


@workspace_page(post=True)
def person_field(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    workspace = request.workspace
    person = person_of(workspace, pk)
    try:
        services.set_field(
            person=person, name=request.POST.get("name", ""), value=request.POST.get("value", ""), by=request.user
        )
    except (ValidationError, PermissionDenied) as exc:
        flash.error(request, error_text(exc))
    return _back_to_person(workspace, person, "fields")


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
