from __future__ import annotations

import logging

import pytest
from django.test import override_settings

from federe.connections.services import create_connection, sync_connection
from federe.core.models import AuditEvent
from federe.core.secrets import SecretError, decrypt_json, encrypt_json

pytestmark = pytest.mark.django_db

PASSWORD = "s3cr3t-app-password-xyz"


def test_round_trip_and_ciphertext_hides_the_value():
    token = encrypt_json({"password": PASSWORD})
    assert PASSWORD not in token
    assert decrypt_json(token) == {"password": PASSWORD}


def test_rotated_keys_still_read_old_secrets():
    with override_settings(FEDERE_SECRETS_KEY=["old"]):
        token = encrypt_json({"token": "abc"})
    with override_settings(FEDERE_SECRETS_KEY=["new", "old"]):
        assert decrypt_json(token) == {"token": "abc"}


def test_a_lost_key_gives_a_clear_error():
    token = encrypt_json({"token": "abc"})
    with override_settings(FEDERE_SECRETS_KEY=["another"]), pytest.raises(SecretError, match="FEDERE_SECRETS_KEY"):
        decrypt_json(token)


def test_credentials_are_stored_encrypted_never_logged_nor_audited_nor_rendered(workspace, owner, client, caplog):
    caplog.set_level(logging.DEBUG)
    connection = create_connection(
        workspace=workspace,
        network="dummy",
        name="Blog",
        by=owner,
        config={"total": 5, "start": "2026-01-01T00:00:00+00:00", "fail": "unauthorized"},
        credentials={"token": PASSWORD},
    )
    connection.refresh_from_db()
    assert PASSWORD not in connection.credentials_encrypted
    assert connection.credentials == {"token": PASSWORD}
    assert PASSWORD not in repr(connection) and PASSWORD not in str(connection)
    sync_connection(connection.pk)
    assert PASSWORD not in caplog.text
    for event in AuditEvent.objects.all():
        assert PASSWORD not in str(event.details)
    client.force_login(owner)
    page = client.get(f"/w/{workspace.slug}/channels/{connection.pk}/").content.decode()
    assert "stored encrypted" in page or "chiffr" in page
    assert PASSWORD not in page
