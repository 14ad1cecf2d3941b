"""A post sent to a channel is a "post.published" webhook event, one per channel, for the subscribed endpoints."""

from __future__ import annotations

import pytest

from federe.publishing.models import Delivery
from federe.publishing.sending import publish_due
from federe.webhooks import services as webhooks
from federe.webhooks.models import Event

pytestmark = pytest.mark.django_db(transaction=True)


def test_each_sent_delivery_is_a_post_published_event(make_post, workspace, owner, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    webhooks.create_endpoint(workspace=workspace, by=owner, url="http://127.0.0.1:9/in", event_types=["post.published"])
    post = make_post()
    assert publish_due()["sent"] == 2
    sent = {d.pk: d for d in Delivery.objects.filter(post=post)}
    events = Event.objects.filter(type="post.published")
    assert sorted(e.payload["post"]["delivery"] for e in events) == sorted(sent)
    for event in events:
        delivery = sent[event.payload["post"]["delivery"]]
        assert event.payload["post"]["id"] == post.pk and event.payload["post"]["external_id"] == delivery.external_id
