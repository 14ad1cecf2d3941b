"""Live connections: the worker's thread that keeps one connection open per channel of a network without history.

Some networks (IRC) cannot be asked later for what was said: a connector that declares ``live`` is listened to
all the time (``Connector.listen``), and its syncs read what the listener kept. Every ``LOOK_SECONDS`` this
thread lists the enabled channels of such networks, starts a listener thread for each new one, and stops the
listeners of channels deleted, disabled or edited (an edited channel gets a new listener with its new settings).
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from dataclasses import dataclass

from django.db import close_old_connections

from federe.connections.models import Connection
from federe.connections.runtime import connector_for
from federe.connectors import registry

logger = logging.getLogger("federe.live")
LOOK_SECONDS = 15.0


@dataclass
class Listener:
    version: str
    stop: threading.Event
    thread: threading.Thread


def live_networks() -> list[str]:
    return [cls.key for cls in registry.available() if cls.live]


def _version(connection: Connection) -> str:
    settings = json.dumps([connection.config, connection.credentials_encrypted], sort_keys=True, default=str)
    return hashlib.sha256(settings.encode()).hexdigest()


def _listen(connection: Connection, stop: threading.Event) -> None:
    try:
        connector_for(connection).listen(stop)
    except Exception:
        logger.exception("the live connection of channel %s stopped", connection.pk)


def look(listeners: dict[int, Listener]) -> None:
    """One round: start what is missing, stop what is no longer wanted."""
    wanted = {c.pk: c for c in Connection.objects.filter(network__in=live_networks(), enabled=True)}
    for pk in list(listeners):
        if pk not in wanted or listeners[pk].version != _version(wanted[pk]) or not listeners[pk].thread.is_alive():
            listeners.pop(pk).stop.set()
    for pk, connection in wanted.items():
        if pk not in listeners:
            stop = threading.Event()
            thread = threading.Thread(target=_listen, args=(connection, stop), daemon=True, name=f"live-{pk}")
            listeners[pk] = Listener(_version(connection), stop, thread)
            thread.start()
            logger.info("live connection started for channel %s", pk)


def run_live(stop: threading.Event, every: float = LOOK_SECONDS) -> None:
    listeners: dict[int, Listener] = {}
    while not stop.is_set():
        try:
            look(listeners)
        except Exception:
            logger.exception("looking for live channels failed; retrying")
        finally:
            close_old_connections()
        stop.wait(every)
    for listener in listeners.values():
        listener.stop.set()
