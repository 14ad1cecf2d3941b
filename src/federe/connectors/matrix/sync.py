"""Reading the chosen Matrix rooms incrementally: ``/sync`` with a stored ``next_batch`` and a filter of those rooms.

The cursor
----------
``{"since": next_batch, "targets": [...], "rooms": [...], "expand_in": syncs, "names": {room: name}}``

* ``targets`` are the channel's chosen ids (``config["targets"]``); ``rooms`` what they stand for once spaces are
  expanded to the rooms of theirs we have joined (refreshed when the targets change, and every EXPAND_EVERY syncs:
  a count, not a clock, so that the same cursor always reads the same).
* A sync of the rooms already followed is incremental (``since``) and long-polls (``timeout``): the homeserver
  answers as soon as something happens in those rooms. A room newly chosen gets a first sync of its own (its last
  ``history`` events); the cursor keeps the ``next_batch`` of the incremental one, so an event may be handed over
  twice (ingest is idempotent), never skipped.
* When the homeserver cuts a room's timeline (``limited``: more events than the filter's limit since the last sync),
  the gap is read with ``/rooms/{room}/messages`` forwards from the previous ``since``.
* ``names`` keeps each room's name: a room's first message may come long after its name was seen.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from django.utils.translation import gettext as _

from federe.connectors.errors import Permanent
from federe.connectors.matrix import mapping
from federe.connectors.matrix.client import MatrixClient
from federe.connectors.types import Batch, Cursor, Item, MalformedItem, NetworkStatus

MESSAGE_TYPES = ["m.room.message", "m.room.redaction"]
STATE_TYPES = ["m.room.member", "m.room.name", "m.room.canonical_alias"]
EXPAND_EVERY = 120  # syncs (about an hour of long polls in a quiet room)
GAP_PAGES = 20  # at most this many pages of 100 events to fill a cut timeline


def sync_filter(rooms: list[str], limit: int) -> str:
    """An inline filter: the rooms' messages, redactions, names and members; nothing else."""
    nothing = {"not_types": ["*"]}
    room = {
        "rooms": rooms,
        "timeline": {"limit": limit, "types": MESSAGE_TYPES + STATE_TYPES},
        "state": {"types": STATE_TYPES, "lazy_load_members": True},
        "ephemeral": nothing,
        "account_data": nothing,
    }
    return json.dumps({"room": room, "presence": nothing, "account_data": nothing}, separators=(",", ":"))


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str) and v] if isinstance(value, list) else []


class RoomReader:
    def __init__(self, client: MatrixClient, targets: list[str], *, history: int, wait_seconds: int) -> None:
        self.client = client
        self.targets = targets
        self.history = history
        self.wait_seconds = wait_seconds
        self.malformed: list[MalformedItem] = []

    # -- rooms -----------------------------------------------------------------------------------------------

    def rooms(self, cursor: Cursor) -> tuple[list[str], int]:
        """The rooms the targets stand for (spaces expanded), and how many syncs until they are worked out again."""
        expand_in = cursor.get("expand_in")
        fresh = isinstance(expand_in, int) and not isinstance(expand_in, bool) and 0 < expand_in <= EXPAND_EVERY
        if fresh and _strings(cursor.get("targets")) == self.targets:
            return _strings(cursor.get("rooms")), int(expand_in) - 1  # type: ignore[arg-type]
        return self.expand(), EXPAND_EVERY

    def expand(self) -> list[str]:
        joined = set(self.client.joined_rooms())
        rooms: list[str] = []
        for target in self.targets:
            create = self.client.state(target, "m.room.create") if target in joined else None
            if create is not None and create.get("type") == "m.space":
                rooms.extend(child for child in self._children(target) if child in joined)
            else:
                rooms.append(target)  # a room we left is still asked for: the homeserver says what is wrong
        return sorted(set(rooms))

    def _children(self, space: str) -> list[str]:
        children = []
        for event in self.client.room_state(space):
            if isinstance(event, dict) and event.get("type") == "m.space.child" and event.get("content"):
                key = event.get("state_key")
                if isinstance(key, str) and key:
                    children.append(key)
        return children

    # -- reading ---------------------------------------------------------------------------------------------

    def read(self, cursor: Cursor) -> Batch:
        rooms, expand_in = self.rooms(cursor)
        since = str(cursor.get("since") or "")
        names: dict[str, str] = {k: v for k, v in (cursor.get("names") or {}).items() if isinstance(v, str)}
        followed = set(_strings(cursor.get("rooms"))) if since else set()
        old = [room for room in rooms if room in followed]
        new = [room for room in rooms if room not in followed]
        events: list[tuple[str, Any]] = []
        next_batch = since
        if old:
            wait = self.wait_seconds * 1000 if not new else 0
            answer = self.client.sync(since=since, filter_json=sync_filter(old, self.history), timeout_ms=wait)
            next_batch = self._next_batch(answer)
            self._collect(answer, set(old), since, names, events)
        if new:
            answer = self.client.sync(since="", filter_json=sync_filter(new, self.history), timeout_ms=0)
            next_batch = next_batch if old else self._next_batch(answer)
            self._collect(answer, set(new), "", names, events)
        items = self._items(events, names)
        following = {
            "since": next_batch,
            "targets": self.targets,
            "rooms": rooms,
            "expand_in": expand_in,
            "names": {room: names[room] for room in rooms if names.get(room)},
        }
        return Batch(items=items, malformed=self.malformed, cursor=following, has_more=False)

    @staticmethod
    def _next_batch(answer: dict[str, Any]) -> str:
        token = answer.get("next_batch")
        if not isinstance(token, str) or not token:
            raise Permanent(_("The homeserver's sync answer has no next_batch token."))
        return token

    def _collect(
        self, answer: dict[str, Any], rooms: set[str], since: str, names: dict[str, str], out: list[tuple[str, Any]]
    ) -> None:
        """Append each followed room's events to ``out`` (a cut timeline with the events of its gap)."""
        joined = (answer.get("rooms") or {}).get("join") if isinstance(answer.get("rooms"), dict) else None
        for room_id, room in (joined or {}).items():
            if room_id not in rooms or not isinstance(room, dict):
                continue
            state = _events(room.get("state"))
            timeline = room.get("timeline") if isinstance(room.get("timeline"), dict) else {}
            events = _events(timeline)
            names[room_id] = mapping.room_name(state + events) or names.get(room_id, "")
            if since and timeline.get("limited"):  # type: ignore[union-attr]
                events = self._gap(room_id, since) + events
            out.extend((room_id, event) for event in state + events)

    def _gap(self, room_id: str, since: str) -> list[Any]:
        """The events of a cut timeline, read forwards from the previous sync's token (GAP_PAGES at most)."""
        events: list[Any] = []
        start = since
        for _page in range(GAP_PAGES):
            answer = self.client.messages(room_id, start=start, limit=100, filter_json=_messages_filter())
            chunk = _strings_or_events(answer.get("chunk"))
            events.extend(chunk)
            end = answer.get("end")
            if not chunk or not isinstance(end, str) or end == start:
                break
            start = end
        return events

    def _items(self, events: list[tuple[str, Any]], names: dict[str, str]) -> list[Item]:
        """Messages, edits and redactions in order, one item per message (the last state of each wins)."""
        members: dict[str, dict[str, str]] = {}
        for room_id, event in events:
            members.setdefault(room_id, {}).update(mapping.member_names([event]))
        found: dict[str, Item] = {}
        seen: set[str] = set()
        for room_id, event in events:
            if not isinstance(event, dict) or event.get("event_id") in seen:
                continue
            seen.add(str(event.get("event_id")))
            mapped = self._map(room_id, event, members.get(room_id, {}), names.get(room_id, ""))
            if isinstance(mapped, MalformedItem):
                self.malformed.append(mapped)
            elif mapped is not None:
                found[mapped.external_id] = _merge(found.get(mapped.external_id), mapped)
        return list(found.values())

    def _map(
        self, room_id: str, event: dict[str, Any], names: dict[str, str], name: str
    ) -> Item | MalformedItem | None:
        kind = event.get("type")
        if kind == "m.room.message":
            return mapping.map_message(room_id, event, names, name)
        if kind == "m.room.redaction":
            target = mapping.redacted_id(event)
            if not target:
                return None
            try:
                redacted = self.client.event(room_id, target)
            except Permanent:
                return None  # not visible to us (before we joined): nothing of it is stored
            if redacted.get("type") != "m.room.message" or mapping.edit_of(redacted):
                return None
            mapped = mapping.map_message(room_id, redacted, names, name)
            if isinstance(mapped, Item):
                return replace(mapped, status=NetworkStatus.REMOVED, body_html="")
            return mapped
        return None


def _events(block: Any) -> list[Any]:
    return _strings_or_events(block.get("events")) if isinstance(block, dict) else []


def _strings_or_events(value: Any) -> list[Any]:
    return [event for event in value if isinstance(event, dict)] if isinstance(value, list) else []


def _messages_filter() -> str:
    return json.dumps({"types": MESSAGE_TYPES + STATE_TYPES}, separators=(",", ":"))


def _merge(earlier: Item | None, later: Item) -> Item:
    """An edit or a redaction after its message, in the same page: one item with the last text and status."""
    if earlier is None:
        return later
    if later.status == NetworkStatus.REMOVED:
        return replace(earlier, status=NetworkStatus.REMOVED, body_html="")
    if later.edited_at is not None and earlier.status != NetworkStatus.REMOVED:
        return replace(earlier, body_html=later.body_html, edited_at=later.edited_at)
    return earlier
