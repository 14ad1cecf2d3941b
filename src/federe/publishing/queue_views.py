"""The queue page: each publishing channel's times of the week, the next free ones, and adding or removing times;
and the compose page's "next free time" shown before saving (htmx)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext

from federe.accounts.permissions import Perm, has_perm
from federe.core.pages import add_errors, workspace_page
from federe.core.params import whole_number
from federe.core.refusals import error_text
from federe.core.requests import WorkspaceRequest
from federe.publishing import composing, queueing
from federe.publishing.channels import publishing_channels
from federe.publishing.models import QueueSlot, Weekday
from federe.publishing.slots import parse_times


class SlotsForm(forms.Form):
    channels = forms.TypedMultipleChoiceField(label=_lazy("Channels"), coerce=int, widget=forms.CheckboxSelectMultiple)
    days = forms.TypedMultipleChoiceField(
        label=_lazy("Days"), coerce=int, choices=Weekday.choices, widget=forms.CheckboxSelectMultiple
    )
    times = forms.CharField(
        label=_lazy("Times"),
        max_length=300,
        help_text=_lazy("One or several, separated by commas: 9:00, 12:30, 17:00."),
    )

    def __init__(self, *args: Any, channels: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["channels"].choices = channels  # type: ignore[attr-defined]

    def clean_times(self) -> Any:
        return parse_times(self.cleaned_data["times"])


@workspace_page()
def queue(request: WorkspaceRequest, slug: str) -> HttpResponse:
    workspace = request.workspace
    channels = publishing_channels(workspace)
    form = SlotsForm(
        request.POST or None,
        channels=[(c.pk, c.connection.name) for c in channels],
        initial={"channels": [c.pk for c in channels[:1]], "days": [0, 1, 2, 3, 4]},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        slots = [(day, at) for day in data["days"] for at in data["times"]]
        try:
            added = queueing.add_to_channels(workspace, data["channels"], slots, by=request.user)
        except (ValidationError, PermissionDenied) as exc:
            add_errors(form, exc)
        else:
            flash.success(
                request, ngettext("%(count)d time added.", "%(count)d times added.", added) % {"count": added}
            )
            return redirect("publishing:queue", workspace.slug)
    return render(
        request,
        "publishing/queue.html",
        {
            "workspace": workspace,
            "nav": "posts",
            "form": form,
            "zone": composing.zone_of(workspace),
            "queues": queueing.overview(workspace, [c.connection for c in channels]),
            "may_edit": has_perm(request.user, workspace, Perm.PUBLISH),
        },
    )


@workspace_page(perm=Perm.PUBLISH, post=True)
def queue_remove(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    rows = QueueSlot.objects.select_related("connection", "workspace")
    slot = get_object_or_404(rows, workspace=request.workspace, pk=pk)
    try:
        queueing.remove_slot(slot, by=request.user)
    except (ValidationError, PermissionDenied) as exc:
        flash.error(request, error_text(exc))
    return redirect("publishing:queue", request.workspace.slug)


@workspace_page(perm=Perm.PUBLISH, post=True)
def queue_next(request: WorkspaceRequest, slug: str) -> HttpResponse:
    """The time "Add to queue" would give the post with the channels ticked in the compose form (nothing saved)."""
    ids = [n for n in (whole_number(v) for v in request.POST.getlist("channels")[:50]) if n is not None]
    post = whole_number(request.POST.get("post", ""))
    moment, problem = None, ""
    try:
        moment = queueing.queue_time(request.workspace, ids, exclude_post=post)
    except ValidationError as exc:
        problem = error_text(exc)
    return render(
        request,
        "publishing/_queue_next.html",
        {"workspace": request.workspace, "moment": moment, "problem": problem, "chosen": bool(ids)},
    )
