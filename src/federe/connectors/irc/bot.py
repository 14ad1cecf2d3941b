"""The live bot: one connection per IRC channel of Fédère, kept open by the worker, writing what it hears to the
spool (``spool.py``), from which each sync reads.

It connects (``session.py``), joins the configured channels and records the gap since it was last connected. A
lost connection is opened again after 1 s, then 2, 4… up to 5 minutes (exponential backoff; back to 1 s once
connected). While connected it notes every few seconds that it is still here, and pings the server after a minute
of silence (no answer within another minute: the connection is dead and is opened again). Messages of the
channel's own reply connections (its nick followed by ``_``) are not spooled: Fédère already has them as replies.
A kick of the bot is answered by joining again.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from federe.connectors.errors import ConnectorError
from federe.connectors.irc.lines import Message
from federe.connectors.irc.session import Session
from federe.connectors.irc.spool import Spool, now

logger = logging.getLogger("federe.irc")
FIRST_DELAY, MAX_DELAY = 1.0, 300.0
ALIVE_EVERY = 5.0
PING_AFTER, DEAD_AFTER = 60.0, 120.0
EVENTS = {"JOIN", "PART", "KICK", "QUIT", "NICK", "MODE", "TOPIC"}
CHANNEL_PREFIXES = "#&+!"


def channels_of(config: dict[str, Any]) -> list[str]:
    raw = config.get("channels") or ""
    names = raw if isinstance(raw, list) else str(raw).replace(",", " ").split()
    return [name.strip() for name in names if name.strip().startswith(tuple(CHANNEL_PREFIXES))]


class Bot:
    def __init__(self, config: dict[str, Any], credentials: dict[str, Any], spool: Spool) -> None:
        self.config, self.credentials, self.spool = config, credentials, spool
        self.channels = channels_of(config)
        self.own = str(config.get("nick") or "")
        self.connections = 0  # opened so far (tests and logs)

    def __repr__(self) -> str:
        return f"<irc.Bot {self.own} {self.channels}>"

    def run(self, stop: threading.Event, *, first_delay: float = FIRST_DELAY, max_delay: float = MAX_DELAY) -> None:
        """Until ``stop`` is set: connect, listen, and connect again after a backoff when the connection ends. Returns
        at once when another worker on this machine already listens for this channel (the live thread asks again)."""
        with self.spool.sole_listener() as mine:
            if not mine:
                logger.debug("irc bot %s: another worker on this machine already listens", self.own)
                return
            self._run(stop, first_delay, max_delay)

    def _run(self, stop: threading.Event, first_delay: float, max_delay: float) -> None:
        delay = first_delay
        while not stop.is_set():
            session = Session(self.config, self.credentials)
            session.on_malformed = self.malformed
            try:
                session.open()
                for channel in self.channels:
                    session.join(channel)
                self.connections += 1
                self.spool.connected()
                delay = first_delay
                logger.info("irc bot %s joined %s on %s", session.nick, " ".join(self.channels), session.where())
                self.listen(session, stop)
            except ConnectorError as exc:
                logger.warning("irc bot on %s: %s (again in %.0f s)", session.where(), exc.message, delay)
            except Exception:
                logger.exception("irc bot on %s failed (again in %.0f s)", session.where(), delay)
            finally:
                session.close("Fédère is going away")
            if stop.wait(delay):
                break
            delay = min(delay * 2, max_delay)

    def malformed(self, raw: str) -> None:
        self.spool.append("malformed", raw=raw, at=now().isoformat())
        logger.warning("irc bot: a line that is not IRC was ignored")

    def listen(self, session: Session, stop: threading.Event) -> None:
        heard = noted = time.monotonic()
        pinged = False
        while not stop.is_set():
            while session.overheard:  # said while the bot waited for an answer (joining a channel)
                self.hear(session, session.overheard.pop(0))
            message = session.read(1.0)
            current = time.monotonic()
            if message is not None:
                heard, pinged = current, False
                self.hear(session, message)
            elif not pinged and current - heard > PING_AFTER:
                session.send("PING", session.host, paced=False)
                pinged = True
            elif current - heard > DEAD_AFTER:
                raise session.lost()
            if current - noted >= ALIVE_EVERY:
                self.spool.still_here()
                noted = current
        self.spool.still_here()

    def hear(self, session: Session, message: Message) -> None:
        at = (message.server_time() or now()).isoformat()
        target = message.params[0] if message.params else ""
        if message.command in {"PRIVMSG", "NOTICE"} and target.lower() in {c.lower() for c in self.channels}:
            if len(message.params) < 2 or message.nick.startswith(f"{self.own}_") or message.nick == session.nick:
                return
            self.spool.append(
                "message", channel=target, nick=message.nick, userhost=message.userhost, text=message.params[1], at=at
            )
        elif message.command in EVENTS:
            self.spool.append("event", command=message.command, nick=message.nick, params=list(message.params), at=at)
            if message.command == "KICK" and len(message.params) > 1 and message.params[1] == session.nick:
                try:
                    session.join(target)
                except ConnectorError as exc:
                    logger.warning("irc bot kicked from %s, cannot join again: %s", target, exc.message)
