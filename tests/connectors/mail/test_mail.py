"""The shared e-mail module: Maildir reading (incremental, read-only), parsing hostile mail, writing replies."""

from __future__ import annotations

import os
import smtplib
from email import message_from_bytes
from pathlib import Path

import pytest

from federe.connectors.errors import Permanent, Transient, Unauthorized
from federe.connectors.mail import maildir, outgoing
from federe.connectors.mail.parse import parse_mail


def mail(number: int, *, refs: str = "") -> bytes:
    headers = f"In-Reply-To: <m{number - 1}@example.org>\r\nReferences: {refs}\r\n" if refs else ""
    return (
        f"From: Zoé <zoe@example.org>\r\nSubject: Re: [Club] Sortie {number}\r\nMessage-ID: <m{number}@example.org>\r\n"
        f"Date: Sun, 06 Dec 2026 10:00:0{number % 10} +0000\r\n{headers}\r\nTexte {number} & <b>pas du HTML</b>\r\n"
    ).encode()


@pytest.fixture
def box(tmp_path, settings) -> Path:
    settings.FEDERE_MAILDIR_ROOTS = [str(tmp_path)]
    root = tmp_path / "Maildir"
    for sub in ("new", "cur", "tmp"):
        (root / sub).mkdir(parents=True)
    return root


def deliver(root: Path, name: str, raw: bytes, sub: str = "new") -> Path:
    path = root / sub / name
    path.write_bytes(raw)
    return path


def test_a_maildir_is_read_in_order_page_by_page_and_never_twice(box):
    for n in range(1, 6):
        deliver(box, f"17000000{n:02d}.M{n}P1.host", mail(n))
    first = maildir.read_page(str(box), None, 3)
    assert [entry.name[:10] for entry, _raw in first.messages] == ["1700000001", "1700000002", "1700000003"]
    assert first.has_more
    second = maildir.read_page(str(box), first.cursor, 3)
    assert [entry.name[:10] for entry, _raw in second.messages] == ["1700000004", "1700000005"]
    assert not second.has_more
    assert maildir.read_page(str(box), second.cursor, 3).messages == []  # nothing new: nothing again
    assert sorted(os.listdir(box / "new")) == sorted(p.name for p in (box / "new").iterdir())  # nothing moved


def test_a_message_moved_to_cur_by_a_mail_reader_is_not_read_again(box):
    path = deliver(box, "1700000001.M1P1.host", mail(1))
    page = maildir.read_page(str(box), None, 10)
    path.rename(box / "cur" / "1700000001.M1P1.host:2,S")
    deliver(box, "1700000002.M2P1.host", mail(2))
    later = maildir.read_page(str(box), page.cursor, 10)
    assert [entry.name for entry, _raw in later.messages] == ["1700000002.M2P1.host"]


def test_a_file_that_arrives_late_with_an_older_name_is_still_read(box):
    deliver(box, "1700000100.M1P1.host", mail(1))
    page = maildir.read_page(str(box), None, 10)
    deliver(box, "1700000090.M9P9.host", mail(2))  # created in tmp/ earlier, moved to new/ after
    later = maildir.read_page(str(box), page.cursor, 10)
    assert [entry.name for entry, _raw in later.messages] == ["1700000090.M9P9.host"]


@pytest.mark.parametrize("folder", ["", "relative/Maildir", "/nonexistent/Maildir"])
def test_an_unreadable_maildir_is_a_permanent_error_in_plain_words(folder, settings):
    settings.FEDERE_MAILDIR_ROOTS = ["/"]
    with pytest.raises(Permanent, match="cannot read the mailbox folder"):
        maildir.read_page(folder, None, 10)


def test_a_maildir_outside_the_allowed_folders_is_refused(box, settings):
    settings.FEDERE_MAILDIR_ROOTS = [str(box / "elsewhere")]
    with pytest.raises(Permanent, match="FEDERE_MAILDIR_ROOTS"):
        maildir.entries(str(box))


def test_a_folder_that_is_not_a_maildir_is_refused(box):
    (box / "new").rmdir()
    (box / "new").write_text("a file, not a folder")
    with pytest.raises(Permanent, match="not a Maildir"):
        maildir.entries(str(box))


def test_threading_comes_from_references_and_in_reply_to():
    parsed = parse_mail(mail(3, refs="<m1@example.org> <m2@example.org>"))
    assert parsed.message_id == "m3@example.org"
    assert parsed.parent == "m2@example.org" and parsed.thread_root == "m1@example.org"
    assert parsed.topic == "Sortie 3"
    assert parsed.body_html == "<p>Texte 3 &amp; &lt;b&gt;pas du HTML&lt;/b&gt;</p>"  # text stays text
    alone = parse_mail(mail(1))
    assert alone.parent == "" and alone.thread_root == "m1@example.org"


def test_a_reply_threads_under_its_parent_with_a_message_id_from_its_key():
    first = outgoing.message_id_for("reply-42", "equipe@example.org")
    assert first == outgoing.message_id_for("reply-42", "equipe@example.org")
    assert first != outgoing.message_id_for("reply-43", "equipe@example.org") and first.endswith("@example.org")
    built = outgoing.build_reply(
        sender="equipe@example.org",
        sender_name="L'équipe",
        to="club@lists.example.org",
        subject="[Club] Sortie",
        body_html="<p>Oui !</p><p>À samedi <script>x</script></p>",
        message_id=first,
        parent_id="m2@example.org",
        references=("m1@example.org",),
    )
    again = message_from_bytes(built.as_bytes())
    assert again["Message-ID"] == f"<{first}>" and again["In-Reply-To"] == "<m2@example.org>"
    assert again["References"] == "<m1@example.org> <m2@example.org>"
    assert again["Subject"] == "Re: Sortie"
    assert built.get_content() == "Oui !\n\nÀ samedi\n"


class FakeServer:
    def __init__(self, failure: Exception | None = None, refused: dict | None = None) -> None:
        self.failure, self.refused, self.logins = failure, refused or {}, []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def login(self, user, password):
        self.logins.append(user)

    def send_message(self, message, from_addr, to_addrs):
        if self.failure:
            raise self.failure
        return self.refused


@pytest.mark.parametrize(
    ("failure", "error"),
    [
        (smtplib.SMTPAuthenticationError(535, b"bad"), Unauthorized),
        (smtplib.SMTPRecipientsRefused({"x@y": (550, b"no such list")}), Permanent),
        (smtplib.SMTPDataError(451, b"try later"), Transient),
        (smtplib.SMTPServerDisconnected("gone"), Transient),
    ],
)
def test_mail_server_refusals_are_errors_of_the_family(monkeypatch, failure, error):
    server = outgoing.MailServer("smtp.example.org", 587, user="equipe", password="secret-pw")
    monkeypatch.setattr(outgoing.netsafe, "mail_connection", lambda *a, **k: FakeServer(failure))
    with pytest.raises(error) as caught:
        outgoing.send(
            server,
            outgoing.build_reply(
                sender="a@b.c", sender_name="", to="l@b.c", subject="s", body_html="x", message_id="i@b.c"
            ),
            sender="a@b.c",
            recipients=["l@b.c"],
        )
    assert "secret-pw" not in caught.value.message and "smtp.example.org:587" in caught.value.message
    assert "secret-pw" not in repr(server)


def test_an_unreachable_mail_server_is_transient(settings):
    server = outgoing.MailServer("127.0.0.1", 9, protocol="lmtp", timeout=2)
    message = outgoing.build_reply(
        sender="a@b.c", sender_name="", to="l@b.c", subject="s", body_html="x", message_id="i@b.c"
    )
    with pytest.raises(Transient, match="did not answer"):
        outgoing.send(server, message, sender="a@b.c", recipients=["l@b.c"])


def test_a_private_mail_server_address_is_refused(settings):
    settings.FEDERE_NET_ALLOW_HOSTS = []
    server = outgoing.MailServer("127.0.0.1", 25, protocol="smtp", timeout=2)
    message = outgoing.build_reply(
        sender="a@b.c", sender_name="", to="l@b.c", subject="s", body_html="x", message_id="i@b.c"
    )
    with pytest.raises(Permanent, match="refuses"):
        outgoing.send(server, message, sender="a@b.c", recipients=["l@b.c"])
