"""The database's request counter: a fixed window per key, a new window once it is over, old windows cleared,
the address kept only as a digest."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from federe.core import ratelimit
from federe.core.models import RateCount

pytestmark = pytest.mark.django_db


def test_a_window_counts_up_to_its_limit_then_starts_again():
    start = timezone.now()
    assert [ratelimit.hit("t", "198.51.100.7", 3, 60, now=start + timedelta(seconds=s)) for s in range(5)] == [
        False,
        False,
        False,
        True,
        True,
    ]
    assert ratelimit.hit("t", "198.51.100.8", 3, 60, now=start) is False  # each address its own count
    assert ratelimit.hit("other", "198.51.100.7", 3, 60, now=start) is False  # each scope too
    later = start + timedelta(seconds=61)
    assert ratelimit.hit("t", "198.51.100.7", 3, 60, now=later) is False  # the window is over: counted from one
    keys = set(RateCount.objects.values_list("key", flat=True))
    assert len(keys) == 2 and all("198.51.100" not in key for key in keys)  # .8's old window went; other scope kept


def test_a_network_block_is_an_ipv6_64_or_one_ipv4_address():
    block = ratelimit.network_block
    assert block("2001:db8::1") == block("2001:db8::ffff:abcd:1") == "2001:db8::/64"
    assert block("2001:db8:0:1::1") != block("2001:db8::1")
    assert block("203.0.113.5") == block("::ffff:203.0.113.5") == "203.0.113.5/32"
    assert block("203.0.113.6") != block("203.0.113.5")
    assert block("") == "" and block("not an address") == "not an address"
