"""The NNTP connector on the real INN peer (../shared/peers/nntp): how fast a group is read from scratch, and how long
a reply takes to post. Prints figures; fails only when something broke.

../shared/peers/nntp/nntp-ci.sh start
set -a; . /tmp/federe-peers/nntp/env; set +a
FEDERE_ENV=test .venv/bin/python bench/nntp.py [--articles 500] [--replies 10]

* Reading: ``--articles`` small articles posted by the member to the peer's group, then the whole group read from
  scratch by ``fetch`` pages of 100 (GROUP, OVER, ARTICLE per article, MIME parsing and sanitising). The group
  keeps what earlier runs posted: the figure counts every article read.
* Replying: ``--replies`` follow-ups to the first article, each with a new key (STAT, HEAD of the parent, POST),
  one connection each, as the connector does.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid

import django


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=500)
    parser.add_argument("--replies", type=int, default=10)
    options = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "federe.config.test_settings")
    django.setup()
    from federe.connectors import registry
    from federe.connectors.nntp.client import NewsClient
    from federe.connectors.types import OutgoingReply

    env = os.environ
    group = env["NNTP_GROUP"]
    run = uuid.uuid4().hex[:8]
    first = ""
    started = time.perf_counter()
    with NewsClient(env["NNTP_HOST"], int(env["NNTP_PORT"]), env["NNTP_MEMBER_USER"], env["NNTP_MEMBER_PASSWORD"]) as c:
        for n in range(options.articles):
            message_id = f"bench.{run}.{n}@members.example.net"
            first = first or message_id
            article = (
                f"From: Bench <bench@example.net>\r\nNewsgroups: {group}\r\nSubject: Bench {run} {n}\r\n"
                f"Message-ID: <{message_id}>\r\n\r\nArticle {n} du banc d'essai, avec des accents.\r\n"
            )
            answer = c.post(article.encode("utf-8"))
            if answer.code != 240:
                print(f"INN refused article {n}: {answer.shown}")
                return 1
    posted = time.perf_counter() - started
    print(f"posted {options.articles} articles in {posted:.2f} s (one connection)")

    config = {
        "host": env["NNTP_HOST"],
        "port": env["NNTP_PORT"],
        "user": env["NNTP_USER"],
        "targets": [group],
        "from_address": "community@example.com",
        "page_size": 100,
    }
    connector = registry.build("nntp", config=config, credentials={"password": env["NNTP_PASSWORD"]})
    cursor, pages, read = None, 0, 0
    started = time.perf_counter()
    while True:
        batch = connector.fetch(cursor)
        cursor, pages, read = batch.cursor, pages + 1, read + len(batch.items) + len(batch.malformed)
        if not batch.has_more:
            break
    elapsed = time.perf_counter() - started
    print(f"read {read} articles in {pages} pages of 100 in {elapsed:.2f} s ({read / elapsed:.0f} articles/s)")

    timings = []
    for _n in range(options.replies):
        reply = OutgoingReply(first, first, "<p>Merci !</p>", uuid.uuid4().hex)
        started = time.perf_counter()
        connector.reply(reply)
        timings.append((time.perf_counter() - started) * 1000)
    print(
        f"replies: median {statistics.median(timings):.0f} ms, max {max(timings):.0f} ms over {len(timings)}"
        " (connect, AUTHINFO, STAT, HEAD, POST)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
