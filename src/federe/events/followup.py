"""A follow-up message to an event's attendees, or to its no-shows, once it has ended.

A registration that came from a message is answered by a reply on that message's channel, through the inbox's
reply path (``inbox.services.send_reply``): the ``Reply`` is its delivery (state, error in words, retried like any
reply). A registration from the public page gets an e-mail. Each registration keeps the outcome
(``follow_up_state``, its error); one already followed up with success is never sent twice.

The request only claims the registrations (``send``); the worker sends (``execute``, ``events/tasks.py``), one at a
time, and the event's page shows the progress (``latest``): how a run stays exact is in ``core/sendruns.py``.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from federe.accounts.permissions import Perm, require
from federe.core import sendruns
from federe.events.models import Event, FollowUp, FollowUpRun, Registration, State
from federe.inbox.models import ReplyState
from federe.inbox.services import draft_reply, retry_reply

log = logging.getLogger(__name__)

AUDIENCES = ("attended", "no_show")


def audience(event: Event, to: str) -> list[Registration]:
    rows = Registration.objects.filter(event=event).exclude(state=State.CANCELLED)
    if to == "attended":
        rows = rows.filter(checked_in_at__isnull=False)
    else:
        rows = rows.filter(state=State.REGISTERED, checked_in_at__isnull=True)
    return list(rows.select_related("message__conversation", "followed_up").order_by("pk"))


def _by_reply(registration: Registration, text: str, by: Any) -> tuple[str, str]:
    reply = registration.followed_up
    if reply is None:  # linked (and committed) before it is sent: a try that fails sends this one again
        message = registration.message
        assert message is not None
        with transaction.atomic():
            reply = draft_reply(conversation=message.conversation, text=text, by=by, in_reply_to=message)
            Registration.objects.filter(pk=registration.pk).update(followed_up=reply)
        registration.followed_up = reply
    reply = retry_reply(reply=reply, by=by, text=text)
    registration.followed_up = reply
    if reply.state == ReplyState.SENT:
        return FollowUp.SENT, ""
    return FollowUp.FAILED, (reply.error or "")[:300]


def _by_email(registration: Registration, event: Event, text: str) -> tuple[str, str]:
    try:
        subject = " ".join(event.title.split())  # one line: a title stored before titles were checked may have two
        send_mail(subject, text, settings.DEFAULT_FROM_EMAIL, [registration.email])
    except OSError:  # smtplib errors are OSErrors: the mail server's refusal is this delivery's failure
        log.warning("event follow-up e-mail failed (registration %s)", registration.pk)
        return FollowUp.FAILED, _("The mail server did not accept the message.")
    return FollowUp.SENT, ""


ROWS = sendruns.Rows(Registration, run="follow_up_run", state="follow_up_state", error="follow_up_error", name="name")


def _sendable(rows: list[Registration]) -> list[int]:
    """Registrations the follow-up can reach: by a reply on a message's thread, or by e-mail."""
    return [
        r.pk
        for r in rows
        if (r.message is not None and r.message.conversation_id) or (r.message_id is None and r.email)
    ]


def send(*, event: Event, to: str, text: str, by: Any) -> FollowUpRun:
    """Claim the follow-up's registrations ``to`` ("attended" or "no_show") and have the worker send it (a task,
    enqueued after the commit): nobody is reached inside the request. Each one already sent, or being sent by an
    earlier run, is left out; the failed ones are tried again."""
    require(by, event.workspace, Perm.PUBLISH)
    if to not in AUDIENCES:
        raise ValidationError({"to": _("Choose the attendees or the no-shows.")})
    if timezone.now() < event.ends_at:
        raise ValidationError(_("Send the follow-up once the event has ended."))
    if not text.strip():
        raise ValidationError({"text": _("Write the message.")})
    rows = audience(event, to)
    if any(r.message_id is not None for r in rows):
        require(by, event.workspace, Perm.REPLY)
    ids = _sendable(rows)
    fields = {"workspace": event.workspace, "event": event, "audience": to, "text": text, "by": by}
    return KIND.start(ids, skipped=len(rows) - len(ids), **fields)


def _send_one(run: FollowUpRun, pk: int) -> tuple[str, str]:
    registration = Registration.objects.select_related("event", "message__conversation", "followed_up").get(pk=pk)
    if registration.message is not None:
        state, error = _by_reply(registration, run.text, run.by)
    else:
        state, error = _by_email(registration, registration.event, run.text)
    registration.followed_up_at = timezone.now()
    registration.save(update_fields=["followed_up", "followed_up_at"])
    return state, error


KIND = sendruns.Kind(FollowUpRun, ROWS, "federe.events.tasks.send_follow_up_task", _send_one)


def execute(run_id: int) -> dict[str, int] | None:
    """The worker's part: send the run's claimed registrations, one at a time (no network call in a transaction)."""
    return KIND.execute(run_id)


def dispatch_abandoned() -> list[int]:
    return KIND.dispatch_abandoned()


def latest(event: Event) -> tuple[FollowUpRun | None, sendruns.Progress | None]:
    """The event's latest follow-up run and its progress (None, None before the first)."""
    return KIND.latest(event=event)
