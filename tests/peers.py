"""Finding a running peer from ../shared/peers: its values from the environment, else from its env file."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import httpx
import pytest


def env_file(peer: str) -> Path:
    state = os.environ.get("PEERS_STATE") or os.path.join(os.environ.get("TMPDIR") or "/tmp", "federe-peers")  # noqa: S108
    return Path(state) / peer / "env"


def read_env_file(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            key, sep, value = line.partition("=")
            if sep and not key.strip().startswith("#"):
                values[key.strip()] = value.strip().strip("'\"")
    return values


def peer_env(peer: str, name: str, keys: Sequence[str], probe: tuple[str, str], how_to_start: str) -> dict[str, str]:
    """The peer's values, or a skip that says what is missing; ``probe`` is (key of the base URL, path to GET)."""
    values = {key: os.environ[key] for key in keys if os.environ.get(key)}
    if len(values) < len(keys):
        values = {**read_env_file(env_file(peer)), **values}
    missing = [key for key in keys if not values.get(key)]
    if missing:
        pytest.skip(f"no {name} peer: {', '.join(missing)} not set and not in {env_file(peer)} ({how_to_start})")
    url_key, path = probe
    try:
        httpx.get(values[url_key].rstrip("/") + path, timeout=3, trust_env=False)
    except httpx.HTTPError:
        pytest.skip(f"the {name} peer at {values[url_key]} does not answer (its env file is stale)")
    return values
