"""No code path hands an internal note to a connector, whatever the network.

For every registered connector, the connector is replaced by a spy of its own class that can do everything
(every capability) and records what it is handed. The thread gets notes (written, edited, deleted), then the
machinery that talks to networks runs on it: a reply, a retry, a moderator's decision. The spy must see the
reply's text (so it really watches the path) and never a note's text. Structurally, the reply services refuse a
note by type, and no module of the sending side names the note type.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest

import federe
from federe.accounts.models import Role
from federe.connectors import registry
from federe.connectors.capabilities import Capability
from federe.connectors.errors import ConnectorError
from federe.inbox import notes
from federe.inbox.models import Conversation, InternalNote, Reply
from federe.inbox.services import deliver_reply, retry_reply, send_reply
from federe.moderation import actions as moderation_actions
from federe.moderation import services as moderation
from federe.moderation.models import Verdict

pytestmark = pytest.mark.django_db

NOTE_SECRET = "zq-internal-note-secret"
REPLY_TEXT = "zq-public-reply-text"

registry.discover()
CONNECTOR_KEYS = [cls.key for cls in registry.available()]


def _spy_of(cls: type, handed: list[tuple[str, str]]) -> Any:
    """An instance of ``cls`` (its own class: whatever it checks on the type holds) that claims every capability
    and records each call to the network, then refuses it as a network would on an error: the services go on as
    they do in real life."""

    def recorder(name: str):
        def method(*args: Any, **kwargs: Any) -> Any:
            handed.append((name, repr((args, kwargs))))
            raise ConnectorError("recorded by the test")

        return method

    spy = object.__new__(cls)
    for name in ("check", "fetch", "reply", "act", "list_targets", "publish", "find_published", "open_history"):
        setattr(spy, name, recorder(name))
    spy.capabilities = frozenset(Capability)
    return spy


def test_every_connector_is_checked():
    assert "dummy" in CONNECTOR_KEYS and len(CONNECTOR_KEYS) >= 3


@pytest.mark.parametrize("key", CONNECTOR_KEYS)
def test_no_path_hands_a_note_to_the_connector(
    key, monkeypatch, synced, owner, member_factory, django_capture_on_commit_callbacks
):
    handed: list[tuple[str, str]] = []
    spy = _spy_of(registry.connector_class(key), handed)
    monkeypatch.setattr(registry, "build", lambda *_a, **_k: spy)
    type(synced).objects.filter(pk=synced.pk).update(network=key)
    conv = Conversation.objects.filter(connection=synced).order_by("pk").first()
    teammate = member_factory(Role.COMMUNITY_MANAGER)

    with django_capture_on_commit_callbacks(execute=True):
        note = notes.add_note(conversation=conv, by=owner, body=f"{NOTE_SECRET} for @{teammate.username}")
        notes.edit_note(note=note, by=owner, body=f"{NOTE_SECRET} edited")
        notes.add_note(conversation=conv, by=teammate, body=f"{NOTE_SECRET} kept")
        gone = notes.add_note(conversation=conv, by=owner, body=f"{NOTE_SECRET} deleted")
        notes.delete_note(note=gone, by=owner)
    assert handed == []  # writing notes calls no connector at all

    with django_capture_on_commit_callbacks(execute=True):  # what is done after the commit runs too
        reply = send_reply(conversation=conv, text=REPLY_TEXT, by=owner)
        retry_reply(reply=reply, by=owner)
        first = conv.messages.order_by("posted_at").first()
        synced.refresh_from_db()
        done = sorted(moderation_actions.network_actions(synced))  # what the network itself does
        verdict = next((v for v in ("remove", "delete", "hold", "spam", "ban") if v in done), Verdict.SPAM)
        moderation.decide(messages=[first], action=verdict, by=owner, reason="a reason for the author")

    calls = [name for name, _args in handed]
    assert calls.count("reply") == 2  # the spy sees what the machinery hands over
    moderates = Capability.MODERATE in registry.connector_class(key).capabilities
    assert ("act" in calls) == moderates  # a decision reaches a network that moderates (only)
    assert any(REPLY_TEXT in args for name, args in handed if name == "reply")
    assert not [args for _name, args in handed if NOTE_SECRET in args]


def test_the_reply_services_refuse_a_note(synced, owner):
    conv = Conversation.objects.filter(connection=synced).order_by("pk").first()
    note = notes.add_note(conversation=conv, by=owner, body="only for the team")
    with pytest.raises(TypeError):
        deliver_reply(note, by=owner)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        retry_reply(reply=note, by=owner)  # type: ignore[arg-type]
    assert Reply.objects.count() == 0


SENDING_SIDE = ("connectors", "connections", "publishing", "moderation", "listening", "links", "webhooks")


def test_no_module_of_the_sending_side_names_the_note_type():
    """The network side never imports InternalNote or the notes module (a lazy import would show here too)."""
    root = Path(federe.__file__).parent
    offenders = []
    for package in SENDING_SIDE:
        for path in (root / package).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                names = []
                if isinstance(node, ast.ImportFrom):
                    names = [node.module or "", *(a.name for a in node.names)]
                elif isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.Name | ast.Attribute):
                    names = [getattr(node, "id", "") or getattr(node, "attr", "")]
                if any(n in {"InternalNote", "federe.inbox.notes", "notes_of", "internal_notes"} for n in names):
                    offenders.append(str(path.relative_to(root)))
    assert offenders == []
    assert InternalNote._meta.get_field("conversation").related_model is Conversation
