"""Browser suite: pytest-django's live server driven by Debian's Chromium through Playwright.

Run with ``make test-browser`` (or ``FEDERE_ENV=test .venv/bin/pytest -m browser tests/browser``).
Playwright never downloads a browser here: it launches /usr/bin/chromium (apt package ``chromium``).
Screenshots go to ``artifacts/screenshots/<page>-<lang>.png`` (git-ignored).
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest
from django.core.signals import request_finished, request_started

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


class _InFlight:
    """Requests the live server is answering (Django's request signals), so a test's end can wait for them."""

    def __init__(self) -> None:
        self.count = 0
        self.lock = threading.Lock()

    def started(self, **_kwargs: object) -> None:
        with self.lock:
            self.count += 1

    def finished(self, **_kwargs: object) -> None:
        with self.lock:
            self.count = max(0, self.count - 1)

    def wait_idle(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while self.count and time.monotonic() < deadline:
            time.sleep(0.02)


IN_FLIGHT = _InFlight()
request_started.connect(IN_FLIGHT.started, dispatch_uid="browser-in-flight-started")
request_finished.connect(IN_FLIGHT.finished, dispatch_uid="browser-in-flight-finished")


@pytest.fixture(autouse=True)
def _database_outlives_the_browser(request):
    """The test database is emptied only once no browser can ask the live server anything: every page and
    context is closed first (a page left open keeps polling, e.g. the notification bell) and the requests
    already under way are answered. Otherwise the flush meets a request reading a table ("database table is
    locked") and the next test starts on the last one's data."""
    uses_browser = bool({"page", "context", "browser"} & set(request.fixturenames))
    if uses_browser:
        request.getfixturevalue("transactional_db")  # set up first, so torn down after the pages below
    yield
    if uses_browser:
        for context in list(request.getfixturevalue("browser").contexts):
            context.close()
        IN_FLIGHT.wait_idle()


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
