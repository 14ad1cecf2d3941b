"""Publishing through the Mastodon connector on a REAL Takahē 0.11 (../shared/peers/takahe; not in CI).

    TAKAHE_SRC=/path/to/takahe-v0.11.0 ../shared/peers/takahe/takahe-ci.sh start
    FEDERE_ENV=test .venv/bin/pytest -q -m peers tests/connectors/mastodon/test_takahe_publish.py

What it showed (Takahē 0.11): statuses, content warnings, visibilities and replies are published as sent;
``language`` is accepted and dropped (statuses come back with ``language: null``); the ``Idempotency-Key`` header is
ignored (Takahē lists it among its CORS headers only): the same delivery sent twice makes two statuses there. On
this peer ``POST /api/v2/media`` answers HTTP 500 (Takahē builds the media's URL from a relative MEDIA_URL:
"Absolute URL '/media/…' is not absolute!"), which the connector reports as a transient error: images are covered
by payloads written from the Mastodon documentation only. Mastodon itself keeps the key an hour per account: that
too is covered on such payloads (test_publish.py), not against a running Mastodon.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from federe.connectors import registry
from federe.connectors.types import OutgoingPost

pytestmark = [pytest.mark.peers]


@pytest.fixture
def brand(takahe_env):
    return registry.build(
        "mastodon",
        config={"instance_url": takahe_env["MASTODON_URL"]},
        credentials={"access_token": takahe_env["MASTODON_ADMIN_TOKEN"]},
    )


@pytest.fixture
def reader(takahe_env):
    headers = {"Authorization": f"Bearer {takahe_env['MASTODON_ADMIN_TOKEN']}"}
    with httpx.Client(base_url=takahe_env["MASTODON_URL"], headers=headers, timeout=30, trust_env=False) as client:
        yield client


def status(reader: httpx.Client, status_id: str) -> dict[str, Any]:
    answer = reader.get(f"/api/v1/statuses/{status_id}")
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_a_status_with_its_options_is_published(brand, reader):
    post = OutgoingPost(
        "",
        idempotency_key=f"pubnet-{uuid.uuid4().hex}",
        body_text=f"Pubnet {uuid.uuid4().hex[:6]} : la terrasse rouvre https://example.org/menu",
        content_warning="Annonce",
        visibility="unlisted",
        language="fr",
    )
    result = brand.publish(post)
    shown = status(reader, result.external_id)
    assert shown["spoiler_text"] == "Annonce" and shown["visibility"] == "unlisted"
    assert "la terrasse rouvre" in shown["content"]
    assert shown["language"] is None  # Takahē drops the language

    reply = brand.publish(
        OutgoingPost(
            "", idempotency_key=f"pubnet-{uuid.uuid4().hex}", body_text="Et le menu ?", reply_to=result.external_id
        )
    )
    assert status(reader, reply.external_id)["in_reply_to_id"] == result.external_id


def test_takahe_ignores_the_idempotency_key(brand):
    post = OutgoingPost("", idempotency_key=f"pubnet-{uuid.uuid4().hex}", body_text=f"Pubnet {uuid.uuid4().hex[:6]}")
    first, second = brand.publish(post), brand.publish(post)
    assert first.external_id != second.external_id  # Mastodon would answer the first status again
