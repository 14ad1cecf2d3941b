"""Publishing on the recorded Mailman (kit.py): one e-mail to the list, found again by its Message-ID."""

from __future__ import annotations

import mailbox
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from unittest import mock

import pytest
from django.test import override_settings

from federe.connectors.errors import Permanent, Transient
from federe.connectors.mail import outgoing
from federe.connectors.mailman import publishing
from federe.connectors.types import OutgoingPost
from tests.connectors.mailman.kit import CONFIG, FIXTURES, KIT, LIST_ID, load, network

SENDER = CONFIG["from_address"]


def post(key: str = "delivery-3", title: str = "Réunion jeudi") -> OutgoingPost:
    return OutgoingPost("<p>Rendez-vous à 18 h.</p>", idempotency_key=key, title=title, body_text="Rendez-vous à 18 h.")


def our_id(key: str = "delivery-3") -> str:
    return outgoing.message_id_for(key, SENDER)


@pytest.fixture
def mailbox_copy(tmp_path):
    """A writable copy of the recorded mailbox, where a test can drop what the list delivered."""
    folder = tmp_path / "maildir"
    shutil.copytree(FIXTURES / "maildir", folder)
    return folder


@contextmanager
def serving(folder) -> Iterator[list]:
    """The recorded Mailman (the mail it is handed kept in the yielded list), the mailbox copy readable."""
    with network() as sent, override_settings(FEDERE_MAILDIR_ROOTS=[str(folder.parent)]):
        yield sent


def connector(**config):
    built = KIT.build()
    built.config.update(config)
    return built


def delivered(folder, message_id: str) -> None:
    """The list's copy of our post, as Mailman delivers it to a subscriber."""
    message = EmailMessage()
    message["From"] = SENDER
    message["Subject"] = "[Fixtures] Réunion jeudi"
    message["Message-ID"] = f"<{message_id}>"
    message["List-Id"] = f"Fixtures <{LIST_ID}>"
    message.set_content("Rendez-vous à 18 h.")
    mailbox.Maildir(str(folder), create=False).add(message)


def test_a_post_is_one_mail_to_the_list_with_the_deliverys_message_id(mailbox_copy):
    with serving(mailbox_copy) as sent:
        result = connector(maildir=str(mailbox_copy)).publish(post())
    ((message, envelope),) = sent
    assert message["To"] == "fixtures@lists.example.com" and envelope["recipients"] == ["fixtures@lists.example.com"]
    assert message["Subject"] == "Réunion jeudi" and message["Message-ID"] == f"<{our_id()}>"
    assert message["In-Reply-To"] is None and "18 h" in message.get_content()
    assert result.external_id == f"{LIST_ID}/{our_id()}" and result.notice == ""


def test_a_retry_finds_the_post_the_list_delivered_and_sends_nothing(mailbox_copy):
    delivered(mailbox_copy, our_id())
    with serving(mailbox_copy) as sent:
        found = connector(maildir=str(mailbox_copy)).find_published(post())
        again = connector(maildir=str(mailbox_copy)).publish(post())
        other = connector(maildir=str(mailbox_copy)).find_published(post(key="another"))
    assert found is not None and found.external_id == again.external_id == f"{LIST_ID}/{our_id()}"
    assert other is None
    assert sent == []


def test_a_post_mailman_holds_is_reported_held_not_silently_sent(mailbox_copy):
    held = {**load("held.json")["entries"][0], "message_id": f"<{our_id()}>", "reason": "Post to a moderated list"}
    with (
        serving(mailbox_copy) as sent,
        mock.patch("federe.connectors.mailman.client.MailmanClient.held", return_value=[held]),
    ):
        found = connector(maildir=str(mailbox_copy)).find_published(post())
        again = connector(maildir=str(mailbox_copy)).publish(post())
    assert found is not None and "moderators" in found.notice and "moderated list" in found.notice
    assert (again.external_id, again.notice) == (found.external_id, found.notice) and sent == []


def test_while_mailman_is_busy_it_waits_and_then_says_it_cannot_tell_yet(mailbox_copy):
    with (
        serving(mailbox_copy),
        mock.patch("federe.connectors.mailman.client.MailmanClient.queues", return_value={"pipeline": 1}),
        pytest.raises(Transient) as later,
    ):
        connector(maildir=str(mailbox_copy), settle_seconds=1).find_published(post())
    assert "look for this post again" in later.value.message


def test_without_a_mailbox_an_unknown_outcome_is_left_for_a_person():
    with network(), pytest.raises(Permanent) as refused:
        connector(maildir="").find_published(post())
    assert "no subscriber's mailbox" in refused.value.message


def test_the_list_is_the_chosen_one_when_followed(mailbox_copy):
    with serving(mailbox_copy) as sent:
        chosen = OutgoingPost("", "k9", title="Hello", body_text="Hello all", options={"list": LIST_ID})
        connector(maildir=str(mailbox_copy)).publish(chosen)
        with pytest.raises(Permanent):
            connector(maildir=str(mailbox_copy)).publish(OutgoingPost("", "k8", title="T", body_text=" "))
    assert len(sent) == 1


def test_mailmans_queue_counts_are_read_from_its_answer():
    with network():
        counts = KIT.build().client.queues()
    assert counts["in"] == 0 and set(publishing.WORKING_QUEUES) <= set(counts)
