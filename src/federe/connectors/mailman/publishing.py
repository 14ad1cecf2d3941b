"""Publishing on a Mailman list once: an e-mail to the list's address, its Message-ID derived from the delivery.

A post is a new message to the list (``fqdn_listname`` from ``GET /lists/{list_id}``): the post's title is its
subject (the list's name when it has none), its plain-text variant the body, sent from the channel's
``from_address`` through its mail server, as replies are (``connectors/mail/outgoing.py``). The list is the post's
option ``list`` when the channel follows it, else the first list the channel follows.

Mailman has no idempotency key, but the Message-ID is ours: ``outgoing.message_id_for(key, sender)``, the same on
every attempt. ``find_published`` looks for it where Mailman puts a post:

* the list's **held queue** (``GET /lists/{list_id}/held``): a moderated list, or a sender it does not know, holds
  the post for its moderators. The delivery is then *sent* (never sent again: the post is on the list's side) with
  a notice saying it waits for the moderators, shown on the post's page, rather than called published silently;
* the **subscriber's mailbox** (``config["maildir"]``): the list delivered it.

Mailman works asynchronously (a runner per queue): a message handed over a moment ago may be in neither place yet.
Before saying "not there", the connector waits until Mailman's queues (``GET /queues``: in, pipeline, out, retry)
are empty, ``SETTLE_SECONDS`` at most, and looks again; when they stay busy it cannot tell yet and says so
(Transient: the delivery stays uncertain and is looked for again later, never re-sent blind). Without a mailbox a
delivered post cannot be seen at all: such a channel's uncertain deliveries are left for a person to check.

After sending, ``publish`` waits the same way for the post to be held or delivered, so that a held post is reported
as held at once; a post still on its way when that time is up is reported sent.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from federe.connectors.errors import Permanent, Transient
from federe.connectors.mailman.client import MailmanClient
from federe.connectors.mailman.mapping import item_id
from federe.connectors.types import OutgoingPost, PostRules, PublishResult
from federe.core.html import html_to_text, sanitize_html

# Mailman's default max_message_size is 40 KB: a longer message is held for the moderators ("too big").
RULES = PostRules(max_length=40_000, title=True, title_max_length=200)
WORKING_QUEUES = ("in", "pipeline", "out", "retry")
SETTLE_SECONDS = 20.0
POLL_SECONDS = 0.25
IDLE_GAP_SECONDS = 1.0


def held_notice(reason: str) -> str:
    words = _("The list holds this post for its moderators: its members get it once a moderator accepts it.")
    return f"{words} ({reason})" if reason else words


def list_for(post: OutgoingPost, followed: list[str]) -> str:
    chosen = str(post.options.get("list") or "").strip()
    if chosen and chosen in followed:
        return chosen
    if not followed:
        raise Permanent(_("This channel follows no mailing list to publish on."))
    return followed[0]


def post_text(post: OutgoingPost) -> str:
    text = (post.body_text or html_to_text(sanitize_html(post.body_html))).strip()
    if not text:
        raise Permanent(_("An e-mail to the list needs a text."))
    return text


def subject_of(post: OutgoingPost, described: dict[str, Any], list_id: str) -> str:
    return " ".join(post.title.split()) or str(described.get("display_name") or list_id)


class Finder:
    """Where a post with our Message-ID is on the list's side: held, delivered, or (for now) nowhere."""

    def __init__(
        self,
        client: MailmanClient,
        held_request: Callable[[str, str], dict[str, Any] | None],
        in_mailbox: Callable[[str, str], Any],
        *,
        settle_seconds: float = SETTLE_SECONDS,
    ) -> None:
        self.client = client
        self.held_request = held_request
        self.in_mailbox = in_mailbox
        self.settle_seconds = settle_seconds

    def look(self, list_id: str, message_id: str) -> PublishResult | None:
        held = self.held_request(list_id, message_id)
        if held is not None:
            return result(list_id, message_id, held_notice(str(held.get("reason") or "")[:200]))
        if self.in_mailbox(message_id, list_id) is not None:
            return result(list_id, message_id)
        return None

    def settled(self, list_id: str, message_id: str) -> tuple[PublishResult | None, bool]:
        """Look until the post is found or Mailman's queues are empty (``settle_seconds`` at most): what was found,
        and whether Mailman was idle when it last looked (an answer it can trust)."""
        deadline = time.monotonic() + self.settle_seconds
        idle_looks = 0
        while True:
            busy = self.busy()
            found = self.look(list_id, message_id)
            idle_looks = 0 if busy else idle_looks + 1
            # Idle twice, a moment apart: a runner that has taken a message out of its queue file is still busy.
            if found is not None or idle_looks >= 2:
                return found, found is not None or idle_looks >= 2
            if time.monotonic() >= deadline:
                return None, False
            time.sleep(IDLE_GAP_SECONDS if not busy else POLL_SECONDS)

    def busy(self) -> bool:
        counts = self.client.queues()
        return any(counts.get(name, 0) for name in WORKING_QUEUES)

    def find(self, list_id: str, message_id: str, *, has_mailbox: bool) -> PublishResult | None:
        found, idle = self.settled(list_id, message_id)
        if found is not None:
            return found
        if not has_mailbox:
            raise Permanent(
                _(
                    "Fédère cannot tell whether the list delivered this post: the channel has no subscriber's"
                    " mailbox to look in. Look at the list's mail, then mark it as published or send it again."
                )
            )
        if not idle:
            raise Transient(_("Mailman is still handling messages: Fédère will look for this post again later."))
        return None


def result(list_id: str, message_id: str, notice: str = "") -> PublishResult:
    return PublishResult(external_id=item_id(list_id, message_id), created_at=timezone.now(), notice=notice)
