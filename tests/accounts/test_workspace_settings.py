"""The workspace's settings page: name and timezone, owners only, validated, audit-logged; changing the timezone
moves no stored time."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from federe.accounts.models import Role, Workspace
from federe.core.models import AuditEvent
from federe.publishing.checks import PostInput, VariantInput
from federe.publishing.models import Delivery, Post
from federe.publishing.services import create_post
from tests.factories import ConnectionFactory

pytestmark = pytest.mark.django_db
URL = reverse("accounts:settings", args=["acme"])


def test_the_owner_renames_and_changes_the_timezone_and_nothing_scheduled_moves(client, owner, workspace):
    channel = ConnectionFactory(workspace=workspace, name="Blog")
    when = timezone.now() + timedelta(days=2)
    post = create_post(workspace, owner, PostInput(body="x", variants=[VariantInput(channel.pk)], scheduled_at=when))
    due = set(Delivery.objects.filter(post=post).values_list("due_at", flat=True))
    client.force_login(owner)
    page = client.get(URL).content.decode()
    assert "Europe/Paris" in page and "Changing the timezone moves nothing" in page
    response = client.post(URL, {"name": "Acme Québec", "timezone": "America/Montreal"})
    assert response.status_code == 302
    ws = Workspace.objects.get(slug="acme")
    assert (ws.name, ws.timezone) == ("Acme Québec", "America/Montreal")
    assert Post.objects.get(pk=post.pk).scheduled_at == post.scheduled_at
    assert set(Delivery.objects.filter(post=post).values_list("due_at", flat=True)) == due
    event = AuditEvent.objects.get(verb="workspace.settings_changed")
    assert event.details == {"changed": ["name", "timezone"]}


def test_an_unknown_timezone_or_an_empty_name_is_refused_in_words(client, owner):
    client.force_login(owner)
    response = client.post(URL, {"name": "  ", "timezone": "UTC"})
    assert response.status_code == 422 and "Give the workspace a name." in response.content.decode()
    response = client.post(URL, {"name": "Acme", "timezone": "Mars/Olympus"})
    assert response.status_code == 422 and "Choose a timezone from the list" in response.content.decode()
    assert Workspace.objects.get(slug="acme").timezone == "Europe/Paris"


@pytest.mark.parametrize("role", [Role.COMMUNITY_MANAGER, Role.MODERATOR, Role.ANALYST, Role.CLIENT])
def test_only_owners_reach_it(client, member_factory, role):
    client.force_login(member_factory(role))
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"name": "Taken", "timezone": "UTC"}).status_code == 403
    assert Workspace.objects.get(slug="acme").name == "Acme"
