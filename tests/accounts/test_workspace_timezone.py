"""A workspace's clock: Europe/Paris unless its creator chose another; an unknown zone is refused in words."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from federe.accounts.models import Workspace
from federe.accounts.services import create_workspace

pytestmark = pytest.mark.django_db


def test_a_new_workspace_keeps_paris_time_unless_told(user_factory):
    owner = user_factory(username="tz-owner")
    assert create_workspace(name="Café", owner=owner).timezone == "Europe/Paris"
    call_command("createworkspace", "montreal", "--owner", "tz-owner", "--timezone", "America/Montreal")
    assert Workspace.objects.get(slug="montreal").timezone == "America/Montreal"


def test_an_unknown_timezone_is_refused(user_factory):
    owner = user_factory(username="tz-owner2")
    with pytest.raises(ValidationError) as refused:
        create_workspace(name="Nowhere", owner=owner, timezone_name="Mars/Olympus")
    assert "Unknown timezone" in str(refused.value)
    assert not Workspace.objects.filter(slug="nowhere").exists()
