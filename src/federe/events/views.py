"""The event pages of a workspace: the list, create and edit, one event (announcement, registrations by message,
follow-up), the check-in list. Services decide (``events/services.py``); these views translate forms and refusals."""

from __future__ import annotations

from typing import Any

from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from federe.accounts.permissions import Perm, may
from federe.campaigns import membership
from federe.core.confirm import ask_again, is_confirmed
from federe.core.pages import add_errors, workspace_page
from federe.core.refusals import error_text
from federe.core.requests import WorkspaceRequest
from federe.events import followup, forms, merges, posts, queries, services
from federe.events.models import Event, Registration
from federe.publishing.channels import publishing_channels


def _event(request: WorkspaceRequest, pk: int) -> Event:
    try:
        return queries.event(request.workspace, pk)
    except Event.DoesNotExist as exc:
        raise Http404 from exc


def _form(request: WorkspaceRequest, **kwargs: Any) -> forms.EventForm:
    return forms.EventForm(zone=request.workspace.timezone, **kwargs)


def _posts_form(request: WorkspaceRequest, **kwargs: Any) -> forms.PostsForm:
    channels = [(c.pk, c.connection.name) for c in publishing_channels(request.workspace)]
    return forms.PostsForm(channels=channels, zone=request.workspace.timezone, **kwargs)


def _render_form(request: WorkspaceRequest, form: forms.EventForm, event: Event | None, status: int) -> Any:
    context = {"workspace": request.workspace, "nav": "posts", "form": form, "event": event}
    return render(request, "events/edit.html", context, status=status)


def page_url(request: WorkspaceRequest, event: Event) -> str:
    return request.build_absolute_uri(reverse("events:register", args=[event.public_id]))


@workspace_page()
def event_list(request: WorkspaceRequest, slug: str) -> HttpResponse:
    context = {
        "workspace": request.workspace,
        "nav": "posts",
        "events": list(queries.events(request.workspace)),
        "may_edit": may(request, request.workspace, Perm.PUBLISH),
    }
    return render(request, "events/list.html", context)


def _save(request: WorkspaceRequest, form: forms.EventForm, event: Event | None) -> Event | None:
    try:
        fields = form.fields_out()
        if event is None:
            return services.add(workspace=request.workspace, fields=fields, by=request.user)
        return services.change(event=event, fields=fields, by=request.user)
    except (ValidationError, PermissionDenied) as exc:
        add_errors(form, exc)
        return None


@workspace_page(Perm.PUBLISH)
def create(request: WorkspaceRequest, slug: str) -> HttpResponse:
    if request.method != "POST":
        return _render_form(request, _form(request), None, 200)
    form = _form(request, data=request.POST)
    event = _save(request, form, None) if form.is_valid() else None
    if event is None:
        return _render_form(request, form, None, 422)
    flash.success(request, _("Event “%(title)s” created.") % {"title": event.title})
    return redirect("events:detail", slug=slug, pk=event.pk)


@workspace_page(Perm.PUBLISH)
def edit(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    event = _event(request, pk)
    if request.method != "POST":
        return _render_form(request, _form(request, initial=forms.initial_of(event)), event, 200)
    form = _form(request, data=request.POST)
    saved = _save(request, form, event) if form.is_valid() else None
    if saved is None:
        return _render_form(request, form, event, 422)
    flash.success(request, _("Event “%(title)s” saved.") % {"title": saved.title})
    return redirect("events:detail", slug=slug, pk=pk)


def _detail(request: WorkspaceRequest, event: Event, posts_form: forms.PostsForm | None, status: int) -> HttpResponse:
    registrations = list(queries.registrations(event)[:500])
    context = {
        "workspace": request.workspace,
        "nav": "posts",
        "event": event,
        "counts": queries.counts(event),
        "campaigns": list(membership.of_event(event)),
        "registrations": registrations,
        # The follow-up column is shown once a follow-up was sent: empty, it pushed "Cancel" off a phone's screen.
        "follow_ups": any(r.follow_up_state for r in registrations),
        "page_url": page_url(request, event),
        "may_edit": may(request, request.workspace, Perm.PUBLISH),
        "posts_form": posts_form or _posts_form(request),
        "follow_up_form": forms.FollowUpForm(),
        **_follow_up_context(request, event),
    }
    return render(request, "events/detail.html", context, status=status)


@workspace_page()
def detail(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    return _detail(request, _event(request, pk), None, 200)


@workspace_page(Perm.PUBLISH)
def schedule_posts(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    event = _event(request, pk)
    if request.method != "POST":
        return redirect("events:detail", slug=slug, pk=pk)
    form = _posts_form(request, data=request.POST)
    if form.is_valid():
        try:
            announce_at, before = form.when()
            posts.schedule(
                event=event,
                by=request.user,
                channel_ids=form.cleaned_data["channels"],
                announce_at=announce_at,
                remind_before=before,
                page_url=page_url(request, event),
            )
        except (ValidationError, PermissionDenied) as exc:
            add_errors(form, exc)
        else:
            flash.success(request, _("The announcement and the reminder are scheduled."))
            return redirect("events:detail", slug=slug, pk=pk)
    return _detail(request, event, form, 422)


@workspace_page(post=True)
def collect(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    event = _event(request, pk)
    try:
        found = services.collect_registrations(event=event, by=request.user)
    except (ValidationError, PermissionDenied) as exc:
        flash.error(request, error_text(exc))
    else:
        text = ngettext(
            "%(count)d new registration from messages.", "%(count)d new registrations from messages.", found
        )
        flash.success(request, text % {"count": found})
    return redirect("events:detail", slug=slug, pk=pk)


def _registration(event: Event, pk: int) -> Registration:
    try:
        return queries.registration(event, pk)
    except Registration.DoesNotExist as exc:
        raise Http404 from exc


@workspace_page()
def check_in_list(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    event = _event(request, pk)
    context = {
        "workspace": request.workspace,
        "nav": "posts",
        "event": event,
        "counts": queries.counts(event),
        "registrations": _with_stand_ins(list(queries.registrations(event))),
        "may_edit": may(request, request.workspace, Perm.PUBLISH),
    }
    return render(request, "events/check_in.html", context)


def _with_stand_ins(registrations: list[Registration]) -> list[Registration]:
    """Each folded registration (two registered persons merged) carries the kept person's, checked in in its stead."""
    folded = merges.folded(registrations)
    for row in registrations:
        row.stand_in = folded.get(row.pk)  # type: ignore[attr-defined]
    return registrations


@workspace_page(post=True)
def check_in(request: WorkspaceRequest, slug: str, pk: int, registration_pk: int) -> HttpResponse:
    event = _event(request, pk)
    registration = _registration(event, registration_pk)
    undo = request.POST.get("undo") == "1"
    try:
        done_for = services.check_in(registration=registration, by=request.user, undo=undo)
    except (ValidationError, PermissionDenied) as exc:
        flash.error(request, error_text(exc))
    else:
        done = _("%(name)s is no longer checked in.") if undo else _("%(name)s is checked in.")
        flash.success(request, done % {"name": done_for.name})
    return redirect(reverse("events:check-in-list", args=[slug, pk]) + f"#r{registration.pk}")


@workspace_page(post=True)
def cancel(request: WorkspaceRequest, slug: str, pk: int, registration_pk: int) -> HttpResponse:
    event = _event(request, pk)
    registration = _registration(event, registration_pk)
    back = reverse("events:detail", args=[slug, pk])
    if not is_confirmed(request):
        consequence = _("The registration is cancelled; its seat goes to the first person on the waiting list.")
        return ask_again(request, consequence=consequence, confirm_label=_("Cancel the registration"), back=back)
    try:
        services.cancel(registration=registration, by=request.user)
    except (ValidationError, PermissionDenied) as exc:
        flash.error(request, error_text(exc))
    else:
        flash.success(request, _("Registration cancelled."))
    return redirect(back)


@workspace_page(post=True)
def follow_up(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    event = _event(request, pk)
    back = reverse("events:detail", args=[slug, pk])
    if not is_confirmed(request):
        consequence = _("Each person gets this message: a reply on their channel, or an e-mail.")
        return ask_again(request, consequence=consequence, confirm_label=_("Send"), back=back)
    try:
        run = followup.send(
            event=event, to=request.POST.get("to", ""), text=request.POST.get("text", "")[:5000], by=request.user
        )
    except (ValidationError, PermissionDenied) as exc:
        flash.error(request, error_text(exc))
    else:
        text = ngettext(
            "Sending the follow-up to %(count)d person…", "Sending the follow-up to %(count)d people…", run.total
        )
        flash.success(request, text % {"count": run.total})
    return redirect(back + "#follow-up")


@workspace_page()
def follow_up_progress(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    """The follow-up's progress, asked again every few seconds by the page while the worker sends it."""
    return render(request, "core/_send_run.html", _follow_up_context(request, _event(request, pk)))


def _follow_up_context(request: WorkspaceRequest, event: Event) -> dict[str, Any]:
    run, progress = followup.latest(event)
    poll = reverse("events:follow-up-progress", args=[request.workspace.slug, event.pk])
    return {"workspace": request.workspace, "run": run, "progress": progress, "poll_url": poll}
