"""What a connector sends is checked once for every network (connectors/values.py)."""

from __future__ import annotations

import pytest
from django.utils import translation

from federe.connectors.errors import Permanent
from federe.connectors.values import sendable_text


def test_a_message_longer_than_the_network_takes_is_refused_in_words_with_real_plurals():
    assert sendable_text("Bonjour", limit=7, network="Discord") == "Bonjour"
    with translation.override("fr"), pytest.raises(Permanent) as refused:
        sendable_text("Bonjour !", limit=7, network="Telegram")
    assert refused.value.message == "Ce message compte 9 caractères ; la limite est de 7 sur Telegram."
    with pytest.raises(Permanent, match="The message is empty"):
        sendable_text(" \n", limit=7, network="Discord")
