"""Encryption at rest for credentials (tokens, passwords).

The keys come from settings.FEDERE_SECRETS_KEY (newest first, so keys can be
rotated). Each key is stretched to a Fernet key with HKDF-SHA256.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


class SecretError(Exception):
    """A stored secret cannot be read with the configured keys."""


def _fernet_for(passphrase: str) -> Fernet:
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"federe-secrets-v1", info=b"fernet").derive(
        passphrase.encode()
    )
    return Fernet(base64.urlsafe_b64encode(raw))


def _cipher() -> MultiFernet:
    keys = list(settings.FEDERE_SECRETS_KEY)
    if not keys:
        raise SecretError("FEDERE_SECRETS_KEY is not set: credentials cannot be stored.")
    return MultiFernet([_fernet_for(key) for key in keys])


def encrypt_json(data: dict[str, Any]) -> str:
    return _cipher().encrypt(json.dumps(data, sort_keys=True).encode()).decode()


def decrypt_json(token: str) -> dict[str, Any]:
    if not token:
        return {}
    try:
        return dict(json.loads(_cipher().decrypt(token.encode())))
    except InvalidToken as exc:
        raise SecretError(
            "Stored credentials cannot be decrypted: FEDERE_SECRETS_KEY changed without keeping the old key."
        ) from exc
