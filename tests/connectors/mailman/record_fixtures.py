"""Record the Mailman fixtures from the REAL peer (../shared/peers/mailman): lists, a held queue, delivered mail.

set -a; . /tmp/federe-peers/mailman/env; set +a
FEDERE_ENV=test .venv/bin/python -m tests.connectors.mailman.record_fixtures

It creates a list ``fixtures.lists.example.com`` (or reuses it), posts over LMTP as a member (delivered) and as a
non-member (held), a reply threaded under the first, an HTML message with an attachment, then writes
fixtures/lists.json, fixtures/held.json and the list's mail from the peer's Maildir sink into fixtures/maildir/.
The REST password is not written anywhere (payloads hold none).
"""

from __future__ import annotations

import json
import mailbox
import os
import shutil
import smtplib
import time
from pathlib import Path

import httpx

HERE = Path(__file__).parent / "fixtures"
LIST = "fixtures@lists.example.com"
LIST_ID = "fixtures.lists.example.com"


def _mail(sender: str, subject: str, message_id: str, body: str, extra: str = "") -> str:
    return (
        f"From: {sender}\r\nTo: {LIST}\r\nSubject: {subject}\r\nMessage-ID: <{message_id}>\r\n"
        f"Date: Sun, 06 Dec 2026 12:00:00 +0000\r\n{extra}"
        f"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    )


HTML_MAIL = (
    f"From: Chloé <chloe@example.org>\r\nTo: {LIST}\r\nSubject: =?utf-8?q?Programme_de_l=27atelier?=\r\n"
    "Message-ID: <atelier-programme@example.org>\r\nDate: Sun, 06 Dec 2026 12:05:00 +0100\r\nMIME-Version: 1.0\r\n"
    'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n--b1\r\nContent-Type: text/html; charset=utf-8\r\n\r\n'
    '<p>Voici le <b>programme</b><script>alert(1)</script> <a href="javascript:x">lien</a></p>\r\n--b1\r\n'
    'Content-Type: application/pdf\r\nContent-Disposition: attachment; filename="programme.pdf"\r\n'
    "Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b1--\r\n"
)


def main() -> None:
    env = os.environ
    rest = httpx.Client(
        base_url=env["MAILMAN_REST_URL"],
        auth=(env["MAILMAN_REST_USER"], env["MAILMAN_REST_PASSWORD"]),
        trust_env=False,
        timeout=30,
    )
    rest.post("/domains", json={"mail_host": "lists.example.com"})
    if rest.get(f"/lists/{LIST_ID}").status_code == 404:
        rest.post("/lists", json={"fqdn_listname": LIST}).raise_for_status()
        rest.patch(f"/lists/{LIST_ID}/config", json={"default_nonmember_action": "hold"}).raise_for_status()
        for who in ("alice@example.com", "chloe@example.org"):
            data = {"list_id": LIST_ID, "subscriber": who, "pre_verified": True, "pre_confirmed": True}
            rest.post("/members", json={**data, "pre_approved": True}).raise_for_status()
    posts = [
        _mail("Alice <alice@example.com>", "Horaires du local", "horaires-1@example.com", "Le local ouvre à 9 h ?"),
        _mail(
            "Chloé <chloe@example.org>",
            "Re: [Fixtures] Horaires du local",
            "horaires-2@example.org",
            "Oui, de 9 h à 18 h.\n\nChloé",
            "In-Reply-To: <horaires-1@example.com>\r\nReferences: <horaires-1@example.com>\r\n",
        ),
        _mail("Spammeur <promo@spam.example.net>", "Offre exceptionnelle", "promo-1@spam.example.net", "Achetez !"),
        HTML_MAIL,
    ]
    with smtplib.LMTP(env["MAILMAN_LMTP_HOST"], int(env["MAILMAN_LMTP_PORT"])) as lmtp:
        for text in posts:
            lmtp.sendmail("sender@example.com", [LIST], text.encode("utf-8"))
            time.sleep(1)
    time.sleep(8)  # Mailman's runners are asynchronous
    HERE.mkdir(exist_ok=True)
    (HERE / "lists.json").write_text(json.dumps(rest.get("/lists").json(), indent=1, ensure_ascii=False) + "\n")
    (HERE / "held.json").write_text(
        json.dumps(rest.get(f"/lists/{LIST_ID}/held").json(), indent=1, ensure_ascii=False) + "\n"
    )
    queues = rest.get("/queues").json()  # Mailman idle: every queue empty (its folders, not ours to keep)
    for entry in queues.get("entries", []):
        entry["directory"] = f"/var/lib/mailman/queue/{entry['name']}"
        entry["self_link"] = f"https://lists.example.org/3.1/queues/{entry['name']}"
    (HERE / "queues.json").write_text(json.dumps(queues, indent=1, sort_keys=True) + "\n")
    target = HERE / "maildir"
    shutil.rmtree(target, ignore_errors=True)
    for sub in ("new", "cur", "tmp"):
        (target / sub).mkdir(parents=True)
        (target / sub / ".keep").write_text("")
    for key, message in mailbox.Maildir(env["MAILMAN_SMTP_SINK_MAILDIR"], create=False).items():
        if LIST_ID in str(message.get("List-Id") or ""):
            (target / "new" / key).write_bytes(message.as_bytes())
    print("recorded into", HERE)


if __name__ == "__main__":
    main()
