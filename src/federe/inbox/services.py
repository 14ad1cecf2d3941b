"""Replying, assigning and changing status: the only code that writes the inbox."""

# size: the one place that writes the inbox; split apart, a write could go round its checks

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from federe.accounts.models import Membership
from federe.accounts.permissions import Perm, has_perm, require
from federe.analytics import rollup as analytics_rollup
from federe.connections.runtime import connected
from federe.connectors.capabilities import Capability
from federe.connectors.errors import ConnectorError
from federe.connectors.types import NetworkStatus, OutgoingReply
from federe.core import audit
from federe.core.html import html_to_text, text_to_html
from federe.inbox.bulk import set_column, set_columns
from federe.inbox.models import (
    Conversation,
    ConversationStatus,
    Direction,
    Message,
    MessageRevision,
    Priority,
    Reply,
    ReplyState,
    ReviewState,
)
from federe.nlp.language import detect
from federe.notifications.models import Kind
from federe.notifications.services import notify
from federe.search import indexing as search_indexing
from federe.sla import tracking as sla_tracking
from federe.webhooks import announce as webhooks_announce

MAX_REPLY_LENGTH = 10_000
MAX_CLIENT_KEY_LENGTH = 255


class ReplyAlreadySent(ValidationError):
    """The channel already holds this exact reply, sent earlier as ``original``: nothing was posted twice."""

    def __init__(self, reply: Reply, original: Reply) -> None:
        super().__init__(
            _("This reply was already posted on the channel (reply %(id)d); it was not posted twice.")
            % {"id": original.pk}
        )
        self.reply, self.original = reply, original


def _validate_reply_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"body": _("Write something before sending.")})
    if len(text) > MAX_REPLY_LENGTH:
        raise ValidationError({"body": _("A reply can be at most %(max)d characters.") % {"max": MAX_REPLY_LENGTH}})
    return text


def _validate_client_key(key: str) -> str:
    if len(key) > MAX_CLIENT_KEY_LENGTH or not key.isprintable():
        raise ValidationError({"idempotency_key": _("An idempotency key is at most 255 printable characters.")})
    return key


def _earlier_with_key(reply_fields: dict[str, Any]) -> Reply | None:
    """The reply this author already sent with this key; refused if the key now comes with another reply."""
    earlier = Reply.objects.filter(
        workspace=reply_fields["workspace"], author=reply_fields["author"], client_key=reply_fields["client_key"]
    ).first()
    if earlier is None:
        return None
    same = (earlier.conversation_id, earlier.in_reply_to_id, earlier.body_text) == (
        reply_fields["conversation"].pk,
        reply_fields["in_reply_to"].pk if reply_fields["in_reply_to"] else None,
        reply_fields["body_text"],
    )
    if not same:
        raise ValidationError(
            {"idempotency_key": _("This idempotency key was already used for another reply; use a new key.")}
        )
    return earlier


def _checked(
    conversation: Conversation, text: str, by: Any, in_reply_to: Message | None, key: str = ""
) -> dict[str, Any]:
    """A reply's fields, once ``by`` may answer and the text and the message answered are right."""
    require(by, conversation.workspace, Perm.REPLY)
    text = _validate_reply_text(text)
    if in_reply_to is not None and in_reply_to.conversation_id != conversation.pk:
        raise ValidationError({"in_reply_to": _("That message is not in this conversation.")})
    fields = {"workspace": conversation.workspace, "conversation": conversation, "in_reply_to": in_reply_to}
    return {**fields, "author": by, "body_text": text, "client_key": _validate_client_key(key)}


def send_reply(
    *, conversation: Conversation, text: str, by: Any, in_reply_to: Message | None = None, client_key: str = ""
) -> Reply:
    """Send through the channel; a failure keeps the reply as a draft with its error.

    With a ``client_key`` (the API's Idempotency-Key), the same key and the same reply give back the reply
    made the first time, whatever its state, and send nothing.
    """
    fields = _checked(conversation, text, by, in_reply_to, client_key)
    if client_key:
        earlier = _earlier_with_key(fields)
        if earlier is not None:
            return earlier
        try:
            with transaction.atomic():
                reply = Reply.objects.create(**fields, state=ReplyState.DRAFT)
        except IntegrityError:  # the same key, sent at the same moment: the other request sends it
            earlier = _earlier_with_key(fields)
            if earlier is None:
                raise
            return earlier
    else:
        reply = Reply.objects.create(**fields, state=ReplyState.DRAFT)
    return deliver_reply(reply, by=by)


def draft_reply(*, conversation: Conversation, text: str, by: Any, in_reply_to: Message | None = None) -> Reply:
    """A reply checked as ``send_reply`` does, not sent: a caller links it to what it answers (committed), then
    sends it with ``retry_reply``, so a try that fails is sent again with its key, never as a second reply."""
    return Reply.objects.create(**_checked(conversation, text, by, in_reply_to), state=ReplyState.DRAFT)


def retry_reply(*, reply: Reply, by: Any, text: str | None = None) -> Reply:
    if not isinstance(reply, Reply):
        raise TypeError(f"only a Reply is sent on a channel, not {type(reply).__name__}")
    require(by, reply.workspace, Perm.REPLY)
    if reply.state == ReplyState.SENT:
        return reply
    if text is not None:
        reply.body_text = _validate_reply_text(text)
        reply.save(update_fields=["body_text", "updated_at"])
    return deliver_reply(reply, by=by)


def deliver_reply(reply: Reply, *, by: Any) -> Reply:
    if not isinstance(reply, Reply):  # an internal note (or anything else) is never handed to a channel
        raise TypeError(f"only a Reply is sent on a channel, not {type(reply).__name__}")
    conversation = reply.conversation
    connection = conversation.connection
    reply.state, reply.attempts = ReplyState.SENDING, reply.attempts + 1
    reply.save(update_fields=["state", "attempts", "updated_at"])
    parent = reply.in_reply_to or conversation.messages.order_by("posted_at").first()
    body_html = text_to_html(reply.body_text)
    outgoing = OutgoingReply(
        thread_id=conversation.external_id,
        parent_id=parent.external_id if parent else "",
        body_html=body_html,
        idempotency_key=str(reply.idempotency_key),
        retry_since=reply.created_at if reply.attempts > 1 else None,
    )
    try:
        with connected(connection) as connector:
            if Capability.REPLY not in connector.capabilities:
                raise ConnectorError(_("This channel cannot receive replies from Fédère."))
            result = connector.reply(outgoing)
    except ConnectorError as exc:
        _mark_failed(reply, exc.message, by)
        return reply
    except Exception:
        _mark_failed(reply, _("Sending failed on an unexpected error; try again."), by)
        raise
    try:
        _record_sent(reply, result.external_id, result.url, result.created_at, body_html, parent, by)
    except ReplyAlreadySent as exc:
        _mark_failed(reply, str(exc.message), by)
        raise
    except Exception:
        _mark_failed(reply, _("Fédère could not record this reply; it may have been posted. Check the channel."), by)
        raise
    return reply


def _mark_failed(reply: Reply, error: str, by: Any) -> None:
    reply.state, reply.error = ReplyState.FAILED, error
    reply.save(update_fields=["state", "error", "updated_at"])
    audit.record(
        "reply.failed",
        workspace=reply.workspace,
        actor=by,
        target=reply.conversation,
        details={"reply": reply.pk, "error": error},
    )


@transaction.atomic
def _record_sent(
    reply: Reply, external_id: str, url: str, created_at: Any, body_html: str, parent: Message | None, by: Any
) -> None:
    conversation = reply.conversation
    posted_at = created_at or timezone.now()
    message, _created = Message.objects.get_or_create(
        connection=conversation.connection,
        external_id=external_id,
        defaults={
            "workspace": reply.workspace,
            "conversation": conversation,
            "parent_external_id": parent.external_id if parent else "",
            "sent_by": by,
            "direction": Direction.OUTBOUND,
            "kind": "reply",
            "body_html": body_html,
            "body_text": html_to_text(body_html),
            "language": detect(reply.body_text),
            "url": url[:500],
            "posted_at": posted_at,
        },
    )
    if _created:
        search_indexing.index_messages(message.workspace_id, [message])
    original = Reply.objects.filter(sent_message=message).exclude(pk=reply.pk).first()
    if original is not None:
        raise ReplyAlreadySent(reply, original)
    reply.state, reply.error, reply.sent_message = ReplyState.SENT, "", message
    reply.save(update_fields=["state", "error", "sent_message", "updated_at"])
    conversation.status = ConversationStatus.ANSWERED
    conversation.last_message_at = max(filter(None, [conversation.last_message_at, posted_at]))
    conversation.save(update_fields=["status", "last_message_at", "updated_at"])
    sla_tracking.replied(conversation, posted_at)
    audit.record(
        "reply.sent",
        workspace=reply.workspace,
        actor=by,
        target=conversation,
        details={"reply": reply.pk, "external_id": external_id},
    )


def check_assignee(workspace: Any, assignee: Any) -> None:
    """Threads go to a member who can answer them, or to nobody (``None``)."""
    if assignee is None:
        return
    if not Membership.objects.filter(workspace=workspace, user=assignee).exists():
        raise ValidationError({"assignee": _("This person is not a member of the workspace.")})
    if not has_perm(assignee, workspace, Perm.REPLY):
        raise ValidationError(
            {"assignee": _("%(user)s cannot answer threads: their role is read-only.") % {"user": assignee}}
        )


@transaction.atomic
def assign(*, conversation: Conversation, assignee: Any, by: Any, email_assignee: bool = True) -> Conversation:
    """Hand the thread to a member who can answer (or to nobody); a new assignee other than ``by`` is notified
    (in the app, and by e-mail per their choice unless ``email_assignee`` is False: the caller e-mails them)."""
    require(by, conversation.workspace, Perm.ASSIGN)
    previous = conversation.assignee
    check_assignee(conversation.workspace, assignee)
    conversation.assignee = assignee
    if assignee is not None and conversation.status == ConversationStatus.NEW:
        conversation.status = ConversationStatus.ASSIGNED
    elif assignee is None and conversation.status == ConversationStatus.ASSIGNED:
        conversation.status = ConversationStatus.NEW
    conversation.save(update_fields=["assignee", "status", "updated_at"])
    audit.record(
        "conversation.assigned",
        workspace=conversation.workspace,
        actor=by,
        target=conversation,
        details={"assignee": assignee.get_username() if assignee else None},
    )
    if assignee is not None and (previous is None or assignee.pk != previous.pk):
        webhooks_announce.thread_assigned(conversation, by)
        notify(
            [assignee],
            Kind.ASSIGNED,
            workspace=conversation.workspace,
            actor=by,
            conversation=conversation,
            email=email_assignee,
        )
    elif assignee is None and previous is not None:  # taken back: its own event, and no one to notify
        webhooks_announce.thread_unassigned(conversation, previous, by)
    return conversation


@transaction.atomic
def set_status(*, conversation: Conversation, status: str, by: Any) -> Conversation:
    require(by, conversation.workspace, Perm.ASSIGN)
    if status not in ConversationStatus.values:
        raise ValidationError({"status": _("Unknown status.")})
    previous = conversation.status
    conversation.status = status
    conversation.save(update_fields=["status", "updated_at"])
    audit.record(
        "conversation.status_changed",
        workspace=conversation.workspace,
        actor=by,
        target=conversation,
        details={"from": previous, "to": status},
    )
    if status == ConversationStatus.CLOSED and previous != status:
        webhooks_announce.thread_closed(conversation, by)
    if previous != status:
        sla_tracking.status_changed(conversation, status, timezone.now())
    return conversation


@transaction.atomic
def set_priority(*, conversation: Conversation, priority: str, by: Any) -> Conversation:
    """Low, normal, high or urgent: the SLA policy that applies may change with it (its clocks follow)."""
    require(by, conversation.workspace, Perm.ASSIGN)
    if priority not in Priority.values:
        raise ValidationError({"priority": _("Unknown priority.")})
    previous = conversation.priority
    if previous == priority:
        return conversation
    conversation.priority = priority
    conversation.save(update_fields=["priority", "updated_at"])
    audit.record(
        "conversation.priority_changed",
        workspace=conversation.workspace,
        actor=by,
        target=conversation,
        details={"from": previous, "to": priority},
    )
    sla_tracking.reapply(conversation)
    return conversation


def release_assignments(*, workspace: Any, user: Any, by: Any) -> int:
    """The threads of someone who can no longer answer them (removed, or now read-only) go back to the team:
    unassigned, and "new" again if they were only assigned. Returns how many; recorded when there were any."""
    mine = Conversation.objects.filter(workspace=workspace, assignee=user)
    count = mine.count()
    if not count:
        return 0
    now = timezone.now()
    mine.filter(status=ConversationStatus.ASSIGNED).update(status=ConversationStatus.NEW, updated_at=now)
    mine.update(assignee=None, updated_at=now)
    audit.record(
        "conversation.released",
        workspace=workspace,
        actor=by,
        details={"user": user.get_username(), "threads": count},
    )
    return count


# ---------------------------------------------------------------------------------------------------------------
# What other apps decide about stored messages, written here: moderation (review, status on the network), the
# spam waves (nlp.waves) and a person's erasure (people.privacy). Each runs inside the caller's transaction; none
# is audited here, because the caller records the decision that caused it.


def set_review(message_ids: Iterable[int], state: ReviewState) -> None:
    """Put messages in the moderators' queue (PENDING) or take them out of it (REVIEWED)."""
    Message.objects.filter(pk__in=list(message_ids)).update(review=state)


def set_network_status(message_id: int, status: NetworkStatus) -> None:
    """What the network now says of the message, once a decision was applied there."""
    Message.objects.filter(pk=message_id).update(network_status=status)


def move_to_wave(wave_id: int, *, message_ids: Iterable[int] = (), from_waves: Iterable[int] = ()) -> None:
    """Messages, and every member of the waves merged into this one, now belong to wave ``wave_id``."""
    joining = Q(pk__in=list(message_ids)) | Q(wave_id__in=list(from_waves))
    Message.objects.filter(joining).update(wave_id=wave_id)


def join_waves(members: dict[int, tuple[int, float, dict[str, Any]]]) -> None:
    """Messages join waves: each message's wave, the spam score it now shares and its classifier details (message
    id → (wave id, score, details)), in one statement per chunk."""
    set_columns(Message, ("wave_id", "spam_score", "nlp"), members)


def set_wave_spam_scores(scores: dict[int, float]) -> None:
    """Every member of each wave takes the wave's new spam score (wave id → score), in one statement."""
    if scores:
        Message.objects.filter(wave_id__in=list(scores)).update(
            spam_score=Case(*(When(wave_id=wave, then=Value(score)) for wave, score in scores.items()))
        )


def set_nlp_info(infos: dict[int, dict[str, Any]]) -> None:
    """Each message's classifier details (``Message.nlp``), each to its own value, in one statement per chunk."""
    set_column(Message, "nlp", infos)


REFINED_FIELDS = ("spam_score", "toxicity_score", "sentiment", "sentiment_score", "nlp")


def refine_scores(rows: dict[int, dict[str, Any]]) -> None:
    """The deep tier's scores replace the fast tier's in place (``nlp.refine``): each message's classifier columns
    (``REFINED_FIELDS``, all of them) to its own values; the dashboards' sentiment counts follow."""
    if rows:
        with analytics_rollup.sentiments_follow({pk: fields["sentiment"] or "" for pk, fields in rows.items()}):
            messages = [Message(pk=pk, **{n: fields[n] for n in REFINED_FIELDS}) for pk, fields in rows.items()]
            Message.objects.bulk_update(messages, REFINED_FIELDS, batch_size=200)


def anonymise_messages(workspace_id: int, author_ids: list[int]) -> list[int]:
    """Keep the authors' message rows (threads and counts hold) without text, links, author, old versions or the
    titles of the threads they started. Returns the ids of the messages anonymised."""
    messages = Message.objects.filter(workspace_id=workspace_id, author_id__in=author_ids)
    message_ids = list(messages.values_list("pk", flat=True))
    started = list(messages.filter(parent_external_id="").values_list("conversation_id", flat=True))
    for start in range(0, len(message_ids), 1000):
        chunk = message_ids[start : start + 1000]
        MessageRevision.objects.filter(message_id__in=chunk).delete()
        Message.objects.filter(pk__in=chunk).update(body_html="", body_text="", url="", author=None, edited_at=None)
    Conversation.objects.filter(pk__in=started, workspace_id=workspace_id).update(title="")
    search_indexing.forget(message_ids)
    return message_ids
