"""Winners told by a reply on their own channel, through the inbox's reply path (``inbox.services.send_reply``).

Each winner's announcement is a ``Reply`` (draft → sending → sent | failed, with its error in words) linked from
the entry, so the contest page shows each one's state, and a failed one can be sent again. An entry whose reply
is already sent is never announced twice.

The request only claims the winners (``announce_winners``); the worker replies (``execute``, ``contests/tasks.py``),
one at a time, and the contest's page shows the progress (``latest``): how a run stays exact is in
``core/sendruns.py``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from federe.accounts.permissions import Perm, require
from federe.contests.models import AnnouncementRun, Contest, Entry, Stage
from federe.core import sendruns
from federe.inbox.models import ReplyState
from federe.inbox.services import draft_reply, retry_reply

ROWS = sendruns.Rows(Entry, run="announcement_run", state="announce_state", error="announce_error", name="name")


def winners(contest: Contest) -> list[Entry]:
    entries = Entry.objects.filter(contest=contest, rank__isnull=False)
    return list(entries.select_related("message__conversation", "announcement").order_by("rank"))


def announce_winners(*, contest: Contest, text: str, by: Any) -> AnnouncementRun:
    """Claim the winners not yet told and have the worker reply to each winning message with ``text`` (a task,
    enqueued after the commit): nobody is reached inside the request. A winner whose reply is sent, or being sent
    by an earlier run, is left out; the failed ones are tried again."""
    require(by, contest.workspace, Perm.PUBLISH)
    require(by, contest.workspace, Perm.REPLY)
    if contest.stage != Stage.DRAWN:
        raise ValidationError(_("Run the draw before announcing the winners."))
    if not text.strip():
        raise ValidationError({"text": _("Write the announcement.")})
    entries = winners(contest)
    ids = [e.pk for e in entries if e.announcement is None or e.announcement.state != ReplyState.SENT]
    fields = {"workspace": contest.workspace, "contest": contest, "text": text, "by": by}
    return KIND.start(ids, skipped=len(entries) - len(ids), **fields)


def _send_one(run: AnnouncementRun, pk: int) -> tuple[str, str]:
    entry = Entry.objects.select_related("message__conversation", "announcement").get(pk=pk)
    reply = entry.announcement
    if reply is None:  # linked (and committed) before it is sent: a try that fails sends this one again
        message = entry.message
        with transaction.atomic():
            reply = draft_reply(conversation=message.conversation, text=run.text, by=run.by, in_reply_to=message)
            Entry.objects.filter(pk=entry.pk).update(announcement=reply)
    reply = retry_reply(reply=reply, by=run.by, text=run.text)
    if reply.state == ReplyState.SENT:
        return sendruns.SENT, ""
    return sendruns.FAILED, reply.error or ""


KIND = sendruns.Kind(AnnouncementRun, ROWS, "federe.contests.tasks.announce_winners_task", _send_one)


def execute(run_id: int) -> dict[str, int] | None:
    """The worker's part: reply to the run's claimed winners, one at a time (no network call in a transaction)."""
    return KIND.execute(run_id)


def dispatch_abandoned() -> list[int]:
    return KIND.dispatch_abandoned()


def latest(contest: Contest) -> tuple[AnnouncementRun | None, sendruns.Progress | None]:
    """The contest's latest announcement run and its progress (None, None before the first)."""
    return KIND.latest(contest=contest)
