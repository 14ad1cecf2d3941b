from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from federe.connectors import registry
from federe.connectors.capabilities import Capability
from federe.connectors.dummy.mapping import map_item
from federe.connectors.dummy.network import DummyNetwork
from federe.connectors.errors import RateLimited, Transient, Unauthorized
from federe.connectors.types import ActionKind, Item, MalformedItem, ModerationAction, OutgoingReply

START = datetime(2026, 1, 1, tzinfo=UTC)


def network(**kw):
    return DummyNetwork(seed=3, start=START, interval_seconds=60, brand="Acme", **kw)


def test_items_are_deterministic_and_appear_over_time():
    net = network()
    assert net.item(17) == net.item(17)
    assert net.available(START - timedelta(seconds=1)) == 0
    assert net.available(START + timedelta(minutes=10)) == 11
    assert network(total=5).available(START + timedelta(days=1)) == 5


def test_traffic_looks_like_a_community():
    net = network()
    items = [net.item(i) for i in range(400)]
    authors = [i["author"]["handle"] for i in items]
    threads = {i["thread_id"] for i in items}
    assert 40 < len(threads) < 250  # threads with replies, not one flat list
    assert any(i["parent_id"] and i["parent_id"] != i["thread_id"] for i in items)  # nested replies
    assert "Grincheux42" in authors  # the troll
    assert any("promo-gagnant" in i["html"] or "crypto-riches" in i["html"] for i in items)  # spam
    assert any(i["status"] == "held" for i in items)
    regular_posts = max(authors.count(h) for h in set(authors))
    assert regular_posts >= 15  # regulars come back
    for item in items:
        if item["parent_id"]:
            assert int(item["parent_id"]) < int(item["id"])
            assert net.item(int(item["parent_id"]))["thread_id"] == item["thread_id"]


def test_mapping_reports_malformed_payloads():
    good = network().item(2)
    assert isinstance(map_item(good), Item)
    assert isinstance(map_item({**good, "author": None}), MalformedItem)
    assert isinstance(map_item({**good, "created_at": "yesterday"}), MalformedItem)
    assert isinstance(map_item({**good, "id": ""}), MalformedItem)
    assert isinstance(map_item({**good, "status": "weird"}), MalformedItem)


def connector(**config):
    base = {"start": START.isoformat(), "total": 30, "page_size": 10}
    return registry.build("dummy", config={**base, **config}, credentials={})


def test_fetch_pages_through_the_history_with_a_cursor():
    dummy = connector()
    first = dummy.fetch(None)
    assert [i.external_id for i in first.items] == [str(i) for i in range(10)] and first.has_more
    last = dummy.fetch({"position": 20})
    assert len(last.items) == 10 and not last.has_more and last.cursor == {"position": 30}
    assert dummy.fetch(last.cursor).items == []


@pytest.mark.parametrize(
    ("mode", "error"),
    [("timeout", Transient), ("server_error", Transient), ("rate_limit", RateLimited), ("unauthorized", Unauthorized)],
)
def test_failures_on_demand(mode, error):
    with pytest.raises(error) as caught:
        connector(fail=mode).fetch(None)
    if mode == "rate_limit":
        assert caught.value.retry_after == 120


def test_capabilities_reply_and_act():
    dummy = connector()
    assert {Capability.READ, Capability.REPLY, Capability.MODERATE} <= dummy.capabilities
    result = dummy.reply(OutgoingReply(thread_id="0", parent_id="0", body_html="<p>x</p>", idempotency_key="k1"))
    assert result.external_id == "reply-k1"
    assert dummy.act(ModerationAction(kind=ActionKind.SPAM, external_id="3")).done


def test_registry_refuses_unknown_networks_and_double_keys():
    with pytest.raises(LookupError):
        registry.connector_class("nope")
    cls = registry.connector_class("dummy")

    class Clash(cls):  # type: ignore[misc, valid-type]
        pass

    with pytest.raises(ValueError, match="registered twice"):
        registry.register(Clash)
    assert "token" not in repr(registry.build("dummy", config={}, credentials={"token": "x"}))
