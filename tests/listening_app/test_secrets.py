"""No secret is ever rendered back: every page of a workspace, for every role, is free of them."""

from __future__ import annotations

import pytest

from federe.accounts.models import Role
from federe.connections.models import Connection
from federe.listening import services
from tests.factories import MembershipFactory
from tests.test_tenancy import tenants, ui_requests  # noqa: F401  (the fixture is used by name)

pytestmark = pytest.mark.django_db

WEBHOOK_SECRET = "whsec-never-in-html-7f3a"
CHANNEL_SECRET = "app-password-never-in-html-91c2"


def test_no_page_of_the_workspace_shows_a_secret_to_any_role(client, tenants):  # noqa: F811
    a, b = tenants
    config = services.alert_settings(a.workspace.pk)
    config.webhook_secret = WEBHOOK_SECRET
    config.save()
    connection = Connection.objects.get(pk=a.connection.pk)
    connection.set_credentials({"token": CHANNEL_SECRET})
    connection.save()
    gets = [path for requests in ui_requests(b, a).values() for method, path, _ in requests if method == "get"]
    gets = [path for path in gets if f"/w/{a.workspace.slug}/" in path and f"/w/{b.workspace.slug}/" not in path]
    assert len(gets) > 20
    for role in (Role.OWNER, Role.MODERATOR, Role.CLIENT):
        client.force_login(MembershipFactory(workspace=a.workspace, role=role).user)
        for path in gets:
            response = client.get(path)
            assert response.status_code in (200, 302, 403), f"{path} as {role}: {response.status_code}"
            body = b"".join(response.streaming_content) if response.streaming else response.content
            # Bytes, not text: some pages are images (a post's media), and a secret must not be in those either.
            secrets = (WEBHOOK_SECRET.encode(), CHANNEL_SECRET.encode())
            assert not any(secret in body for secret in secrets), f"{path} as {role} shows a secret"
