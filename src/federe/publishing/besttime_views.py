"""The best-time page: the heat map of one window, measure and channel (or every channel), with its suggestions."""

from __future__ import annotations

from django import forms
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from federe.accounts.models import Workspace
from federe.accounts.permissions import Perm, has_perm
from federe.connections.models import Connection
from federe.core.pages import workspace_page
from federe.core.params import whole_number
from federe.core.requests import WorkspaceRequest
from federe.publishing import besttime
from federe.publishing.besttime import words
from federe.publishing.channels import publishing_channels


class BestTimeForm(forms.Form):
    """What the page shows; a value that is not offered is refused in words and the default shown instead."""

    def __init__(self, data: object, channels: list[Connection]) -> None:
        super().__init__(data, initial={"weeks": besttime.DEFAULT_WEEKS, "measure": besttime.AUTO})  # type: ignore[arg-type]
        self.fields["channel"] = forms.ChoiceField(
            label=_("Channel"),
            required=False,
            choices=[("", _("Every channel")), *[(str(c.pk), c.name) for c in channels]],
        )
        self.fields["weeks"] = forms.TypedChoiceField(
            label=_("Window"),
            required=False,
            coerce=int,
            empty_value=None,
            choices=[
                (w, ngettext("Last %(count)s week", "Last %(count)s weeks", w) % {"count": w}) for w in besttime.WINDOWS
            ],
        )
        self.fields["measure"] = forms.ChoiceField(
            label=_("Measure"), required=False, choices=[(m, words.MEASURE_LABELS[m]) for m in besttime.MEASURES]
        )


def _channel(workspace: Workspace, raw: str) -> Connection | None:
    """The channel asked for: none for every channel; a 404 for an id that is not one of this workspace's."""
    if not raw:
        return None
    pk = whole_number(raw)
    channel = Connection.objects.filter(workspace=workspace, pk=pk).first() if pk else None
    if channel is None:
        raise Http404
    return channel


@workspace_page()
def best_time(request: WorkspaceRequest, slug: str) -> HttpResponse:
    workspace = request.workspace
    channel = _channel(workspace, request.GET.get("channel", ""))
    channels = [c.connection for c in publishing_channels(workspace)]
    if channel is not None and channel not in channels:
        channels.append(channel)
    form = BestTimeForm(request.GET or None, channels)
    valid = form.is_valid()
    weeks = (form.cleaned_data.get("weeks") if valid else None) or besttime.DEFAULT_WEEKS
    measure = (form.cleaned_data.get("measure") if valid else None) or besttime.AUTO
    result = besttime.best_time(workspace, channel=channel, weeks=weeks, measure=measure)
    grid = result.grid
    return render(
        request,
        "publishing/best_time.html",
        {
            "workspace": workspace,
            "nav": "posts",
            "form": form,
            "result": result,
            "grid": grid,
            "channel": channel,
            "rows": words.shown_rows(grid),
            "hours": range(24),
            "measure_label": words.MEASURE_LABELS[grid.measure],
            "why": words.why_this_measure(result),
            "too_few": words.too_few_words(grid.measure),
            "enough": besttime.ENOUGH,
            "suggestions": [
                (c, words.slot_label(c), words.counted(c, grid.measure), words.score_words(c, grid.measure))
                for c in grid.suggestions
            ],
            # A suggestion becomes a queue slot through the queue page's own form (its service, its checks).
            "may_queue": has_perm(request.user, workspace, Perm.PUBLISH),
            "queue_channels": channels if channel is None else [channel],
        },
    )
