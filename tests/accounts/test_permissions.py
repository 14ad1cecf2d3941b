"""Roles: what each may do, enforced by the services; login throttling; password hashing."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from federe.accounts import permissions
from federe.accounts.models import Membership, Role
from federe.accounts.permissions import ROLE_PERMS, Perm, has_perm, require, role_of
from federe.accounts.services import add_member, create_workspace
from federe.connections.models import Connection
from federe.connections.services import create_connection, request_sync
from federe.core.models import AuditEvent
from federe.inbox.models import Conversation, ConversationStatus, Message, Reply, ReplyState
from federe.inbox.services import assign, send_reply, set_status
from federe.moderation import services as moderation
from federe.moderation.models import Decision, Rule

pytestmark = pytest.mark.django_db

ROLES = list(Role.values)


# --- the matrix itself ----------------------------------------------------------------------------


def test_every_role_has_a_permission_set():
    assert set(ROLE_PERMS) == set(ROLES)
    assert all(perms <= set(Perm) for perms in ROLE_PERMS.values())


def test_the_matrix_follows_the_product_s_roles():
    """Owner does everything; client is read-only; everyone reads; only the owner manages members;
    analysts read the audit log but act on nothing; moderators moderate but do not run channels."""
    assert ROLE_PERMS[Role.OWNER] == frozenset(Perm)
    assert ROLE_PERMS[Role.CLIENT] == {Perm.VIEW}
    assert all(Perm.VIEW in perms for perms in ROLE_PERMS.values())
    assert [r for r in ROLES if Perm.MANAGE_MEMBERS in ROLE_PERMS[r]] == [Role.OWNER]
    assert Perm.VIEW_AUDIT in ROLE_PERMS[Role.ANALYST]
    assert not ROLE_PERMS[Role.ANALYST] & {Perm.REPLY, Perm.ASSIGN, Perm.MODERATE, Perm.SYNC, Perm.MANAGE_CONNECTIONS}
    assert {Perm.REPLY, Perm.MODERATE} <= ROLE_PERMS[Role.MODERATOR]
    assert not ROLE_PERMS[Role.MODERATOR] & {Perm.MANAGE_CONNECTIONS, Perm.MANAGE_MEMBERS}
    # a community manager does everything an owner does but manage members
    assert ROLE_PERMS[Role.COMMUNITY_MANAGER] == frozenset(Perm) - {Perm.MANAGE_MEMBERS}


@pytest.mark.parametrize("role", ROLES)
def test_has_perm_and_require_follow_role_perms(workspace, member_factory, role):
    user = member_factory(role)
    assert role_of(user, workspace) == role
    for perm in Perm:
        allowed = perm in ROLE_PERMS[role]
        assert has_perm(user, workspace, perm) is allowed, (role, perm)
        if allowed:
            require(user, workspace, perm)
        else:
            with pytest.raises(PermissionDenied):
                require(user, workspace, perm)


def test_no_membership_means_no_permission(workspace, user_factory, other_workspace):
    _ws, rival_owner, _conn = other_workspace
    anonymous = AnonymousUser()
    for user in (user_factory(), rival_owner, anonymous):
        assert role_of(user, workspace) is None
        for perm in Perm:
            assert not has_perm(user, workspace, perm)
            with pytest.raises(PermissionDenied):
                require(user, workspace, perm)


def test_a_role_is_per_workspace(workspace, other_workspace, member_factory):
    ws_b, _owner_b, _conn = other_workspace
    user = member_factory(Role.CLIENT)
    Membership.objects.create(user=user, workspace=ws_b, role=Role.OWNER)
    assert not has_perm(user, workspace, Perm.REPLY)
    assert has_perm(user, ws_b, Perm.REPLY)


# --- the services that call require ---------------------------------------------------------------


@dataclass
class Action:
    perm: Perm
    run: Callable[[Any], Any]
    done: Callable[[], bool]  # has the action left its mark?


def _actions(workspace, connection, user_factory) -> dict[str, Action]:
    conv = Conversation.objects.filter(connection=connection).order_by("pk").first()
    other = Conversation.objects.filter(connection=connection).order_by("-pk").first()
    message = Message.objects.filter(connection=connection).order_by("posted_at")[2]
    newcomer = user_factory()
    rule_name = "Role matrix rule"
    return {
        "send_reply": Action(
            Perm.REPLY,
            lambda by: send_reply(conversation=conv, text="Hello", by=by),
            lambda: Reply.objects.filter(state=ReplyState.SENT).exists(),
        ),
        "assign": Action(
            Perm.ASSIGN,
            lambda by: assign(conversation=conv, assignee=by, by=by),
            lambda: Conversation.objects.filter(pk=conv.pk, assignee__isnull=False).exists(),
        ),
        "set_status": Action(
            Perm.ASSIGN,
            lambda by: set_status(conversation=other, status=ConversationStatus.CLOSED, by=by),
            lambda: Conversation.objects.get(pk=other.pk).status == ConversationStatus.CLOSED,
        ),
        "create_connection": Action(
            Perm.MANAGE_CONNECTIONS,
            lambda by: create_connection(
                workspace=workspace, network="dummy", name="New channel", config={}, credentials={}, by=by
            ),
            lambda: Connection.objects.filter(name="New channel").exists(),
        ),
        "request_sync": Action(
            Perm.SYNC,
            lambda by: request_sync(connection, by=by),
            lambda: AuditEvent.objects.filter(verb="connection.sync_requested").exists(),
        ),
        "add_member": Action(
            Perm.MANAGE_MEMBERS,
            lambda by: add_member(workspace=workspace, user=newcomer, role=Role.ANALYST, by=by),
            lambda: Membership.objects.filter(user=newcomer, workspace=workspace).exists(),
        ),
        "save_rule": Action(
            Perm.MODERATE,
            lambda by: moderation.save_rule(
                workspace=workspace,
                by=by,
                name=rule_name,
                match="any",
                conditions=[{"type": "words", "words": ["arnaque"]}],
                actions=[{"type": "hold"}],
            ),
            lambda: Rule.objects.filter(name=rule_name).exists(),
        ),
        "decide": Action(
            Perm.MODERATE,
            lambda by: moderation.decide(messages=[message], action="spam", by=by),
            lambda: Decision.objects.filter(message=message).exists(),
        ),
    }


REQUIRED = ["send_reply", "assign", "set_status", "create_connection", "request_sync", "add_member"]


def test_the_services_named_in_the_issue_are_all_covered(workspace, synced, user_factory):
    assert set(REQUIRED) <= set(_actions(workspace, synced, user_factory))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", [*REQUIRED, "save_rule", "decide"])
def test_each_role_can_do_exactly_what_role_perms_says(workspace, synced, member_factory, user_factory, role, action):
    todo = _actions(workspace, synced, user_factory)[action]
    user = member_factory(role)
    events_before = AuditEvent.objects.count()
    assert not todo.done()
    if todo.perm in ROLE_PERMS[role]:
        todo.run(user)
        assert todo.done(), f"{role} should be able to {action}"
        assert AuditEvent.objects.filter(actor=user).exists()
    else:
        with pytest.raises(PermissionDenied):
            todo.run(user)
        assert not todo.done(), f"{role} was refused {action} but it happened anyway"
        assert AuditEvent.objects.count() == events_before
        assert not Reply.objects.exists()  # not even a draft is kept for a refused reply


@pytest.mark.parametrize("action", REQUIRED)
def test_a_stranger_can_do_nothing(workspace, synced, user_factory, action):
    todo = _actions(workspace, synced, user_factory)[action]
    with pytest.raises(PermissionDenied):
        todo.run(user_factory())
    assert not todo.done()


def test_the_services_ask_for_the_permission_they_should(workspace, synced, owner, user_factory, monkeypatch):
    """Which permission each service checks, seen from inside ``require``."""
    asked: list[Perm] = []
    real = permissions.has_perm

    def spy(user, ws, perm):
        asked.append(perm)
        return real(user, ws, perm)

    monkeypatch.setattr(permissions, "has_perm", spy)
    for name, todo in _actions(workspace, synced, user_factory).items():
        asked.clear()
        todo.run(owner)
        assert todo.perm in asked, f"{name} did not check {todo.perm}"


def test_creating_a_workspace_makes_its_creator_owner(user_factory):
    founder = user_factory()
    workspace = create_workspace(name="Nouvelle marque", owner=founder)
    assert role_of(founder, workspace) == Role.OWNER


# --- login throttling -----------------------------------------------------------------------------


def _login(client, username: str, password: str, ip: str = "203.0.113.7"):
    return client.post(reverse("accounts:login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def throttled():
    assert settings.AXES_ENABLED and settings.AXES_FAILURE_LIMIT == 5


def test_the_right_password_logs_in(client, owner, throttled):
    response = _login(client, "owner", "pw-for-tests")
    assert response.status_code == 302 and _logged_in(client)


def test_after_the_failure_limit_even_the_right_password_is_refused(client, owner, throttled):
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        response = _login(client, "owner", f"wrong-{attempt}")
        assert response.status_code == 200 and not _logged_in(client)  # the form, with its error
    # one more failure reaches the limit
    _login(client, "owner", "wrong-last")
    response = _login(client, "owner", "pw-for-tests")
    assert response.status_code in (403, 429)
    assert "Too many failed log-in attempts" in response.content.decode()
    assert not _logged_in(client)


def test_below_the_limit_the_right_password_still_works(client, owner, throttled):
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, "owner", f"wrong-{attempt}")
    response = _login(client, "owner", "pw-for-tests")
    assert response.status_code == 302 and _logged_in(client)


def test_a_lockout_does_not_lock_other_accounts(client, owner, user_factory, throttled):
    other = user_factory(username="colleague")
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "owner", f"wrong-{attempt}")
    assert not _logged_in(client)
    response = _login(client, other.username, "pw-for-tests")
    assert response.status_code == 302 and _logged_in(client)


# --- password hashing -----------------------------------------------------------------------------


def _production_settings(tmp_path, code: str) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("FEDERE_", "DJANGO_", "DATABASE_URL"))}
    env = {
        **clean,
        "FEDERE_ENV": "production",
        "SECRET_KEY": "Zq8!xP2#rT5$wY7&uI9*oA1@sD3^fG6(hJ4)kL0-mN" + "p" * 10,
        "FEDERE_SECRETS_KEY": "x",
        "ALLOWED_HOSTS": "x",
        "FEDERE_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "federe.config.settings",
    }
    prelude = "import django; django.setup(); from django.conf import settings; "
    result = subprocess.run(
        [sys.executable, "-c", prelude + code],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_production_hashes_passwords_with_argon2(tmp_path):
    first = _production_settings(tmp_path, "print(settings.PASSWORD_HASHERS[0])")
    assert first == "django.contrib.auth.hashers.Argon2PasswordHasher"
    encoded = _production_settings(
        tmp_path, "from django.contrib.auth.hashers import make_password; print(make_password('correct horse'))"
    )
    assert encoded.startswith("argon2$argon2id$")


def test_only_the_test_settings_use_a_fast_hasher():
    assert os.environ.get("FEDERE_ENV") == "test"
    assert "django.contrib.auth.hashers.Argon2PasswordHasher" in settings.PASSWORD_HASHERS
    assert "MD5" in settings.PASSWORD_HASHERS[0]  # proves the production test above looks at another configuration
