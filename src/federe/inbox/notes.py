"""Internal notes on a thread: written, edited and deleted by teammates, mentions notified. Nothing here sends
anything to a network: a note is its own type (``InternalNote``), which the reply services refuse."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from federe.accounts.models import Membership, User
from federe.accounts.permissions import Perm, require
from federe.inbox.models import Conversation, InternalNote, Message
from federe.notifications.models import Kind
from federe.notifications.services import MAX_EXCERPT, notify

MAX_NOTE_LENGTH = 5_000
#: ``@`` then a username or a first name (letters, digits and . _ + - ; not the e-mail's domain part).
MENTION = re.compile(r"(?<![\w@])@([\w.+-]+)")


def _validate(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write something before saving the note.")})
    if len(body) > MAX_NOTE_LENGTH:
        too_long = ngettext(
            "A note can be at most %(max)d character.", "A note can be at most %(max)d characters.", MAX_NOTE_LENGTH
        )
        raise ValidationError({"body": too_long % {"max": MAX_NOTE_LENGTH}})
    return body


def mentioned_members(workspace: Any, body: str) -> list[User]:
    """The members of the workspace the note mentions: ``@username`` (case ignored), or ``@first name`` when only
    one member has it. Anybody else (not a member, unknown, ambiguous) is ignored."""
    words = {w.rstrip(".-").casefold() for w in MENTION.findall(body)}
    if not words:
        return []
    members = [m.user for m in Membership.objects.filter(workspace=workspace).select_related("user")]
    by_username = {u.get_username().casefold(): u for u in members}
    by_first: dict[str, list[User]] = {}
    for u in members:
        if u.first_name:
            by_first.setdefault(u.first_name.casefold(), []).append(u)
    found: dict[int, User] = {}
    for word in words:
        user = by_username.get(word)
        if user is None and len(by_first.get(word, [])) == 1:
            user = by_first[word][0]
        if user is not None:
            found[user.pk] = user
    return sorted(found.values(), key=lambda u: u.pk)


def _notify_mentions(note: InternalNote, users: list[User], by: Any) -> None:
    notify(
        users,
        Kind.NOTE_MENTION,
        workspace=note.workspace,
        actor=by,
        conversation=note.conversation,
        params={"excerpt": note.body[:MAX_EXCERPT], "note": note.pk},
    )


@transaction.atomic
def add_note(*, conversation: Conversation, by: Any, body: str) -> InternalNote:
    """A note on the thread; the teammates it mentions (never the author) are notified."""
    require(by, conversation.workspace, Perm.REPLY)
    body = _validate(body)
    note = InternalNote.objects.create(
        workspace=conversation.workspace, conversation=conversation, author=by, body=body
    )
    mentioned = [u for u in mentioned_members(conversation.workspace, body) if u.pk != by.pk]
    note.mentions.set(mentioned)
    _notify_mentions(note, mentioned, by)
    return note


def _own(note: InternalNote, by: Any) -> None:
    require(by, note.workspace, Perm.REPLY)
    if note.author_id != getattr(by, "pk", None):
        raise PermissionDenied(_("Only the author of a note can change or delete it."))


@transaction.atomic
def edit_note(*, note: InternalNote, by: Any, body: str) -> InternalNote:
    """The author's new text; only the teammates it newly mentions are notified."""
    _own(note, by)
    body = _validate(body)
    before = set(note.mentions.values_list("pk", flat=True))
    note.body, note.edited_at = body, timezone.now()
    note.save(update_fields=["body", "edited_at", "updated_at"])
    mentioned = [u for u in mentioned_members(note.workspace, body) if u.pk != by.pk]
    note.mentions.set(mentioned)
    _notify_mentions(note, [u for u in mentioned if u.pk not in before], by)
    return note


@transaction.atomic
def delete_note(*, note: InternalNote, by: Any) -> None:
    _own(note, by)
    note.delete()


def notes_of(conversation: Conversation) -> list[InternalNote]:
    return list(
        InternalNote.objects.filter(workspace=conversation.workspace, conversation=conversation)
        .select_related("author")
        .prefetch_related("mentions")
    )


def attach_notes(thread: list[Message], conversation_notes: list[InternalNote]) -> list[InternalNote]:
    """Interleave by time: each message gets ``notes_before`` (the notes written before it was posted); returns
    the notes written after the last message."""
    pending = list(conversation_notes)
    for message in thread:
        message.notes_before = [n for n in pending if n.created_at < message.posted_at]  # type: ignore[attr-defined]
        pending = [n for n in pending if n.created_at >= message.posted_at]
    return pending
