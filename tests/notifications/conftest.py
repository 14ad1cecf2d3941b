from __future__ import annotations

import pytest

from federe.accounts.models import Role
from federe.inbox.models import Conversation


@pytest.fixture
def conv(synced):
    return Conversation.objects.filter(connection=synced).order_by("pk").first()


@pytest.fixture
def hana(member_factory):
    """A moderator who reads French, in Paris."""
    user = member_factory(Role.MODERATOR)
    user.username, user.email, user.language, user.timezone = "hana", "hana@example.org", "fr", "Europe/Paris"
    user.save()
    return user
