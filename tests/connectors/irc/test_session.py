"""Registration on a small server (fake_server.py): SASL PLAIN, NickServ IDENTIFY, OPER, a taken nick, in words."""

from __future__ import annotations

import time
from contextlib import closing

import pytest

from federe.connectors.errors import Unauthorized
from federe.connectors.irc.session import Session
from tests.connectors.irc.fake_server import OPER_PASSWORD, Server


@pytest.fixture
def server():
    server = Server()
    yield server
    server.shutdown()
    server.server_close()


def session(server: Server, **credentials: str) -> Session:
    return Session({"host": "127.0.0.1", "port": server.port, "nick": "bot", "oper_name": "op"}, credentials)


def test_sasl_plain_then_nickserv_and_oper(server):
    server.sasl = ("brand", "sasl-secret")
    with closing(session(server, sasl_user="brand", sasl_password="sasl-secret", oper_password=OPER_PASSWORD).open()):
        pass
    assert server.heard[:3] == ["CAP LS 302", "NICK bot", "USER bot 0 * Fédère"]
    assert "CAP REQ sasl" in server.heard and "CAP END" in server.heard
    assert server.heard.index("CAP END") < server.heard.index("OPER op " + OPER_PASSWORD)


def test_a_wrong_sasl_password_is_refused_in_words(server):
    server.sasl = ("brand", "sasl-secret")
    with pytest.raises(Unauthorized, match="refused the SASL user name or password"):
        session(server, sasl_user="brand", sasl_password="wrong").open()


def test_a_server_without_sasl_is_said_so(server):
    with pytest.raises(Unauthorized, match="does not offer SASL"):
        session(server, sasl_password="sasl-secret").open()


def test_nickserv_is_sent_identify_and_a_wrong_oper_password_refused(server):
    with pytest.raises(Unauthorized, match="refused the operator name or password"):
        session(server, nickserv_password="ns-secret", oper_password="wrong").open()
    assert "PRIVMSG NickServ :IDENTIFY ns-secret" in server.heard


def test_a_taken_nick_gets_an_underscore(server):
    server.before_welcome = [":irc.test 433 * bot :Nickname is already in use"]
    opened = session(server).open()
    opened.close()
    deadline = time.monotonic() + 5
    while "QUIT" not in " ".join(server.heard) and time.monotonic() < deadline:  # the server reads on its own time
        time.sleep(0.01)
    assert opened.nick == "bot_" and server.heard.count("NICK bot_") == 1
