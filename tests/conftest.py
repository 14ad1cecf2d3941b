from __future__ import annotations

import pytest

from federe.accounts.models import Role
from federe.connections.services import sync_connection
from tests.factories import ConnectionFactory, MembershipFactory, UserFactory, WorkspaceFactory


@pytest.fixture
def workspace(db):
    return WorkspaceFactory(slug="acme", name="Acme")


@pytest.fixture
def owner(workspace):
    return MembershipFactory(workspace=workspace, role=Role.OWNER, user__username="owner").user


@pytest.fixture
def member_factory(workspace):
    def make(role: str, ws=None):
        return MembershipFactory(workspace=ws or workspace, role=role).user

    return make


@pytest.fixture
def connection(workspace):
    return ConnectionFactory(workspace=workspace, name="Acme blog")


@pytest.fixture
def synced(connection):
    """A channel whose 50 dummy items are all stored."""
    outcome = sync_connection(connection.pk, worker_id="test")
    assert outcome is not None and outcome.run.error == ""
    connection.refresh_from_db()
    return connection


@pytest.fixture
def other_workspace(db):
    """A second tenant with its own owner, channel and messages."""
    ws = WorkspaceFactory(slug="rival", name="Rival")
    owner = MembershipFactory(workspace=ws, role=Role.OWNER, user__username="rival-owner").user
    conn = ConnectionFactory(
        workspace=ws,
        name="Rival forum",
        config={"seed": 99, "start": "2026-01-05T09:00:00+00:00", "interval_seconds": 60, "total": 20, "page_size": 50},
    )
    sync_connection(conn.pk, worker_id="test")
    return ws, owner, conn


@pytest.fixture
def user_factory(db):
    return UserFactory


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Cached figures (e.g. the people page's retention curve) never leak from one test's database to another."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _language_restored():
    """A request in French activates French in the test's thread, and the middleware does not undo it: each test
    ends in the default language, so the next test on this worker never reads a language it did not ask for."""
    from django.utils import translation

    yield
    translation.deactivate()
