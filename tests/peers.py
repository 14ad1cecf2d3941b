"""Finding a running peer from ../shared/peers: its values from the environment, else from its env file."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

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


def until(check: Callable[[], Any], *, timeout: float, server: str, what: str = "", every: float = 0.2) -> Any:
    """Poll a real server until ``check`` gives something truthy, and return it; fail in words after ``timeout``."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = check()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"{server} did not get there within {timeout} s: {what}")
