from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from federe.publishing.checks import PostInput, VariantInput
from federe.publishing.services import create_post
from tests.factories import ConnectionFactory


@pytest.fixture
def publish_log(tmp_path):
    return tmp_path / "published.jsonl"


@pytest.fixture
def channels(workspace, publish_log):
    """Two dummy channels that record what they publish in one log (the 'network side')."""
    return [
        ConnectionFactory(
            workspace=workspace, name=f"Channel {n}", config={"total": 0, "publish_log": str(publish_log)}
        )
        for n in (1, 2)
    ]


@pytest.fixture
def make_post(workspace, owner, channels):
    def make(when=None, body="Bonjour à tous", on=None, **extra):
        when = timezone.now() - timedelta(seconds=1) if when is None else when
        targets = on if on is not None else channels
        data = PostInput(
            body=body, scheduled_at=when, variants=[VariantInput(connection_id=c.pk) for c in targets], **extra
        )
        return create_post(workspace, owner, data)

    return make


def network_lines(path) -> list[dict]:
    import json

    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
