from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from tests.peers import peer_env

FIXTURES = Path(__file__).resolve().parent / "fixtures"
ENV_KEYS = ("MATRIX_URL", "MATRIX_ADMIN_TOKEN", "MATRIX_REGISTRATION_SHARED_SECRET")


def load(name: str) -> Any:
    """A recorded payload, as a fresh copy that a test may change."""
    return copy.deepcopy(json.loads((FIXTURES / name).read_text(encoding="utf-8")))


def room_of(sync: dict[str, Any]) -> str:
    return next(iter(sync["rooms"]["join"]))


@pytest.fixture(scope="session")
def mx_env() -> dict[str, str]:
    """The running Synapse peer's address and admin token: from the environment, else its env file."""
    return peer_env(
        "synapse",
        "Synapse",
        ENV_KEYS,
        ("MATRIX_URL", "/health"),
        "start one with ../shared/peers/synapse/synapse-ci.sh start",
    )
