"""A follow-up message to an event's attendees, or to its no-shows, once it has ended.

A registration that came from a message is answered by a reply on that message's channel, through the inbox's
reply path (``inbox.services.send_reply``): the ``Reply`` is its delivery (state, error in words, retried like any
reply). A registration from the public page gets an e-mail. Each registration keeps the outcome
(``follow_up_state``, its error); one already followed up with success is never sent twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.utils import timezone
from django.utils.translation import gettext as _

from federe.accounts.permissions import Perm, require
from federe.events.models import Event, FollowUp, Registration, State
from federe.inbox.models import ReplyState
from federe.inbox.services import retry_reply, send_reply

log = logging.getLogger(__name__)

AUDIENCES = ("attended", "no_show")


@dataclass
class Sent:
    sent: int = 0
    failed: int = 0
    skipped: int = 0


def audience(event: Event, to: str) -> list[Registration]:
    rows = Registration.objects.filter(event=event).exclude(state=State.CANCELLED)
    if to == "attended":
        rows = rows.filter(checked_in_at__isnull=False)
    else:
        rows = rows.filter(state=State.REGISTERED, checked_in_at__isnull=True)
    return list(rows.select_related("message__conversation", "followed_up").order_by("pk"))


def _by_reply(registration: Registration, text: str, by: Any) -> tuple[str, str]:
    reply = registration.followed_up
    if reply is not None:
        reply = retry_reply(reply=reply, by=by, text=text)
    else:
        message = registration.message
        assert message is not None
        reply = send_reply(conversation=message.conversation, text=text, by=by, in_reply_to=message)
    registration.followed_up = reply
    if reply.state == ReplyState.SENT:
        return FollowUp.SENT, ""
    return FollowUp.FAILED, (reply.error or "")[:300]


def _by_email(registration: Registration, event: Event, text: str) -> tuple[str, str]:
    try:
        send_mail(event.title, text, settings.DEFAULT_FROM_EMAIL, [registration.email])
    except OSError:  # smtplib errors are OSErrors: the mail server's refusal is this delivery's failure
        log.warning("event follow-up e-mail failed (registration %s)", registration.pk)
        return FollowUp.FAILED, _("The mail server did not accept the message.")
    return FollowUp.SENT, ""


def send(*, event: Event, to: str, text: str, by: Any) -> Sent:
    """The follow-up to ``to`` ("attended" or "no_show"), one registration at a time (no network call inside a
    transaction)."""
    require(by, event.workspace, Perm.PUBLISH)
    if to not in AUDIENCES:
        raise ValidationError({"to": _("Choose the attendees or the no-shows.")})
    if timezone.now() < event.ends_at:
        raise ValidationError(_("Send the follow-up once the event has ended."))
    if not text.strip():
        raise ValidationError({"text": _("Write the message.")})
    result = Sent()
    for registration in audience(event, to):
        if registration.follow_up_state == FollowUp.SENT:
            result.skipped += 1
            continue
        if registration.message_id is not None and registration.message is not None:
            if not registration.message.conversation_id:
                result.skipped += 1
                continue
            require(by, event.workspace, Perm.REPLY)
            state, error = _by_reply(registration, text, by)
        elif registration.email:
            state, error = _by_email(registration, event, text)
        else:
            result.skipped += 1
            continue
        registration.follow_up_state, registration.follow_up_error = state, error
        registration.followed_up_at = timezone.now()
        registration.save(update_fields=["followed_up", "follow_up_state", "follow_up_error", "followed_up_at"])
        if state == FollowUp.SENT:
            result.sent += 1
        else:
            result.failed += 1
    return result
