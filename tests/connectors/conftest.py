"""What every connector's tests share: host names that resolve to what the test says, without real DNS."""

from __future__ import annotations

import pytest

from federe.core.netsafe import addresses

PUBLIC_IP = "93.184.216.34"
TEST_HOSTS = ("mastodon.example", "blog.example.org", "www.example.org")


@pytest.fixture
def dns(monkeypatch) -> dict[str, list[str]]:
    """The test hosts resolve to a public address (a test may change that); other names go to the real resolver."""
    answers: dict[str, list[str]] = {host: [PUBLIC_IP] for host in TEST_HOSTS}
    real = addresses._resolve

    def resolve(host: str, port: int) -> list[str]:
        return list(answers[host]) if host in answers else real(host, port)

    monkeypatch.setattr(addresses, "_resolve", resolve)
    return answers
