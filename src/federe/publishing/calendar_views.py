"""The calendar pages: the week and month grids (posts placed on the workspace's clock), and moving a post, by a drag
(static/publishing/calendar.js fills the post's own "Move" form and sends it) or by that form itself (keyboard, no
JavaScript). htmx gets the grid back with the confirmation and an undo; a plain form post is redirected to the
calendar, which says the same (the notice waits in the session for that one page)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, time
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from federe.accounts.permissions import Perm, may
from federe.core.pages import workspace_page
from federe.core.refusals import error_text
from federe.core.requests import WorkspaceRequest
from federe.publishing import calendar, services
from federe.publishing.calendar_entries import gather
from federe.publishing.channels import publishing_channels
from federe.publishing.checks import workspace_zone
from federe.publishing.models import Post

#: The days a calendar can show or a post be moved to: a whole month around them stays within Python's dates.
FIRST_DAY, LAST_DAY = date(2, 1, 1), date(9998, 12, 1)


@dataclass(frozen=True)
class Where:
    """What the calendar shows: the view, the day it is around, and the channel it is filtered on."""

    view: str
    anchor: date
    channel: int | None

    def query(self, **changes: object) -> str:
        values = {"view": self.view, "date": self.anchor.isoformat(), "channel": self.channel or ""} | changes
        return "?" + urlencode({k: v for k, v in values.items() if v not in ("", None)})


@dataclass(frozen=True)
class Undo:
    post: int
    day: str  # YYYY-MM-DD, on the workspace's clock
    time: str  # HH:MM


@dataclass(frozen=True)
class Notice:
    """What the calendar says above the grid: an error, or a confirmation with its undo."""

    error: str = ""
    success: str = ""
    undo: Undo | None = None


class MoveForm(forms.Form):
    post = forms.IntegerField(min_value=1, max_value=2**62)
    day = forms.DateField(
        label=gettext_lazy("Day"),
        input_formats=["%Y-%m-%d"],
        error_messages={"required": gettext_lazy("Choose a day."), "invalid": gettext_lazy("Choose a day.")},
    )
    time = forms.TimeField(
        label=gettext_lazy("Time"),
        required=False,
        input_formats=["%H:%M", "%H:%M:%S"],
        error_messages={"invalid": gettext_lazy("Enter a time such as 09:30.")},
    )
    undo = forms.BooleanField(required=False)

    def clean_day(self) -> date:
        day: date = self.cleaned_data["day"]
        if not FIRST_DAY <= day <= LAST_DAY:
            raise ValidationError(_("This date is out of range."))
        return day


def _where(data: dict[str, str], today: date, channels: set[int]) -> tuple[Where, str]:
    """The calendar's place read from the query (or the move form); an unreadable date is today, said in words."""
    view = str(data.get("view")) if data.get("view") in calendar.VIEWS else calendar.MONTH
    problem = ""
    anchor = today
    if data.get("date"):
        try:
            anchor = date.fromisoformat(str(data["date"]))
        except ValueError:
            problem = _("This date could not be read: the calendar shows today.")
        else:
            if not FIRST_DAY <= anchor <= LAST_DAY:
                anchor, problem = today, _("This date is out of range: the calendar shows today.")
    channel = str(data.get("channel") or "")
    chosen = int(channel) if channel.isascii() and channel.isdigit() and int(channel) in channels else None
    return Where(view, anchor, chosen), problem


def _title(where: Where) -> str:
    if where.view == calendar.MONTH:
        return date_format(where.anchor, "F Y").capitalize()
    days = calendar.shown_days(calendar.WEEK, where.anchor)
    return f"{date_format(days[0][0], 'j F')} – {date_format(days[-1][0], 'j F Y')}"


def _context(request: WorkspaceRequest, where: Where, notice: Notice | None = None) -> dict[str, object]:
    workspace = request.workspace
    zone = workspace_zone(workspace)
    today = timezone.now().astimezone(zone).date()
    start, end = calendar.window(where.view, where.anchor, zone)
    entries = gather(workspace, start, end, channel_id=where.channel, may_edit=may(request, workspace, Perm.PUBLISH))
    grid = calendar.build(where.view, where.anchor, zone, entries, today=today)
    return {
        "workspace": workspace,
        "nav": "calendar",
        "grid": grid,
        "where": where,
        "title": _title(where),
        "zone": zone.key,
        "channels": publishing_channels(workspace),
        "previous": where.query(date=calendar.step(where.view, where.anchor, -1).isoformat()),
        "next": where.query(date=calendar.step(where.view, where.anchor, 1).isoformat()),
        "today": where.query(date=today.isoformat()),
        "as_week": where.query(view=calendar.WEEK),
        "as_month": where.query(view=calendar.MONTH),
        "notice": notice,
        "weekdays": [date_format(day.day, "D") for day in grid.days[:7]],
    }


def _channel_ids(request: WorkspaceRequest) -> set[int]:
    return {channel.pk for channel in publishing_channels(request.workspace)}


@workspace_page()
def calendar_page(request: WorkspaceRequest, slug: str) -> HttpResponse:
    zone = workspace_zone(request.workspace)
    where, problem = _where(request.GET.dict(), timezone.now().astimezone(zone).date(), _channel_ids(request))
    saved = request.session.pop(_notice_key(slug), None)
    notice = Notice(error=problem) if problem else _saved_notice(saved)
    return render(request, "publishing/calendar.html", _context(request, where, notice))


def _notice_key(slug: str) -> str:
    return f"federe.calendar.notice.{slug}"


def _saved_notice(saved: object) -> Notice | None:
    """The notice a move without JavaScript left in the session for the page it redirected to."""
    if not isinstance(saved, dict):
        return None
    undo = saved.get("undo")
    return Notice(
        error=str(saved.get("error", "")),
        success=str(saved.get("success", "")),
        undo=Undo(int(undo["post"]), str(undo["day"]), str(undo["time"])) if isinstance(undo, dict) else None,
    )


def when_words(moment: datetime) -> str:
    """A local time as the confirmation says it: "Tuesday 9 December, 09:00" (in the language of the page)."""
    return _("%(day)s, %(time)s") % {"day": date_format(moment, "l j F"), "time": time_format(moment, "H:i")}


@workspace_page(perm=Perm.PUBLISH, post=True)
def move(request: WorkspaceRequest, slug: str) -> HttpResponse:
    """Move a post to another day (keeping its time when no time is given) or day and time."""
    workspace = request.workspace
    zone = workspace_zone(workspace)
    where, _problem = _where(request.POST.dict(), timezone.now().astimezone(zone).date(), _channel_ids(request))
    form = MoveForm(request.POST)
    if not form.is_valid():
        if "post" in form.errors:
            raise Http404  # no such post to move (an id that is not a number)
        return _answer(
            request, where, Notice(error=" ".join(str(e) for errors in form.errors.values() for e in errors))
        )
    post = get_object_or_404(Post, workspace=workspace, pk=form.cleaned_data["post"], deleted_at__isnull=True)
    before = post.scheduled_at
    at: time | None = form.cleaned_data["time"]
    try:
        if before is None:
            raise ValidationError(_("This post has no time yet: schedule it from its page."))
        moved = services.reschedule_post(
            post, request.user, calendar.moved_to(before, form.cleaned_data["day"], at, zone)
        )
    except (ValidationError, PermissionDenied) as exc:
        return _answer(request, where, Notice(error=error_text(exc)))
    assert moved.scheduled_at is not None and before is not None
    local, old = moved.scheduled_at.astimezone(zone), before.astimezone(zone)
    words = _("Moved back to %(when)s.") if form.cleaned_data["undo"] else _("Moved to %(when)s.")
    undo = None
    if not form.cleaned_data["undo"] and old != local:
        undo = Undo(post.pk, old.date().isoformat(), old.strftime("%H:%M"))
    notice = Notice(success=words % {"when": when_words(local)}, undo=undo)
    return _answer(request, Where(where.view, local.date(), where.channel), notice)


def _answer(request: WorkspaceRequest, where: Where, notice: Notice) -> HttpResponse:
    if request.htmx:
        return render(request, "publishing/_calendar.html", _context(request, where, notice))
    # Without JavaScript: the calendar page after the redirect says it, with the same undo button.
    request.session[_notice_key(request.workspace.slug)] = asdict(notice)
    return redirect(reverse("publishing:calendar", args=[request.workspace.slug]) + where.query())
