"""The connector contract, run for every registered connector on its recorded payloads (its kit: contract.py).

A network added to the registry is tested here without a line written in this file; without a kit, it fails.
"""

from __future__ import annotations

import inspect
import json

import pytest
from django.utils import translation
from django.utils.html import escape

from federe.connections.models import Connection
from federe.connectors import registry
from federe.connectors.base import CAPABILITY_METHODS, Connector
from federe.connectors.capabilities import Capability
from federe.connectors.errors import ConnectorError, Permanent, RateLimited, Transient, Unauthorized
from federe.connectors.types import ActionResult, Batch, Cursor, Target
from tests.connectors.contract import Kit, kit_of

KEYS = [cls.key for cls in registry.available()]
FAMILY = (Unauthorized, RateLimited, Transient, Permanent)


@pytest.fixture(params=KEYS)
def kit(request) -> Kit:
    return kit_of(request.param)


def _sync(kit: Kit, cursor: Cursor | None, *, restart: bool) -> tuple[list[str], Cursor]:
    """What sync_connection does, page after page; ``restart``: each page by a new connector, the cursor as
    stored in the database (JSON)."""
    connector = kit.build()
    ids: list[str] = []
    for _page in range(kit.max_pages):
        if restart:
            connector, cursor = kit.build(), json.loads(json.dumps(cursor))
        batch = connector.fetch(cursor)
        ids += [item.external_id for item in batch.items]
        cursor = batch.cursor
        if not batch.has_more:
            return ids, cursor
    raise AssertionError(f"{kit.key}: fetch still has more after {kit.max_pages} pages")


def _first_page(kit: Kit, cursor: Cursor | None) -> tuple[list[str], str]:
    batch: Batch = kit.build().fetch(cursor)
    return [item.external_id for item in batch.items], json.dumps(batch.cursor, sort_keys=True)


def test_fetch_is_incremental(kit):
    """A second sync, with nothing new on the network, hands over nothing the first one did not."""
    with kit.network():
        first, cursor = _sync(kit, None, restart=False)
        second, _cursor = _sync(kit, cursor, restart=False)
    assert set(second) <= set(first)
    if kit.key not in ("stackexchange", "archive"):  # import-only: its sync reads nothing
        assert first, f"{kit.key}: the kit's network gave nothing to read"


def test_fetch_is_idempotent(kit):
    """The same cursor asked twice gives the same items and the same next cursor."""
    with kit.network():
        start = _first_page(kit, None)
        assert _first_page(kit, None) == start
        following = json.loads(start[1])
        assert _first_page(kit, following) == _first_page(kit, following)


def test_cursors_survive_a_restart(kit):
    """A worker restarted between two pages (a new connector, the cursor read back from JSON) reads the same."""
    with kit.network():
        kept = _sync(kit, None, restart=False)
    with kit.network():
        restarted = _sync(kit, None, restart=True)
    assert restarted == kept


def test_each_declared_capability_is_implemented(kit):
    cls = registry.connector_class(kit.key)
    for capability in sorted(cls.capabilities - {Capability.READ}):
        method = CAPABILITY_METHODS.get(capability)
        assert method is None or getattr(cls, method) is not getattr(Connector, method, None), (kit.key, capability)
        assert capability in kit.calls, f"{kit.key} declares {capability}: its kit must call it"
        with kit.network():
            assert kit.calls[capability](kit.build()) is not None


def test_each_declared_action_is_done_on_the_recorded_payloads(kit):
    """Every moderation action a connector declares is called by its kit and answers an ActionResult."""
    cls = registry.connector_class(kit.key)
    assert set(kit.actions) == set(cls.actions), f"{kit.key}: its kit must call exactly the actions it declares"
    for kind in sorted(cls.actions):
        with kit.network():
            result = kit.actions[kind](kit.build())
        assert isinstance(result, ActionResult) and result.done, (kit.key, kind, result)


def test_targets_are_listed_where_a_network_has_some(kit):
    cls = registry.connector_class(kit.key)
    if cls.targets_label is None:
        with pytest.raises(Permanent):
            kit.build().list_targets()
        return
    with kit.network():
        targets = kit.build().list_targets()
    assert targets and all(isinstance(t, Target) and t.id and t.name for t in targets), kit.key


def test_each_undeclared_capability_refuses_in_plain_words(kit):
    cls = registry.connector_class(kit.key)
    for capability, method in CAPABILITY_METHODS.items():
        if capability in cls.capabilities:
            continue
        call = getattr(kit.build(), method)
        arguments = [None] * len(inspect.signature(call).parameters)
        messages = {}
        for language in ("en", "fr"):
            with translation.override(language), pytest.raises(Permanent) as refused:
                call(*arguments)
            messages[language] = refused.value.message
        assert messages["en"] != messages["fr"], f"{kit.key}.{method}: the refusal is not translated"


def test_repr_never_shows_credentials(kit):
    assert kit.secrets or kit.key in ("rss", "stackexchange", "archive"), f"{kit.key}: the kit should carry credentials"
    with kit.network():
        connector = kit.build()
        _sync(kit, None, restart=False)
        connector.fetch(None)  # clients are built on first use: their repr too
    built = [value for name, value in vars(connector).items() if name != "credentials"]  # clients, networks...
    shown = [repr(connector), *(repr(value) for value in built)]
    for secret in kit.secrets:
        assert not any(secret in text for text in shown), f"{kit.key} shows a credential in its repr"


def test_every_error_is_one_of_the_family_in_translated_words(kit):
    assert kit.failures, f"{kit.key}: the kit must say how its network fails"
    for name, failing in kit.failures.items():
        messages = {}
        for language in ("en", "fr"):
            with failing() as attempt, translation.override(language), pytest.raises(ConnectorError) as caught:
                attempt()
            assert isinstance(caught.value, FAMILY), (kit.key, name, type(caught.value))
            assert caught.value.message.strip() and not any(s in caught.value.message for s in kit.secrets)
            messages[language] = caught.value.message
        assert messages["en"] != messages["fr"], f"{kit.key}, {name}: {messages['en']!r} is not translated"


def _channels_page(client, user, workspace, data: dict[str, str] | None = None) -> str:
    client.force_login(user)
    url = f"/w/{workspace.slug}/channels/"
    answer = client.post(url, data, follow=True) if data is not None else client.get(url)
    assert answer.status_code == 200
    return answer.content.decode()


@pytest.mark.django_db
def test_the_connection_form_shows_the_network_fields_with_their_help_in_french(kit, client, owner, workspace):
    owner.language = "fr"
    owner.save(update_fields=["language"])
    page = _channels_page(client, owner, workspace)
    cls = registry.connector_class(kit.key)
    assert f'data-network="{kit.key}"' in page
    with translation.override("fr"):
        words = [str(cls.label)]
        for spec in cls.setup_fields:
            assert f'name="{kit.key}__{spec.name}"' in page
            words += [str(spec.label), str(spec.help)] + [str(label) for _value, label in spec.choices]
        notice = translation.gettext(
            "Built from the network's published API documentation and tested on recorded payloads; "
            "not yet checked against the live service."
        )
    for text in filter(None, words):
        assert escape(text) in page, f"{kit.key}: {text!r} is not on the French form"
    # The notice is said first, as a warning of its own, before the network's first field.
    opening = page.split(f'data-network="{kit.key}"', 1)[1].split("</fieldset>", 1)[0].split('<div class="field', 1)[0]
    assert (escape(notice) in opening) is not cls.verified_against_real_server, kit.key


@pytest.mark.django_db
def test_a_password_typed_in_the_form_is_never_sent_back(kit, client, owner, workspace):
    cls = registry.connector_class(kit.key)
    hidden = [spec for spec in cls.setup_fields if spec.kind == "password"]
    assert all(spec.secret for spec in hidden), f"{kit.key}: a password field must go to the encrypted credentials"
    if not hidden:
        pytest.skip(f"{kit.key} asks for no password")
    # The passwords alone: the form comes back with its errors (or, for a network that needs nothing else, the
    # channel's page): neither shows them.
    typed = {f"{kit.key}__{spec.name}": f"s3cret-{kit.key}-{spec.name}" for spec in hidden}
    page = _channels_page(client, owner, workspace, {"name": "Channel", "network": kit.key, **typed})
    assert not [value for value in typed.values() if value in page], f"{kit.key} sends a password back"


@pytest.mark.django_db
def test_a_server_that_does_not_answer_is_said_in_words_and_nothing_is_stored(kit, client, owner, workspace):
    if not kit.unreachable:
        pytest.skip(f"{kit.key} is reached only through recorded payloads")
    cls = registry.connector_class(kit.key)
    data = {"name": "Channel", "network": kit.key, **{f"{kit.key}__{k}": v for k, v in kit.unreachable.items()}}
    page = _channels_page(client, owner, workspace, data)
    assert escape(kit.unreachable_words) in page
    secrets = [
        kit.unreachable[spec.name]
        for spec in cls.setup_fields
        if spec.kind == "password" and spec.name in kit.unreachable
    ]
    assert secrets and not [value for value in secrets if value in page]
    assert not Connection.objects.filter(workspace=workspace).exists()


def test_a_connector_without_a_kit_fails_the_suite():
    with pytest.raises(ModuleNotFoundError):
        kit_of("a-network-without-a-kit")


def test_a_capability_is_declared_if_and_only_if_its_method_is_written():
    with pytest.raises(TypeError, match="reply"):

        class Boastful(Connector):  # declares replies, cannot reply
            key, label = "boastful", "Boastful"
            capabilities = frozenset({Capability.READ, Capability.REPLY})

    with pytest.raises(TypeError, match="act"):

        class Secretive(Connector):  # moderates, does not say so
            key, label = "secretive", "Secretive"
            capabilities = frozenset({Capability.READ})

            def act(self, action):
                raise NotImplementedError

    with pytest.raises(TypeError, match="actions"):

        class Vague(Connector):  # moderates, does not say how
            key, label = "vague", "Vague"
            capabilities = frozenset({Capability.READ, Capability.MODERATE})

            def act(self, action):
                raise NotImplementedError

    with pytest.raises(TypeError, match="list_targets"):

        class Chooser(Connector):  # offers a choice it cannot list
            key, label = "chooser", "Chooser"
            capabilities = frozenset({Capability.READ})
            targets_label = "Rooms"
