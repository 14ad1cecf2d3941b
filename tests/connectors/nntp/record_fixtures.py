"""Record the NNTP fixtures from the REAL INN (../shared/peers/nntp): every command the connector sends and every
byte INN answers, through the connector's own calls, into fixtures/dialogue.json; the moderator's Maildir into
fixtures/moderation/.

../shared/peers/nntp/nntp-ci.sh reset && ../shared/peers/nntp/nntp-ci.sh start    # an empty server
FEDERE_ENV=test .venv/bin/python -m tests.connectors.nntp.record_fixtures

As a member it posts a thread (a root, a follow-up with References, a MIME article in ISO-8859-1 quoted-printable
with an encoded subject and a line starting with a dot), two submissions to the moderated group (held: mailed to
the moderator) and a stray mail in the moderator's mailbox (not an article). Then, as the connector: LIST ACTIVE,
a whole sync in pages of 2, a reply, a new thread, approving one held article, rejecting the other, cancelling
the root's follow-up, a sync from the cursor, and a login with a wrong password. The real password is written as
``dialogue.PASSWORD``.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import time
from pathlib import Path
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "federe.config.test_settings")
django.setup()

from django.conf import settings  # noqa: E402

from federe.connectors import registry  # noqa: E402
from federe.connectors.errors import Unauthorized  # noqa: E402
from federe.connectors.nntp import client  # noqa: E402
from federe.connectors.types import ActionKind, ModerationAction, OutgoingPost, OutgoingReply  # noqa: E402
from tests.connectors.nntp import dialogue  # noqa: E402
from tests.connectors.nntp.fake import ARTICLE, FIXTURES, GREETING  # noqa: E402

E = os.environ
TURNS: list[dict[str, str]] = []


class Recording:
    """The socket's file, writing down each command and the bytes answered to it."""

    def __init__(self, real: Any) -> None:
        self.real, self.sent, self.answer = real, GREETING, b""

    def _turn(self) -> None:
        if self.answer:
            TURNS.append({"sent": self.sent, "answer": self.answer.decode("latin-1")})
        self.answer = b""

    def write(self, data: bytes) -> int:
        self._turn()
        after_post = bool(TURNS) and TURNS[-1]["sent"] == "POST" and TURNS[-1]["answer"].startswith("340")
        sent = data.decode("latin-1").rstrip("\r\n")
        if sent.startswith("AUTHINFO PASS ") and sent != "AUTHINFO PASS wrong-password":
            sent = f"AUTHINFO PASS {dialogue.PASSWORD}"
        self.sent = ARTICLE if after_post and self.sent == "POST" else sent
        return int(self.real.write(data))

    def readline(self, limit: int = -1) -> bytes:
        line = bytes(self.real.readline(limit))
        self.answer += line
        return line

    def flush(self) -> None:
        self.real.flush()

    def close(self) -> None:
        self._turn()
        self.real.close()


class Sock:
    def __init__(self, real: socket.socket) -> None:
        self.real = real

    def makefile(self, mode: str) -> Recording:
        return Recording(self.real.makefile(mode))

    def close(self) -> None:
        self.real.close()


def opener(host: str, port: int, *, tls: bool, timeout: float) -> Sock:
    return Sock(socket.create_connection((E["NNTP_HOST"], int(E["NNTP_PORT"])), timeout))


def member_post(article: bytes) -> None:
    with client.NewsClient(E["NNTP_HOST"], int(E["NNTP_PORT"]), E["NNTP_MEMBER_USER"], E["NNTP_MEMBER_PASSWORD"]) as c:
        answer = c.post(article)
        assert answer.code == 240, answer


def main() -> None:
    suffix = str(int(time.time()))
    ids = {name: f"{name}.{suffix}@example.net" for name in ("root", "follow", "mime", "held", "held2")}
    g, m = dialogue.GROUP, dialogue.MODERATED
    member_post(
        f"From: Alice <alice@example.net>\r\nNewsgroups: {g}\r\nSubject: Horaires du local\r\n"
        f"Message-ID: <{ids['root']}>\r\n\r\nLe local ouvre a quelle heure ?\r\n".encode()
    )
    member_post(
        f"From: Bob <bob@example.net>\r\nNewsgroups: {g}\r\nSubject: Re: Horaires du local\r\n"
        f"Message-ID: <{ids['follow']}>\r\nReferences: <{ids['root']}>\r\n\r\nA 9 h.\r\n".encode()
    )
    member_post(
        f"From: =?iso-8859-1?q?Ren=E9?= <rene@example.net>\r\nNewsgroups: {g}\r\n"
        f"Subject: =?iso-8859-1?q?Re:_Horaires_d=E9cal=E9s?=\r\nMessage-ID: <{ids['mime']}>\r\n"
        f"References: <{ids['root']}> <{ids['follow']}>\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
        "Le mercredi, c'est d=E9cal=E9.\r\n.point en t=EAte de ligne\r\n".encode()
    )
    for name, subject in (("held", "Annonce"), ("held2", "Promo")):
        member_post(
            f"From: Carole <carole@example.net>\r\nNewsgroups: {m}\r\nSubject: {subject}\r\n"
            f"Message-ID: <{ids[name]}>\r\n\r\nMerci de publier.\r\n".encode()
        )
    box = Path(E["NNTP_MODERATION_MAILDIR"])
    (box / "new" / f"{suffix}.stray.local").write_bytes(b"From: postmaster\r\nSubject: bounce\r\n\r\nnot news\r\n")
    time.sleep(1)
    settings.FEDERE_MAILDIR_ROOTS = [str(box.parent)]
    keys = {"reply": f"reply-{suffix}", "post": f"post-{suffix}"}
    config = {**dialogue.CONFIG, "moderation_maildir": str(box)}
    connector = registry.build("nntp", config=config, credentials={"password": E["NNTP_PASSWORD"]})
    client.open_socket = opener  # type: ignore[assignment]
    client.PIPELINE = 1  # one command a turn: the replay answers each line as INN did
    connector.list_targets()
    cursor, pages = None, 0
    while True:
        batch = connector.fetch(cursor)
        cursor, pages = batch.cursor, pages + 1
        if not batch.has_more:
            break
    first_cursor = cursor
    reply = connector.reply(OutgoingReply(ids["root"], ids["follow"], "<p>Merci !</p><p>À bientôt.</p>", keys["reply"]))
    post = OutgoingPost("<p>Réunion</p>", idempotency_key=keys["post"], title="Réunion jeudi", body_text="Jeudi 18 h.")
    connector.publish(post)
    connector.act(ModerationAction(ActionKind.APPROVE, external_id=ids["held"]))
    connector.act(ModerationAction(ActionKind.REJECT, external_id=ids["held2"]))
    connector.act(ModerationAction(ActionKind.DELETE, external_id=ids["follow"]))
    connector.fetch(first_cursor)
    wrong = registry.build("nntp", config=config, credentials={"password": "wrong-password"})
    with contextlib.suppress(Unauthorized):
        wrong.check()
    shutil.rmtree(FIXTURES / "moderation", ignore_errors=True)
    shutil.copytree(box, FIXTURES / "moderation")
    for sub in ("cur", "tmp"):  # git keeps no empty folder: a Maildir needs them (its new/ has the mails)
        (FIXTURES / "moderation" / sub / ".keep").write_text("")
    out = {"recorded_on": "INN 2.7.1 (../shared/peers/nntp)", "ids": ids, "keys": keys, "reply": reply.external_id,
           "pages": pages, "cursor": first_cursor, "turns": TURNS}  # fmt: skip
    (FIXTURES / "dialogue.json").write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{len(TURNS)} turns, {pages} pages, ids {ids}")


if __name__ == "__main__":
    main()
