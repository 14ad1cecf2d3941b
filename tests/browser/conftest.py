"""Browser suite: pytest-django's live server driven by Debian's Chromium through Playwright.

Run with ``make test-browser`` (or ``FEDERE_ENV=test .venv/bin/pytest -m browser tests/browser``).
Playwright never downloads a browser here: it launches /usr/bin/chromium (apt package ``chromium``).
Screenshots go to ``artifacts/screenshots/<page>-<lang>.png`` (git-ignored).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; Django would otherwise refuse
# ORM calls made from the test body ("You cannot call this from an async context").
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# Belt and braces: nothing in this suite may fetch a browser build.
os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO_ROOT / "artifacts" / "screenshots"
VIEWPORT = {"width": 1366, "height": 860}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium).")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "headless": True, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # A fixed locale, time zone and window so that the first page is English and screenshots compare.
    return {**browser_context_args, "locale": "en-US", "timezone_id": "Europe/Paris", "viewport": VIEWPORT}


@pytest.fixture
def screenshots_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture
def demo_data(transactional_db):
    """The ``federe demo`` data (two workspaces; users demo, camille, max, client; password "demo"),
    built through the services, in the database the live server reads."""
    from federe.core.demo import load_demo

    assert load_demo(say=lambda _line: None)
    from federe.accounts.models import Workspace

    return Workspace.objects.get(slug="cafe-lumiere")
