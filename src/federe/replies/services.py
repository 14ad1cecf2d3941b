"""Saving saved replies (refused in words when a variable is unknown), choosing and filling them for a thread,
and counting their uses when a reply that used them is sent."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext as _

from federe.accounts.models import Workspace
from federe.accounts.permissions import Perm, require
from federe.connections.models import Connection
from federe.inbox.models import Conversation, Direction, Message
from federe.replies import template
from federe.replies.models import ReplyLanguage, SavedReply

MAX_BODY = 5000


@dataclass
class Fields:
    title: str
    language: str
    body: str
    folder: str = ""
    connection_id: int | None = None


def _clean(workspace: Workspace, fields: Fields) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    title, body, folder = fields.title.strip(), fields.body.strip(), " ".join(fields.folder.split())
    if not title:
        errors["title"] = [_("Give the saved reply a title.")]
    elif len(title) > 120:
        errors["title"] = [_("A title has at most 120 characters.")]
    if len(folder) > 60:
        errors["folder"] = [_("A folder name has at most 60 characters.")]
    if fields.language not in ReplyLanguage.values:
        errors["language"] = [_("Choose French or English.")]
    if not body:
        errors["body"] = [_("Write the text of the saved reply.")]
    elif len(body) > MAX_BODY:
        errors["body"] = [_("A saved reply has at most %(max)d characters.") % {"max": MAX_BODY}]
    elif found := template.problems(body):
        errors["body"] = found
    connection = None
    if fields.connection_id is not None:
        connection = Connection.objects.filter(workspace=workspace, pk=fields.connection_id).first()
        if connection is None:
            errors["connection"] = [_("This channel is not in the workspace.")]
    if errors:
        raise ValidationError(errors)
    return {"title": title, "body": body, "folder": folder, "language": fields.language, "connection": connection}


def _require(by: Any, workspace: Workspace) -> None:
    """A member needs REPLY; ``by=None`` is the operator at the command line."""
    if by is not None:
        require(by, workspace, Perm.REPLY)


def check(workspace: Workspace, fields: Fields, *, by: Any) -> None:
    """What ``add`` would refuse, refused the same way, without saving."""
    _require(by, workspace)
    _clean(workspace, fields)


def add(*, workspace: Workspace, fields: Fields, by: Any) -> SavedReply:
    _require(by, workspace)
    return SavedReply.objects.create(workspace=workspace, created_by=by, **_clean(workspace, fields))


def change(saved: SavedReply, *, fields: Fields, by: Any) -> SavedReply:
    _require(by, saved.workspace)
    for name, value in _clean(saved.workspace, fields).items():
        setattr(saved, name, value)
    saved.save()
    return saved


def remove(saved: SavedReply, *, by: Any) -> None:
    _require(by, saved.workspace)
    SavedReply.objects.filter(pk=saved.pk).delete()


def offered(conversation: Conversation, search: str = "") -> list[SavedReply]:
    """The saved replies usable on this thread's channel, those in the language of its last received message
    first (then the thread's language), then by folder and title; ``search`` filters on title and folder."""
    rows: QuerySet[SavedReply] = SavedReply.objects.filter(workspace_id=conversation.workspace_id).filter(
        Q(connection__isnull=True) | Q(connection_id=conversation.connection_id)
    )
    for word in search.split()[:5]:
        rows = rows.filter(Q(title__icontains=word) | Q(folder__icontains=word) | Q(body__icontains=word))
    language = _language_of(conversation)
    return sorted(rows[:200], key=lambda r: (r.language != language, r.folder.lower(), r.title.lower(), r.pk))


def _last_received(conversation: Conversation) -> Message | None:
    return (
        Message.objects.filter(conversation=conversation, direction=Direction.INBOUND)
        .select_related("author")
        .order_by("-posted_at", "-id")
        .first()
    )


def _language_of(conversation: Conversation) -> str:
    message = _last_received(conversation)
    if message is not None and message.language in ReplyLanguage.values:
        return message.language
    return conversation.language


def values_for(conversation: Conversation, agent: Any) -> dict[str, str]:
    """The variables' values on this thread: its last received message's author, its channel, the agent."""
    message = _last_received(conversation)
    author = message.author if message is not None else None
    name = ((author.display_name or author.handle.lstrip("@")) if author is not None else "").strip()
    agent_name = (agent.get_full_name() or agent.get_username()) if agent is not None else ""
    return {
        "author.name": name,
        "author.first_name": name.split()[0] if name else "",
        "channel.name": conversation.connection.name,
        "agent.name": agent_name,
    }


def render_for(saved: SavedReply, conversation: Conversation, *, agent: Any, answers: Mapping[str, str]) -> str:
    """The text to insert in this thread's reply box; every question of the reply must be answered."""
    require(agent, conversation.workspace, Perm.REPLY)
    missing = [q for q in template.questions(saved.body) if not answers.get(q, "").strip()]
    if missing:
        raise ValidationError(
            _("Answer every question first: %(questions)s.") % {"questions": ", ".join(missing)}, code="questions"
        )
    clean = {q: " ".join(answers[q].split())[:200] for q in template.questions(saved.body)}
    return template.render(saved.body, values_for(conversation, agent), clean)


def count_used(conversation: Conversation, ids: Iterable[int]) -> int:
    """One more use for each saved reply of ``ids`` (once each) that the thread offers: of its workspace, on every
    channel or on the thread's. The ids come from the reply form: any other is ignored."""
    offered = SavedReply.objects.filter(workspace_id=conversation.workspace_id).filter(
        Q(connection__isnull=True) | Q(connection_id=conversation.connection_id)
    )
    return offered.filter(pk__in=set(ids)).update(usage_count=F("usage_count") + 1)
