"""Mastodon API payloads replayed with respx, and the Takahē peer's settings.

Two kinds of fixtures:

* ``recorded_takahe_*.json``: RECORDED from a real Takahē 0.11 server (../shared/peers/takahe) by
  ``record_fixtures.py``; ``recorded_takahe_headers.json`` keeps, for each, the request's path and parameters, the
  HTTP status and the headers that matter (Link; Takahē sends no X-RateLimit-*). No token is in them.
* the others are HAND-WRITTEN from the Mastodon API documentation (Status, Account, Instance entities; the
  timelines/tag and v2/search methods), for what Takahē does not do (media, languages, boosts in timelines,
  rate limits, full-text search).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from tests.peers import peer_env

FIXTURES = Path(__file__).resolve().parent / "fixtures"
INSTANCE = "https://mastodon.example"
RECORDED_INSTANCE = "http://127.0.0.1:8010"  # where the recorded_takahe_* answers came from
PEER_KEYS = ("MASTODON_URL", "MASTODON_ADMIN_TOKEN", "MASTODON_USER_TOKEN")


def load(name: str) -> Any:
    return copy.deepcopy(json.loads((FIXTURES / name).read_text(encoding="utf-8")))


def recorded(name: str) -> tuple[Any, dict[str, Any]]:
    """A recorded Takahē answer and what the sidecar says about it (path, params, status, headers)."""
    sidecar = json.loads((FIXTURES / "recorded_takahe_headers.json").read_text(encoding="utf-8"))
    payload = (FIXTURES / name).read_text(encoding="utf-8") if name.endswith(".txt") else load(name)
    return payload, sidecar[name]


@pytest.fixture(scope="session")
def takahe_env() -> dict[str, str]:
    """The running Takahē peer's address and tokens: from the environment, else its env file; skip without one."""
    return peer_env(
        "takahe",
        "Takahē",
        PEER_KEYS,
        ("MASTODON_URL", "/api/v1/instance"),
        "Takahē is not installable in CI (not on PyPI/npm/Debian); on a developer machine: "
        "TAKAHE_SRC=<takahe v0.11.0 checkout> ../shared/peers/takahe/takahe-ci.sh install && ... start",
    )
