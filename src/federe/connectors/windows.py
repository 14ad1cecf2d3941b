"""Conversation windows: how a chat's endless stream becomes threads (IRC channels, Telegram groups, Discord channels).

A chat has no threads. Its messages are cut into windows of conversation: a message opens a new window (a new thread
in Fédère) when the chat has been silent for ``window_minutes`` (default 30) before it; otherwise it joins the window
open in that chat. A window never ends for being long, only for a silence. A window's thread id is
``<chat> <time of its first message>`` (UTC, to the second; the chat's id holds no space), so it is the same whoever
reads the messages and however many pages it takes. The state (per chat: the open window's start and its last
message's time) is kept in the sync cursor, so a restart goes on with the window it left.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

DEFAULT_WINDOW_MINUTES = 30


def stamp(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def thread_for(state: dict[str, Any], channel: str, at: datetime, silence: timedelta) -> str:
    """The thread of a message said at ``at`` in ``channel``; updates ``state`` (channel -> [start, last])."""
    start, last = state.get(channel, ("", ""))
    if not start or at - datetime.fromisoformat(last.replace("Z", "+00:00")) > silence:
        start = stamp(at)
    state[channel] = [start, max(last, stamp(at))]
    return f"{channel} {start}"


def window_start(thread_id: str) -> datetime | None:
    _channel, _, start = thread_id.partition(" ")
    try:
        return datetime.fromisoformat(start.replace("Z", "+00:00"))
    except ValueError:
        return None


def channel_of(thread_id: str) -> str:
    return thread_id.partition(" ")[0]
