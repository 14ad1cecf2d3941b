"""Record the IMAP fixtures from the REAL peer (../shared/peers/imap): mail as Dovecot stores and serves it.

set -a; . /tmp/federe-peers/imap/env; set +a
FEDERE_ENV=test .venv/bin/python -m tests.connectors.imap.record_fixtures

The member sends the community a question through SMTP submission, then a reply threaded under it, and an HTML
message with an attachment; each is fetched back from the community's INBOX (``BODY.PEEK[]``, the bytes the
connector reads) into fixtures/NN.eml, with the folder list (``LIST``) in fixtures/folders.txt. No password is
written anywhere (the messages hold none).
"""

from __future__ import annotations

import imaplib
import os
import smtplib
import time
from email.message import EmailMessage
from pathlib import Path

HERE = Path(__file__).parent / "fixtures"


def messages(member: str) -> list[EmailMessage]:
    question = EmailMessage()
    question["From"], question["Subject"] = f"Membre <{member}>", "Horaires du local"
    question["Message-ID"] = "<question-1@member.test>"
    question.set_content("Bonjour,\nle local ouvre à quelle heure samedi ?\n")
    follow = EmailMessage()
    follow["From"], follow["Subject"] = f"Membre <{member}>", "Re: Horaires du local"
    follow["Message-ID"], follow["In-Reply-To"] = "<question-2@member.test>", "<question-1@member.test>"
    follow["References"] = "<question-1@member.test>"
    follow.set_content("Et dimanche aussi ?\n")
    rich = EmailMessage()
    rich["From"], rich["Subject"] = f"Membre <{member}>", "Facture"
    rich["Message-ID"] = "<facture-1@member.test>"
    rich.set_content("Voici la facture.\n")
    rich.add_alternative(
        '<p>Voici la <b>facture</b>.<script>alert(1)</script><img src="https://x.test/t.gif"></p>', subtype="html"
    )
    rich.add_attachment(b"%PDF-1.4 fake", maintype="application", subtype="pdf", filename="facture.pdf")
    return [question, follow, rich]


def main() -> None:
    env = os.environ
    user, member = env["IMAP_USER"], env["IMAP_MEMBER_USER"]
    HERE.mkdir(exist_ok=True)
    imap = imaplib.IMAP4(env["IMAP_HOST"], int(env["IMAP_PORT"]))
    imap.login(user, env["IMAP_PASSWORD"])
    (HERE / "folders.txt").write_bytes(b"\n".join(imap.list()[1]) + b"\n")
    with smtplib.SMTP(env["SMTP_HOST"], int(env["SMTP_PORT"])) as smtp:
        smtp.login(member, env["IMAP_MEMBER_PASSWORD"])
        for number, message in enumerate(messages(member), 1):
            message["To"] = user
            smtp.send_message(message)
            imap.select("INBOX", readonly=True)
            wanted = f'"{message["Message-ID"]}"'
            for _ in range(50):
                found = imap.uid("SEARCH", None, "HEADER", "Message-ID", wanted)[1][0].split()
                if found:
                    break
                time.sleep(0.2)
            raw = imap.uid("FETCH", found[-1], "(BODY.PEEK[])")[1][0][1]
            (HERE / f"{number:02}.eml").write_bytes(raw)
    imap.logout()


if __name__ == "__main__":
    main()
