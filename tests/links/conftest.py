from __future__ import annotations

import pytest
from django.utils import timezone

from federe.links import services
from federe.publishing.checks import PostInput, VariantInput
from federe.publishing.services import create_post
from tests.factories import ConnectionFactory


@pytest.fixture
def channels(workspace, tmp_path):
    log = str(tmp_path / "published.jsonl")
    return [
        ConnectionFactory(workspace=workspace, name=name, config={"total": 0, "publish_log": log})
        for name in ("Blog", "Forum")
    ]


@pytest.fixture
def tracked_post(workspace, owner, channels):
    """A post due now on two channels whose text has two links, and shortens them."""

    def make(body="Read https://example.org/news?ref=home#top and https://example.com/a.", shorten=True):
        data = PostInput(
            body=body,
            scheduled_at=timezone.now(),
            variants=[VariantInput(connection_id=c.pk) for c in channels],
            shorten_links=shorten,
        )
        post = create_post(workspace, owner, data)
        services.set_post_choice(post, shorten)
        return post

    return make
