"""The IMAP connector on the real Dovecot peer (../shared/peers/imap): how soon IDLE brings a new mail, and how fast
a folder is read. Prints figures; fails only when something broke.

../shared/peers/imap/imap-ci.sh start
set -a; . /tmp/federe-peers/imap/env; set +a
FEDERE_ENV=test .venv/bin/python bench/imap.py [--trials 10] [--messages 500]

* IDLE: a fetch waits in IDLE (nothing new); the member sends a mail through SMTP submission; the time from the
  end of the SMTP exchange to the fetch returning with that mail. Without IDLE the mail waits for the next poll.
* Reading: ``--messages`` small mails appended to a throw-away folder, read from scratch by ``fetch`` pages of 100
  (UID SEARCH, sizes, ``BODY.PEEK[]``, parsing and sanitising); the folder is deleted after.
"""

from __future__ import annotations

import argparse
import imaplib
import os
import smtplib
import statistics
import sys
import threading
import time
import uuid

import django


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trials", type=int, default=10)
    parser.add_argument("--messages", type=int, default=500)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "federe.config.test_settings")
    django.setup()
    from federe.connectors import registry

    env = os.environ
    config = {"imap_host": env["IMAP_HOST"], "imap_port": env["IMAP_PORT"], "user": env["IMAP_USER"]}
    password = {"password": env["IMAP_PASSWORD"]}

    def build(**extra: object):
        return registry.build("imap", config={**config, **extra}, credentials=password)

    batch = build(long_poll_seconds=0, page_size=1000).fetch(None)
    while batch.has_more:
        batch = build(long_poll_seconds=0, page_size=1000).fetch(batch.cursor)
    cursor = batch.cursor
    delays = []
    for _trial in range(args.trials):
        sent: dict[str, float] = {}

        def write(sent: dict[str, float] = sent) -> None:
            message_id = f"{uuid.uuid4().hex}@bench.test"
            text = (
                f"From: {env['IMAP_MEMBER_USER']}\r\nTo: {env['IMAP_USER']}\r\nSubject: Bench\r\n"
                f"Message-ID: <{message_id}>\r\n\r\nHi\r\n"
            )
            with smtplib.SMTP(env["SMTP_HOST"], int(env["SMTP_PORT"])) as smtp:
                smtp.login(env["IMAP_MEMBER_USER"], env["IMAP_MEMBER_PASSWORD"])
                smtp.sendmail(env["IMAP_MEMBER_USER"], [env["IMAP_USER"]], text)
            sent[message_id] = time.perf_counter()

        writer = threading.Timer(1.0, write)
        writer.start()
        woke = build(long_poll_seconds=30).fetch(cursor)
        returned = time.perf_counter()
        writer.join()
        ((message_id, at),) = sent.items()
        if [item.external_id for item in woke.items] != [message_id]:
            print(f"FAIL: IDLE did not bring {message_id}: {[i.external_id for i in woke.items]}")
            return 1
        delays.append((returned - at) * 1000)
        cursor = woke.cursor
    print(
        f"IDLE, SMTP sent -> fetch returned with the mail ({args.trials} trials):"
        f" median {statistics.median(delays):.0f} ms, max {max(delays):.0f} ms"
    )

    folder = f"Bench-{uuid.uuid4().hex[:8]}"
    imap = imaplib.IMAP4(env["IMAP_HOST"], int(env["IMAP_PORT"]))
    imap.login(env["IMAP_USER"], env["IMAP_PASSWORD"])
    imap.create(folder)
    try:
        for n in range(args.messages):
            raw = (
                f"From: Membre {n} <m{n}@example.com>\r\nSubject: Question {n}\r\n"
                f"Message-ID: <{n}.{folder}@bench.test>\r\n"
                f"Content-Type: text/plain; charset=utf-8\r\n\r\nBonjour, une question n° {n} sur le local.\r\n"
            ).encode()
            imap.append(folder, None, None, raw)
        started = time.perf_counter()
        read, pages, cursor = 0, 0, None
        while True:
            batch = build(long_poll_seconds=0, page_size=100, targets=[folder]).fetch(cursor)
            read, pages, cursor = read + len(batch.items), pages + 1, batch.cursor
            if not batch.has_more:
                break
        seconds = time.perf_counter() - started
    finally:
        imap.delete(folder)
        imap.logout()
    if read != args.messages:
        print(f"FAIL: read {read} of {args.messages}")
        return 1
    print(f"read {read} mails in {pages} pages: {seconds:.2f} s, {read / seconds:.0f} mails/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
