from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import httpx
import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures"
ENV_KEYS = ("WORDPRESS_URL", "WORDPRESS_USER", "WORDPRESS_APP_PASSWORD")


def load(name: str) -> Any:
    """A recorded payload, as a fresh copy that a test may change."""
    return copy.deepcopy(json.loads((FIXTURES / name).read_text(encoding="utf-8")))


def by_status(comments: list[dict[str, Any]], status: str, *, parent: bool = False) -> dict[str, Any]:
    return next(c for c in comments if c["status"] == status and bool(c["parent"]) == parent)


def _env_file() -> Path:
    state = os.environ.get("PEERS_STATE") or os.path.join(os.environ.get("TMPDIR") or "/tmp", "federe-peers")  # noqa: S108
    return Path(state) / "wp" / "env"


def _read_env_file(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            key, sep, value = line.partition("=")
            if sep and not key.strip().startswith("#"):
                values[key.strip()] = value.strip().strip("'\"")
    return values


@pytest.fixture(scope="session")
def wp_env() -> dict[str, str]:
    """The running WordPress peer's address and credentials: from the environment, else its env file."""
    values = {key: os.environ[key] for key in ENV_KEYS if os.environ.get(key)}
    if len(values) < len(ENV_KEYS):
        values = {**_read_env_file(_env_file()), **values}
    missing = [key for key in ENV_KEYS if not values.get(key)]
    if missing:
        pytest.skip(
            f"no WordPress peer: {', '.join(missing)} not set and not in {_env_file()}"
            " (start one with ../shared/peers/wp/wp-ci.sh start)"
        )
    try:
        httpx.get(values["WORDPRESS_URL"].rstrip("/") + "/wp-json/", timeout=3, trust_env=False)
    except httpx.HTTPError:
        pytest.skip(f"the WordPress peer at {values['WORDPRESS_URL']} does not answer (its env file is stale)")
    return values
