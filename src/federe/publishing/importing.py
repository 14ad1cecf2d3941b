"""Importing posts from a CSV file, in two steps: ``check_file`` reports on every row and creates nothing;
``import_posts`` creates the accepted rows, all in one transaction, approvals as for composed posts.

Each row goes through the compose page's checks: the channel's limits as the composer shows them
(``limits.check``: length counted the network's way, content warning…) and then the services' own
(``checks.check_post``: the time is to come, the channels publish). A row's time is the workspace's local time,
ISO (``2026-12-24 09:30``) or French day-first (``24/12/2026 09:30``); ``queue`` takes the next free time of its
channels' queues (``queueing``); empty saves a draft. Images are not fetched from the addresses of an
``image_url`` column: the row says so, and images are added to the post afterwards on its page. The file's
reading (encoding, separator, columns, limits) is ``csvread``'s.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from federe.accounts.models import Workspace
from federe.accounts.permissions import Perm, require
from federe.connections.models import Connection
from federe.publishing import approvals, queueing, services
from federe.publishing.channels import rules_of
from federe.publishing.checks import PostInput, VariantInput, check_post, workspace_zone
from federe.publishing.csvread import Row, Unreadable, read
from federe.publishing.forms import local_datetime
from federe.publishing.limits import Draft, check
from federe.publishing.models import Post

QUEUE_WORDS = ("queue", "file", "file d'attente", "file d’attente")
_FRENCH_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})[ T]+(\d{1,2})[:h](\d{2})(?::(\d{2}))?$")


@dataclass
class RowReport:
    number: int
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    channels: list[str] = field(default_factory=list)  # names
    when: datetime | None = None  # UTC; for a queued row, the time it would take now
    queued: bool = False
    text: str = ""
    data: PostInput | None = None

    @property
    def accepted(self) -> bool:
        return not self.problems


@dataclass
class ImportReport:
    problems: list[str] = field(default_factory=list)  # the file could not be read: no row
    notes: list[str] = field(default_factory=list)
    rows: list[RowReport] = field(default_factory=list)
    created: list[Post] = field(default_factory=list)

    @property
    def accepted(self) -> list[RowReport]:
        return [row for row in self.rows if row.accepted]

    @property
    def refused(self) -> list[RowReport]:
        return [row for row in self.rows if not row.accepted]


def check_file(workspace: Workspace, user: Any, data: bytes) -> ImportReport:
    """Every row checked, nothing created."""
    if user is not None:
        require(user, workspace, Perm.PUBLISH)
    try:
        sheet = read(data)
    except Unreadable as exc:
        return ImportReport(problems=[str(exc)])
    report = ImportReport(notes=sheet.notes)
    finder = _ChannelFinder(workspace)
    held: dict[int, set[datetime]] = {}  # instants taken by the rows above, by channel
    for row in sheet.rows:
        checked = _check_row(workspace, row, finder, held)
        report.rows.append(checked)
        if checked.accepted and checked.when is not None and checked.data is not None:
            for variant in checked.data.variants:
                held.setdefault(variant.connection_id, set()).add(checked.when)
    return report


@transaction.atomic
def import_posts(
    workspace: Workspace, user: Any, data: bytes, *, expected: int | None = None, client_key: str = ""
) -> ImportReport:
    """Create the accepted rows, in the file's order, all or nothing. ``expected``: the number of rows accepted
    when the report was shown; if it changed since (a time passed, a channel went), nothing is created.
    ``client_key`` (the API's Idempotency-Key): the same key with the same file gives back the posts made the first
    time and creates nothing; with another file it is refused."""
    if client_key:
        earlier = _imported_before(workspace, user, data, client_key)
        if earlier is not None:
            return earlier
    report = check_file(workspace, user, data)
    if report.problems:
        return report
    if expected is not None and len(report.accepted) != expected:
        report.problems.append(_("The rows accepted changed since the check: look at the report again."))
        return report
    required = approvals.settings_for(workspace).required
    for row in report.accepted:
        assert row.data is not None
        row.data.approval = approvals.PENDING if required else approvals.NOT_REQUIRED
        key = f"{client_key}#{row.number}" if client_key else ""
        post = services.create_post(workspace, user, row.data, client_key=key, client_digest=_digest(data))
        if required:
            approvals.submit(post, by=user)
        report.created.append(post)
    return report


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _imported_before(workspace: Workspace, user: Any, data: bytes, client_key: str) -> ImportReport | None:
    """The report of an import already made with this key (its posts, in the file's order), or None."""
    if len(client_key) > services.MAX_CLIENT_KEY_LENGTH - 8 or not client_key.isprintable():
        raise ValidationError({"idempotency_key": _("An idempotency key is at most 247 printable characters here.")})
    posts = list(
        Post.objects.filter(workspace=workspace, author=user, client_key__startswith=f"{client_key}#").order_by("id")
    )
    if not posts:
        return None
    if any(post.client_digest != _digest(data) for post in posts):
        raise ValidationError({"idempotency_key": _("This idempotency key was already used for another request.")})
    report = check_file(workspace, user, data)
    report.created = posts
    return report


class _ChannelFinder:
    """The workspace's channels by id and by name (without case)."""

    def __init__(self, workspace: Workspace) -> None:
        self.by_id = {c.pk: c for c in Connection.objects.filter(workspace=workspace)}
        self.by_name: dict[str, list[Connection]] = {}
        for connection in self.by_id.values():
            self.by_name.setdefault(connection.name.strip().casefold(), []).append(connection)

    def find(self, word: str) -> Connection:
        if word.isascii() and word.isdigit() and int(word) in self.by_id:
            return self.by_id[int(word)]
        named = self.by_name.get(word.casefold(), [])
        if len(named) == 1:
            return named[0]
        if named:
            raise ValidationError(_("Several channels are named “%(name)s”: give its id.") % {"name": word[:80]})
        raise ValidationError(_("There is no channel “%(name)s” here.") % {"name": word[:80]})


def _check_row(workspace: Workspace, row: Row, finder: _ChannelFinder, held: dict[int, set[datetime]]) -> RowReport:
    cells = row.cells
    report = RowReport(row.number, text=cells.get("text", ""))
    connections = _channels(cells.get("channels", ""), finder, report)
    report.channels = [c.name for c in connections]
    when = cells.get("scheduled_at", "")
    report.queued = when.casefold() in QUEUE_WORDS
    if not report.queued:
        report.when = _moment(when, workspace, report)
    if cells.get("image_url"):
        report.notes.append(_("The image address is not fetched: add the image on the post's page afterwards."))
    variants = [_variant(c, cells, report) for c in connections]
    if report.problems:
        return report
    data = PostInput(body=report.text, title=cells.get("title", ""), scheduled_at=report.when, variants=variants)
    if report.queued:
        taken = set().union(*(held.get(c.pk, set()) for c in connections))
        try:
            report.when = queueing.queue_time(workspace, [c.pk for c in connections], also_taken=taken)
        except ValidationError as exc:
            report.problems.extend(exc.messages)
            return report
        data.queue = True
    try:
        check_post(workspace, _copy(data, report))  # on a copy: the import itself queues the row at its turn
    except ValidationError as exc:
        report.problems.extend(exc.messages)
    report.data = data
    return report


def _copy(data: PostInput, report: RowReport) -> PostInput:
    return PostInput(
        body=data.body,
        title=data.title,
        scheduled_at=report.when,
        variants=[VariantInput(**vars(v)) for v in data.variants],
    )


def _channels(text: str, finder: _ChannelFinder, report: RowReport) -> list[Connection]:
    found: list[Connection] = []
    for word in (part.strip() for part in text.split("|")):
        if not word:
            continue
        try:
            connection = finder.find(word)
        except ValidationError as exc:
            report.problems.extend(exc.messages)
            continue
        if connection not in found:
            found.append(connection)
    if not found and not report.problems:
        report.problems.append(_("Give at least one channel (names or ids separated by |)."))
    return found


def _moment(text: str, workspace: Workspace, report: RowReport) -> datetime | None:
    """The row's time, UTC; None for a draft."""
    if not text:
        return None
    french = _FRENCH_DATE.match(text)
    try:
        if french:
            day, month, year, hour, minute, second = (int(g or 0) for g in french.groups())
            return local_datetime(date(year, month, day), time(hour, minute, second), workspace_zone(workspace).key)
        if len(text) <= 10:
            raise ValueError(text)  # a date without a time
        moment = datetime.fromisoformat(text)
    except ValueError:
        report.problems.append(
            _("“%(value)s” is not a date and time: write 2026-12-24 09:30, 24/12/2026 09:30 or queue.")
            % {"value": text[:40]}
        )
        return None
    except ValidationError as exc:
        report.problems.extend(exc.messages)
        return None
    if moment.tzinfo is None:
        try:
            return local_datetime(moment.date(), moment.time(), workspace_zone(workspace).key)
        except ValidationError as exc:
            report.problems.extend(exc.messages)
            return None
    return moment


def _variant(connection: Connection, cells: dict[str, str], report: RowReport) -> VariantInput:
    """The channel's variant, checked as the compose page checks it."""
    rules = rules_of(connection.network)
    variant = VariantInput(connection_id=connection.pk)
    if rules is None:
        report.problems.append(_("%(channel)s cannot publish posts.") % {"channel": connection.name})
        return variant
    title, warning = cells.get("title", ""), cells.get("content_warning", "")
    variant.title = title if rules.title else ""
    variant.content_warning = warning if rules.content_warning else ""
    measure = check(rules, Draft(text=report.text, title=title, content_warning=warning))
    report.problems.extend(f"{connection.name}: {error}" for error in measure.errors)
    report.notes.extend(f"{connection.name}: {note}" for note in measure.notes)
    return variant


def summary(report: ImportReport) -> str:
    accepted, refused = len(report.accepted), len(report.refused)
    return " ".join(
        (
            ngettext("%(count)d row accepted.", "%(count)d rows accepted.", accepted) % {"count": accepted},
            ngettext("%(count)d row refused.", "%(count)d rows refused.", refused) % {"count": refused},
        )
    )


def sample(workspace: Workspace, names: list[str]) -> tuple[list[str], list[list[str]]]:
    """The sample file: one row per way of giving a time, on the workspace's channels (``names``)."""
    from datetime import timedelta

    from django.utils import timezone

    first = names[0] if names else _("My channel")
    both = "|".join(names) or first
    local = timezone.now().astimezone(workspace_zone(workspace)).replace(second=0, microsecond=0)
    week, later = local + timedelta(days=7), local + timedelta(days=8)
    header = ["text", "channels", "scheduled_at", "title", "content_warning"]
    rows = [
        [_("Our new menu is online: come and taste it!"), first, f"{week:%Y-%m-%d} 09:30", _("New menu"), ""],
        [_("Meet us on Saturday at the market."), both, f"{later:%d/%m/%Y} 17:00", "", ""],
        [_("A post for the next free time of the queue."), first, "queue", "", ""],
        [_("A draft, to finish later (no time)."), first, "", "", ""],
    ]
    return header, rows


def row_line(row: RowReport, zone: ZoneInfo) -> str:
    """One row of the report as a line of text (``federe posts import``)."""
    notes = "".join(f" ({note})" for note in row.notes)
    if not row.accepted:
        return _("Row %(number)d: refused: %(problems)s") % {"number": row.number, "problems": " ".join(row.problems)}
    if row.when is None:
        when = _("draft, no time")
    else:
        when = f"{row.when.astimezone(zone):%Y-%m-%d %H:%M %Z}"
        if row.queued:
            when += " (" + _("next free time of the queue") + ")"
    return (
        _("Row %(number)d: accepted: %(channels)s, %(when)s")
        % {
            "number": row.number,
            "channels": ", ".join(row.channels),
            "when": when,
        }
        + notes
    )
