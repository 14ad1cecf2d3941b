"""The IRC line parser and writer (RFC 2812 §2.3, IRCv3 message tags)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from federe.connectors.irc.lines import Malformed, decode, format_line, parse, split_text

WORD = st.text(st.characters(codec="utf-8", exclude_characters=" \r\n\0:"), min_size=1, max_size=20)
TEXT = st.text(st.characters(codec="utf-8", exclude_characters="\r\n\0"), max_size=200)


def test_a_privmsg_with_prefix_and_trailing():
    message = parse(":bob!~bob@127.0.0.1 PRIVMSG #community :hello: world  ")
    assert (message.command, message.params) == ("PRIVMSG", ("#community", "hello: world  "))
    assert (message.nick, message.userhost) == ("bob", "~bob@127.0.0.1")


def test_numerics_and_server_prefixes():
    message = parse(":irc.localhost 005 bot CHANMODES=beI,k,l,imnt NICKLEN=30 :are supported")
    assert message.command == "005" and message.params[1] == "CHANMODES=beI,k,l,imnt"
    assert message.nick == "irc.localhost"


def test_tags_are_unescaped_and_the_server_time_read():
    message = parse(r"@time=2026-12-06T21:02:03.120Z;msgid=a\sb\:c;+flag :x!y@z PRIVMSG #c :hi")
    assert message.tags == {"time": "2026-12-06T21:02:03.120Z", "msgid": "a b;c", "+flag": ""}
    assert message.server_time() == datetime(2026, 12, 6, 21, 2, 3, 120000, tzinfo=UTC)
    assert parse("@time=yesterday :x!y@z PRIVMSG #c :hi").server_time() is None


@pytest.mark.parametrize(
    "line", ["", ":prefix-only", ": PRIVMSG #c :x", ":a!b@c :no command", "123456 x", "PRIV-MSG x"]
)
def test_lines_that_are_not_messages_are_refused(line):
    with pytest.raises(Malformed):
        parse(line)


def test_bytes_that_are_not_utf8_are_read_as_latin1():
    assert decode("café".encode("latin-1")) == "café"


@settings(suppress_health_check=[HealthCheck.too_slow])  # a loaded machine is not a slow strategy
@given(command=st.sampled_from(["PRIVMSG", "NOTICE", "KICK", "MODE"]), words=st.lists(WORD, max_size=4), last=TEXT)
def test_what_is_written_reads_back(command, words, last):
    line = format_line(command, *words, last).decode("utf-8")
    assert line.endswith("\r\n")
    assert parse(line).params == (*words, last)


def test_a_parameter_cannot_smuggle_a_second_line():
    with pytest.raises(ValueError):
        format_line("PRIVMSG", "#c", "hi\r\nQUIT :bye")


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXT, room=st.integers(10, 400))
def test_split_text_keeps_every_word_within_the_room(text, room):
    pieces = split_text(text, room)
    assert all(0 < len(piece.encode()) <= room for piece in pieces)
    assert "".join("".join(pieces).split()) == "".join(text.split())
