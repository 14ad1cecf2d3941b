"""Publishing stores the token a network handed out while publishing (tests/connections/test_rotated_credentials)."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import DatabaseError

from federe.publishing.models import Delivery, DeliveryState
from federe.publishing.sending import publish_due
from tests.connections.test_rotated_credentials import rotating, stored

pytestmark = pytest.mark.django_db(transaction=True)


def test_publishing_keeps_the_new_token(make_post, channels):
    for channel in channels:
        rotating(channel)
    make_post()
    assert publish_due()["sent"] == 2
    assert set(Delivery.objects.values_list("state", flat=True)) == {DeliveryState.SENT}
    assert [stored(channel)["token"] for channel in channels] == ["rotated-1", "rotated-1"]


def test_what_the_network_said_is_written_even_when_keeping_a_token_fails(make_post, channels):
    """The answers are flushed first: a post sent but not recorded would go out again on the next round."""
    for channel in channels:
        rotating(channel)
    make_post()
    with (
        mock.patch("federe.publishing.sending.keep_credentials", side_effect=DatabaseError("disk full")),
        pytest.raises(DatabaseError),
    ):
        publish_due()
    assert set(Delivery.objects.values_list("state", flat=True)) == {DeliveryState.SENT}
