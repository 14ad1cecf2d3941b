"""The Mailman connector's sync on recorded payloads: held queue and mailbox together, cursors, accepted mail."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.test import override_settings

from federe.connectors.errors import Permanent
from federe.connectors.types import ActionKind, ModerationAction, NetworkStatus, OutgoingReply
from tests.connectors.mailman.kit import FIXTURES, HELD_ID, KIT, LIST_ID, load, network

HELD_MAIL = load("held.json")["entries"][0]["msg"]


@pytest.fixture
def box(tmp_path) -> Path:
    root = tmp_path / "Maildir"
    for sub in ("new", "cur", "tmp"):
        (root / sub).mkdir(parents=True)
    return root


def connector(box: Path, **config):
    return KIT.build({"maildir": str(box), "page_size": 100, **config})


def test_a_held_message_later_delivered_is_the_same_item_now_published(box, tmp_path):
    with network(), override_settings(FEDERE_MAILDIR_ROOTS=[str(tmp_path)]):
        first = connector(box).fetch(None)
        assert [(i.external_id, i.status) for i in first.items] == [(HELD_ID, NetworkStatus.HELD)]
        assert first.cursor["held"] == {LIST_ID: 2}
        # A moderator accepts it: Mailman delivers it with the list's headers to the subscriber's mailbox.
        delivered = HELD_MAIL.replace("Subject:", f"List-Id: <{LIST_ID}>\nList-Post: <mailto:x@y>\nSubject:", 1)
        (box / "new" / "1796560000.M1P1.host").write_text(delivered)
        second = connector(box).fetch(first.cursor)
        assert [(i.external_id, i.status) for i in second.items] == [(HELD_ID, NetworkStatus.PUBLISHED)]
        assert connector(box).fetch(second.cursor).items == []


def test_a_broken_mail_in_the_mailbox_is_malformed_and_the_rest_goes_on(box, tmp_path):
    for name in sorted(p.name for p in (FIXTURES / "maildir" / "new").iterdir() if not p.name.startswith(".")):
        shutil.copy(FIXTURES / "maildir" / "new" / name, box / "new" / name)
    (box / "new" / "1796559179.M1P1.host").write_bytes(b"From: x@example.org\r\n\r\nno id at all")
    with network(), override_settings(FEDERE_MAILDIR_ROOTS=[str(tmp_path)]):
        batch = connector(box).fetch(None)
    assert [m.external_id for m in batch.malformed] == ["1796559179.M1P1.host"]
    assert "no Message-ID" in batch.malformed[0].reason
    assert len(batch.items) == 4  # the held one and three posts (each delivered twice, stored once)


def test_the_reply_answers_its_parent_and_a_retry_found_in_the_mailbox_sends_nothing(box, tmp_path):
    for name in (p.name for p in (FIXTURES / "maildir" / "new").iterdir() if not p.name.startswith(".")):
        shutil.copy(FIXTURES / "maildir" / "new" / name, box / "new" / name)
    reply = OutgoingReply(f"{LIST_ID}/horaires-1@example.com", f"{LIST_ID}/horaires-2@example.org", "<p>Merci</p>", "k")
    with network() as sent, override_settings(FEDERE_MAILDIR_ROOTS=[str(tmp_path)]):
        result = connector(box).reply(reply)
        message, envelope = sent[0]
        assert envelope == {"sender": "equipe@example.org", "recipients": ["fixtures@lists.example.com"]}
        assert message["In-Reply-To"] == "<horaires-2@example.org>"
        assert message["References"] == "<horaires-1@example.com> <horaires-2@example.org>"
        assert message["Subject"] == "Re: Horaires du local"
        assert result.external_id == f"{LIST_ID}/{message['Message-ID'].strip('<>')}"
        message["List-Id"] = f"<{LIST_ID}>"  # Mailman delivered it, with its list headers
        (box / "new" / "1796569999.M1P1.host").write_bytes(message.as_bytes())
        assert connector(box).reply(reply).external_id == result.external_id
        assert len(sent) == 1


def test_actions_on_something_that_is_not_a_list_message_are_refused_in_plain_words(box, tmp_path):
    with network(), override_settings(FEDERE_MAILDIR_ROOTS=[str(tmp_path)]):
        with pytest.raises(Permanent, match="not a message of a Mailman list"):
            connector(box).act(ModerationAction(ActionKind.APPROVE, external_id="42"))
        with pytest.raises(Permanent, match="mail server"):
            connector(box, mail_host="").reply(OutgoingReply(f"{LIST_ID}/a@b", "", "<p>x</p>", "k"))


def test_the_same_message_id_delivered_by_another_list_does_not_count_as_sent(box, tmp_path):
    """Found on the real Mailman: a reply whose key was used before on another list was never sent."""
    reply = OutgoingReply(f"{LIST_ID}/horaires-1@example.com", "", "<p>Merci</p>", "same-key")
    with network() as sent, override_settings(FEDERE_MAILDIR_ROOTS=[str(tmp_path)]):
        connector(box).reply(reply)
        elsewhere = sent[0][0]
        elsewhere["List-Id"] = "<other.lists.example.com>"
        (box / "new" / "1796569999.M1P1.host").write_bytes(elsewhere.as_bytes())
        connector(box).reply(reply)
    assert len(sent) == 2
