"""Mastodon API payloads replayed with respx.

The fixtures are HAND-WRITTEN from the Mastodon API documentation (Status, Account, Instance entities; the
timelines/tag and v2/search methods), not recorded from a live server: the Takahē peer needs a source checkout
that is not available here.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from federe.core import netsafe

FIXTURES = Path(__file__).resolve().parent / "fixtures"
INSTANCE = "https://mastodon.example"
PUBLIC_IP = "93.184.216.34"


def load(name: str) -> Any:
    return copy.deepcopy(json.loads((FIXTURES / name).read_text(encoding="utf-8")))


@pytest.fixture
def dns(monkeypatch) -> dict[str, list[str]]:
    """Test host names resolve to what the test says (a public address by default), without real DNS."""
    answers: dict[str, list[str]] = {"mastodon.example": [PUBLIC_IP]}
    real = netsafe._resolve

    def resolve(host: str, port: int) -> list[str]:
        return list(answers[host]) if host in answers else real(host, port)

    monkeypatch.setattr(netsafe, "_resolve", resolve)
    return answers
