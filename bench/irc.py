"""The IRC connector on the real ngIRCd peer (../shared/peers/irc): how soon a line said in the channel is in the
spool, how fast ``fetch`` reads a spool, how long a reply takes, and the send pace. Prints figures; fails only when
something broke.

../shared/peers/irc/irc-ci.sh start
set -a; . /tmp/federe-peers/irc/env; set +a
FEDERE_ENV=test .venv/bin/python bench/irc.py [--trials 20] [--lines 20000]

* Heard: the live bot (``Connector.listen``) is in the channel; a second client says a line; the time from its
  ``sendall`` to the line being in the spool file.
* Reading: ``--lines`` messages written to a throw-away spool, read from scratch by ``fetch`` pages of 200.
* Reply: one ``reply`` (a short connection: register, OPER, JOIN, PRIVMSG, QUIT), end to end.
* Pace: a reply of 8 lines goes through the token bucket (a burst of 4, then one line every 2 s) with its JOIN:
  about 10 s.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import django


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--lines", type=int, default=20000)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "federe.config.test_settings")
    django.setup()
    from django.conf import settings

    from federe.connectors import registry
    from federe.connectors.irc.lines import split_text
    from federe.connectors.irc.session import BURST, SECONDS_PER_LINE, Session
    from federe.connectors.irc.spool import Spool
    from federe.connectors.types import OutgoingReply

    scratch = Path(tempfile.mkdtemp(prefix="federe-irc-bench-"))  # both spools, removed at the end
    settings.FEDERE_IRC_SPOOL_DIR = str(scratch / "live")
    env, run = os.environ, uuid.uuid4().hex[:6]
    room = f"#bench{run}"
    config = {"host": env["IRC_HOST"], "port": env["IRC_PORT"], "nick": f"bench{run}", "channels": room}
    config["oper_name"] = env["IRC_OPER_NAME"]
    credentials = {"oper_password": env["IRC_OPER_PASSWORD"]}
    connector = registry.build("irc", config=config, credentials=credentials)
    spool: Spool = connector.spool  # type: ignore[attr-defined]

    stop = threading.Event()
    bot = threading.Thread(target=connector.listen, args=(stop,), daemon=True)
    bot.start()
    member = socket.create_connection((env["IRC_HOST"], int(env["IRC_PORT"])), timeout=10)
    member.sendall(f"NICK m{run}\r\nUSER m{run} 0 * :m\r\n".encode())
    time.sleep(2)  # registered, and the bot has joined (it created the channel)
    member.sendall(f"JOIN {room}\r\n".encode())
    time.sleep(1)
    delays = []
    for trial in range(args.trials):
        text = f"trial {trial} {uuid.uuid4().hex}"
        member.sendall(f"PRIVMSG {room} :{text}\r\n".encode())
        said = time.perf_counter()
        while not any(e.get("text") == text for e, _end in spool.read_after(0)):
            if time.perf_counter() - said > 10:
                print(f"FAIL: the bot did not spool {text!r}")
                return 1
            time.sleep(0.001)
        delays.append((time.perf_counter() - said) * 1000)
        time.sleep(0.05)
    print(
        f"heard, member's PRIVMSG -> in the spool ({args.trials} lines):"
        f" median {statistics.median(delays):.1f} ms, max {max(delays):.1f} ms"
    )

    started = time.perf_counter()
    sent = connector.reply(OutgoingReply(f"{room} x", f"{room} m{run} x", "<p>Merci</p>", "bench-1"))
    took = (time.perf_counter() - started) * 1000
    print(f"reply of one line (connect, register, OPER, JOIN, PRIVMSG, QUIT): {took:.0f} ms")
    long = " ".join(f"mot{n:04d}" for n in range(8 * 49))  # 8 lines of at most 400 bytes
    room_for_text = min(400, Session(config, {}, nick=f"{config['nick']}_").line_room)
    lines = len(split_text(f"m{run}: {long}", room_for_text))
    started = time.perf_counter()
    connector.reply(OutgoingReply(f"{room} x", f"{room} m{run} x", f"<p>{long}</p>", "bench-2"))
    took = time.perf_counter() - started
    expected = max(0, 1 + lines - BURST) * SECONDS_PER_LINE  # the JOIN and the lines, after the burst
    print(f"reply of {lines} lines through the token bucket: {took:.2f} s (the bucket alone: {expected:.0f} s)")
    stop.set()
    bot.join(10)
    member.close()
    assert sent.external_id

    big = Spool(scratch / "read", "benchspool01")
    start = datetime(2026, 12, 6, 20, 0, tzinfo=UTC)
    for n in range(args.lines):
        at = (start + timedelta(seconds=n)).isoformat()
        big.append("message", channel=room, nick=f"u{n % 50}", userhost="~u@h", text=f"ligne {n}", at=at)
    settings.FEDERE_IRC_SPOOL_DIR = str(big.path.parent)
    reader = registry.build("irc", config={**config, "spool": "benchspool01"}, credentials={})
    started, cursor, items, pages = time.perf_counter(), None, 0, 0
    while True:
        batch = reader.fetch(cursor)
        items, pages, cursor = items + len(batch.items), pages + 1, batch.cursor
        if not batch.has_more:
            break
    seconds = time.perf_counter() - started
    if items != args.lines:
        print(f"FAIL: read {items} of {args.lines} lines")
        return 1
    shutil.rmtree(scratch)
    print(f"reading a spool of {items} lines in {pages} pages of 200: {seconds:.2f} s ({items / seconds:,.0f} lines/s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
