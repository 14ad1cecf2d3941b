from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from tests.peers import peer_env

FIXTURES = Path(__file__).resolve().parent / "fixtures"
ENV_KEYS = ("WORDPRESS_URL", "WORDPRESS_USER", "WORDPRESS_APP_PASSWORD")


def load(name: str) -> Any:
    """A recorded payload, as a fresh copy that a test may change."""
    return copy.deepcopy(json.loads((FIXTURES / name).read_text(encoding="utf-8")))


def by_status(comments: list[dict[str, Any]], status: str, *, parent: bool = False) -> dict[str, Any]:
    return next(c for c in comments if c["status"] == status and bool(c["parent"]) == parent)


@pytest.fixture(scope="session")
def wp_env() -> dict[str, str]:
    """The running WordPress peer's address and credentials: from the environment, else its env file."""
    return peer_env(
        "wp", "WordPress", ENV_KEYS, ("WORDPRESS_URL", "/wp-json/"), "start one with ../shared/peers/wp/wp-ci.sh start"
    )
