"""factory_boy factories for the whole suite."""

from __future__ import annotations

from datetime import UTC, datetime

import factory

from federe.accounts.models import Membership, Role, User, Workspace
from federe.connections.models import Connection

PAST = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "pw-for-tests")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class WorkspaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workspace

    slug = factory.Sequence(lambda n: f"ws{n}")
    name = factory.Sequence(lambda n: f"Workspace {n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    workspace = factory.SubFactory(WorkspaceFactory)
    role = Role.OWNER


class ConnectionFactory(factory.django.DjangoModelFactory):
    """A dummy-network channel with a fixed, finite history (``total`` items)."""

    class Meta:
        model = Connection

    workspace = factory.SubFactory(WorkspaceFactory)
    network = "dummy"
    name = factory.Sequence(lambda n: f"Channel {n}")
    config = factory.LazyFunction(
        lambda: {"seed": 7, "start": PAST.isoformat(), "interval_seconds": 60, "total": 50, "page_size": 20}
    )
    credentials_encrypted = ""
    next_sync_at = factory.LazyFunction(lambda: PAST)
