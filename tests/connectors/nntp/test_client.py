"""The NNTP client on the dialogue recorded on the real INN 2.7.1 (fixtures/dialogue.json, served by fake.py)."""

from __future__ import annotations

import pytest

from federe.connectors.errors import Permanent, Transient, Unauthorized
from federe.connectors.nntp.client import NewsClient
from tests.connectors.nntp import dialogue
from tests.connectors.nntp.fake import load, replaying

RECORDED = load()
IDS = RECORDED["ids"]


def news(password: str = dialogue.PASSWORD) -> NewsClient:
    return NewsClient(dialogue.HOST, 119, dialogue.USER, password)


def test_it_logs_in_and_lists_the_groups_with_their_status():
    with replaying() as replay, news() as client:
        groups = {name: status for name, _high, _low, status in client.list_active()}
    assert groups[dialogue.GROUP] == "y" and groups[dialogue.MODERATED] == "m"
    assert replay.commands[:3] == ["AUTHINFO USER community", f"AUTHINFO PASS {dialogue.PASSWORD}", "LIST ACTIVE"]


def test_it_reads_a_range_and_unstuffs_a_line_that_starts_with_a_dot():
    with replaying(), news() as client:
        state = client.select(dialogue.GROUP)
        rows = client.over(1, 2)
        mime = client.article(3)
    assert (state.low, state.high) == (1, 3)
    assert [row.message_id for row in rows] == [f"<{IDS['root']}>", f"<{IDS['follow']}>"]
    assert rows[1].references == f"<{IDS['root']}>"
    assert mime is not None and b"\r\n.point en t=EAte de ligne\r\n" in mime  # sent as "..point" by INN


def test_a_wrong_password_is_refused_in_words_without_showing_it():
    with replaying(), pytest.raises(Unauthorized) as refused:
        news("wrong-password").connect()
    assert refused.value.message == "The news server refused the user name or password."
    assert "wrong-password" not in refused.value.message


def test_an_article_is_sent_dot_stuffed_and_its_answer_read():
    with replaying() as replay, news() as client:
        answer = client.post(b"From: a@example.org\r\nNewsgroups: x\r\nSubject: s\r\n\r\n.hidden\r\nend\r\n")
    assert answer.code == 240
    assert replay.posted == [b"From: a@example.org\r\nNewsgroups: x\r\nSubject: s\r\n\r\n..hidden\r\nend\r\n"]


def test_a_server_that_hangs_up_mid_answer_is_a_transient_error():
    with replaying() as replay, news() as client:
        replay.hang_up_after = "OVER 1-2"
        client.select(dialogue.GROUP)
        with pytest.raises(Transient, match="closed the connection"):
            client.over(1, 2)


def test_something_that_is_not_a_news_server_is_said_so():
    turns = [{"sent": "<greeting>", "answer": "HTTP/1.1 400 Bad Request\r\n"}]
    with replaying(turns), pytest.raises(Transient, match="not NNTP"):
        news().connect()


def test_a_command_is_never_sent_with_a_line_break_in_it():
    with replaying() as replay, news() as client, pytest.raises(Permanent):
        client.article("x>\r\nPOST\r\n<y")
    assert all("\n" not in command and command != "POST" for command in replay.commands)
