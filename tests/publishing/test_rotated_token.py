"""Publishing stores the token a network handed out while publishing (tests/connections/test_rotated_credentials)."""

from __future__ import annotations

import pytest

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
