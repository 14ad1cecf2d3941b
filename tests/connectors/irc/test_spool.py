"""The spool, fetch from it, the token bucket, and the live bot against a small server that sends junk."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.test import override_settings

from federe.connectors import registry
from federe.connectors.irc.bot import Bot
from federe.connectors.irc.session import TokenBucket
from federe.connectors.irc.spool import Spool
from tests.connectors.irc.fake_server import OPER_PASSWORD, Server
from tests.connectors.irc.kit import CONFIG, SPOOL, fill


@pytest.fixture
def spool_dir(tmp_path: Path):
    with override_settings(FEDERE_IRC_SPOOL_DIR=str(tmp_path)):
        yield tmp_path


def build(**config):
    return registry.build(
        "irc", config={**CONFIG, "spool": SPOOL, **config}, credentials={"oper_password": OPER_PASSWORD}
    )


def test_sequence_numbers_follow_each_other_across_writers(tmp_path):
    spool = Spool(tmp_path, "abcdef0123")
    threads = [threading.Thread(target=lambda: [spool.append("event") for _ in range(50)]) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [entry["seq"] for entry, _end in spool.read_after(0)] == list(range(1, 201))


def test_a_reader_starts_at_its_offset_and_ignores_one_that_is_not_a_line_start(tmp_path):
    spool = Spool(tmp_path, "abcdef0123")
    for _ in range(3):
        spool.append("event")
    (first, after_first), *_rest = spool.read_after(0)
    assert [entry["seq"] for entry, _end in spool.read_after(1, after_first)] == [2, 3]
    assert [entry["seq"] for entry, _end in spool.read_after(1, after_first + 3)] == [2, 3]  # mid-line: from the top
    assert first["seq"] == 1


def test_a_cursor_without_an_offset_reads_the_same(spool_dir):
    fill(Spool(spool_dir, SPOOL), count=250)
    first = build().fetch(None)
    older = {key: value for key, value in first.cursor.items() if key != "offset"}
    assert build().fetch(older).items == build().fetch(first.cursor).items


def test_fetch_pages_the_spool_counts_the_junk_and_keeps_the_gaps(spool_dir):
    fill(Spool(spool_dir, SPOOL), count=250)
    connector = build()
    first = connector.fetch(None)
    assert len(first.items) == 198 and first.has_more  # 200 lines: a gap and a malformed one among them
    second = connector.fetch(first.cursor)
    assert len(second.items) == 52 and not second.has_more
    assert len(first.malformed) == 1 and "not IRC" in first.malformed[0].reason
    gap = connector.missed_periods(second.cursor)
    assert gap == [(datetime(2026, 11, 30, 23, 5, tzinfo=UTC), datetime(2026, 11, 30, 23, 10, tzinfo=UTC))]
    threads = {item.thread_id for item in first.items + second.items}
    assert threads == {"#kit 2026-11-30T20:00:00Z", "#kit 2026-11-30T23:05:00Z"}  # the hour of silence
    ids = [item.external_id for item in first.items + second.items]
    assert len(set(ids)) == 250
    assert connector.fetch(second.cursor).items == []


def test_a_spooled_line_that_cannot_be_read_is_counted(spool_dir):
    spool = Spool(spool_dir, SPOOL)
    spool.append("message", channel="#kit", nick="x", text="no time")
    spool.append("message", channel="#kit", nick="x", text="ok", at="2026-12-06T21:00:00+00:00")
    batch = build().fetch(None)
    assert len(batch.items) == 1 and len(batch.malformed) == 1


def test_the_time_between_two_connections_is_a_gap(tmp_path):
    spool = Spool(tmp_path, "abcdef0123")
    t0 = datetime(2026, 12, 6, 21, 2, tzinfo=UTC)
    assert spool.connected(t0) is None  # the first connection: nothing was missed
    spool.still_here(t0 + timedelta(seconds=30))
    assert spool.connected(t0 + timedelta(minutes=5)) == {
        "start": "2026-12-06T21:02:30+00:00",
        "end": "2026-12-06T21:07:00+00:00",
    }


def test_the_token_bucket_allows_a_burst_then_one_line_every_two_seconds():
    now = [0.0]
    bucket = TokenBucket(capacity=4, seconds=2.0, clock=lambda: now[0])
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    for _ in range(10):
        bucket.take(sleep)
    assert now[0] == pytest.approx(12.0)  # 4 at once, then 6 more at 2 s each
    assert len(slept) == 6


def test_the_bot_ignores_and_counts_junk_and_spools_messages(spool_dir):
    server = Server()
    server.before_welcome = [":only-a-prefix", "::::"]
    server.after_join = [":bob!~b@h PRIVMSG #kit :hello", "\x00\x01 garbage", ":kitbot_!~k@h PRIVMSG #kit :our reply"]
    connector = build(port=server.port)
    stop = threading.Event()
    thread = threading.Thread(target=connector.listen, args=(stop,), daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not build(port=server.port).fetch(None).items:
            time.sleep(0.1)
    finally:
        stop.set()
        thread.join(5)
    batch = build(port=server.port).fetch(None)
    assert [item.body_html for item in batch.items] == ["<p>hello</p>"]  # not the reply connection's line
    assert len(batch.malformed) == 3
    assert not thread.is_alive()


def test_a_bot_reconnects_with_backoff_when_the_server_is_not_there(spool_dir):
    bot = Bot({**CONFIG, "port": 9}, {}, Spool(spool_dir, SPOOL))
    stop = threading.Event()
    waits: list[float] = []
    real_wait = stop.wait

    def wait(seconds: float) -> bool:
        waits.append(seconds)
        return len(waits) >= 5 or real_wait(0)

    stop.wait = wait  # type: ignore[method-assign]
    bot.run(stop, first_delay=1, max_delay=4)
    assert waits == [1, 2, 4, 4, 4] and bot.connections == 0


def test_two_workers_on_one_machine_never_listen_to_the_same_channel(spool_dir):
    """Each worker process runs the live thread: the second bot for a channel must not connect (it would spool every
    line a second time, under new sequence numbers, and the sync would store each message twice)."""
    server = Server()
    server.after_join = [":bob!~b@h PRIVMSG #kit :hello"]
    first, second = threading.Event(), threading.Event()
    listening = threading.Thread(target=build(port=server.port).listen, args=(first,), daemon=True)
    listening.start()
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not build(port=server.port).fetch(None).items:
            time.sleep(0.1)
        other = Bot(
            {**CONFIG, "spool": SPOOL, "port": server.port}, {"oper_password": OPER_PASSWORD}, Spool(spool_dir, SPOOL)
        )
        late = threading.Thread(target=other.run, args=(second,), daemon=True)
        late.start()
        late.join(5)
        stopped_by_itself = not late.is_alive()
    finally:
        first.set()
        second.set()
        listening.join(5)
    assert stopped_by_itself and other.connections == 0
    assert [item.body_html for item in build(port=server.port).fetch(None).items] == ["<p>hello</p>"]
