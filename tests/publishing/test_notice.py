"""What a network did with a sent post, when it is not simply public (a mailing list held it): recorded on the
delivery from ``PublishResult.notice`` and shown under it on the post's page as a note, not as an error."""

from __future__ import annotations

from unittest import mock

import pytest
from django.urls import reverse

from federe.connectors.dummy.connector import DummyConnector
from federe.connectors.types import PublishResult
from federe.publishing.models import Delivery, DeliveryState
from federe.publishing.sending import publish_due

pytestmark = pytest.mark.django_db(transaction=True)
HELD = "The list holds this post for its moderators: its members get it once a moderator accepts it."


def test_a_held_post_is_sent_with_its_notice_shown_as_a_note(client, owner, make_post, channels):
    post = make_post(on=channels[:1])
    with mock.patch.object(DummyConnector, "publish", return_value=PublishResult("held-1", notice=HELD)):
        publish_due()
    delivery = Delivery.objects.get(post=post)
    assert delivery.state == DeliveryState.SENT and delivery.last_error == HELD
    assert publish_due()["claimed"] == 0  # never sent again

    client.force_login(owner)
    page = client.get(reverse("publishing:post", args=[post.workspace.slug, post.pk])).content.decode()
    assert f'<span class="muted">{HELD}</span>' in page.replace("&#x27;", "'")
    assert 'class="field-error"' not in page


def test_a_plain_sent_post_has_no_notice(client, owner, make_post, channels):
    post = make_post(on=channels[:1])
    publish_due()
    assert Delivery.objects.get(post=post).last_error == ""
