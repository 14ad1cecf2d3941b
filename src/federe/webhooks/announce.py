"""What each event says: one function per event, called by the service where the thing happens (ingest, inbox,
moderation, listening, publishing). Payloads carry ids and plain values, never a secret; each call writes nothing
when no endpoint of the workspace subscribes to the event."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from federe.webhooks import events
from federe.webhooks.services import emit, emit_many

TEXT_CHARS = 2000


def _when(value: Any) -> str | None:
    return value.isoformat() if value else None


def messages_received(workspace_id: int, messages: Sequence[Any]) -> None:
    """A page's new inbound messages: one event each, written in one bulk insert (ingest's ``announce`` step)."""
    emit_many(
        workspace_id,
        events.MESSAGE_RECEIVED,
        [
            {
                "message": {
                    "id": m.pk,
                    "external_id": m.external_id,
                    "thread": m.conversation_id,
                    "channel": m.connection_id,
                    "author_identity": m.author_id,
                    "kind": m.kind,
                    "text": m.body_text[:TEXT_CHARS],
                    "url": m.url,
                    "language": m.language,
                    "posted_at": _when(m.posted_at),
                }
            }
            for m in messages
            if m.direction == "in"
        ],
    )


def _thread(conversation: Any) -> dict[str, Any]:
    return {"id": conversation.pk, "status": conversation.status, "channel": conversation.connection_id}


def _assigned(conversation: Any, by: Any) -> dict[str, Any]:
    assignee = conversation.assignee
    return {
        "thread": _thread(conversation),
        "assignee": {"id": assignee.pk, "username": assignee.get_username()} if assignee else None,
        "by": by.get_username() if by else None,
    }


def thread_assigned(conversation: Any, by: Any) -> None:
    emit(conversation.workspace_id, events.THREAD_ASSIGNED, _assigned(conversation, by))


def threads_assigned(workspace_id: int, conversations: Sequence[Any], by: Any) -> None:
    """A bulk assignment: one event per thread, in one bulk insert."""
    emit_many(workspace_id, events.THREAD_ASSIGNED, [_assigned(c, by) for c in conversations])


def thread_unassigned(conversation: Any, previous: Any, by: Any) -> None:
    emit(
        conversation.workspace_id,
        events.THREAD_UNASSIGNED,
        {
            "thread": {"id": conversation.pk, "status": conversation.status, "channel": conversation.connection_id},
            "previous_assignee": {"id": previous.pk, "username": previous.get_username()} if previous else None,
            "by": by.get_username() if by else None,
        },
    )


def thread_closed(conversation: Any, by: Any) -> None:
    threads_closed(conversation.workspace_id, [conversation], by)


def threads_closed(workspace_id: int, conversations: Sequence[Any], by: Any) -> None:
    """Threads closed (one, or a bulk close): one event per thread, in one bulk insert."""
    who = by.get_username() if by else None
    emit_many(workspace_id, events.THREAD_CLOSED, [{"thread": _thread(c), "by": who} for c in conversations])


def decisions_made(workspace_id: int, decisions: Sequence[Any]) -> None:
    emit_many(
        workspace_id,
        events.DECISION_MADE,
        [
            {
                "decision": {
                    "id": d.pk,
                    "action": d.action,
                    "detail": d.detail,
                    "message": d.message_id,
                    "rule_version": d.rule_version_id,
                    "by": d.actor.get_username() if d.actor_id else None,
                    "network_state": d.network_state,
                }
            }
            for d in decisions
        ],
    )


def alert_fired(alert: Any) -> None:
    emit(
        alert.workspace_id,
        events.ALERT_FIRED,
        {
            "alert": {
                "id": alert.pk,
                "query": alert.query_id,
                "kind": alert.kind,
                "fired_at": _when(alert.fired_at),
                "figures": alert.figures,
            }
        },
    )


def posts_published(sent: Sequence[tuple[Any, Any]]) -> None:
    """Deliveries of posts the networks accepted (each with the network's answer): one event each, one bulk insert
    per workspace."""
    by_workspace: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for delivery, result in sent:
        by_workspace[delivery.workspace_id].append(
            {
                "post": {
                    "id": delivery.post_id,
                    "delivery": delivery.pk,
                    "channel": delivery.connection_id,
                    "external_id": result.external_id[:500],
                    "url": result.url[:1000],
                }
            }
        )
    for workspace_id, payloads in by_workspace.items():
        emit_many(workspace_id, events.POST_PUBLISHED, payloads)


def ticket_changed(ticket: Any, change: Any) -> None:
    """An escalation ticket made, or its status moved (tickets/services.py); the same data its team receives."""
    from federe.tickets.payload import event_payload

    emit(ticket.workspace_id, events.TICKET_CHANGED, event_payload(ticket, change))
