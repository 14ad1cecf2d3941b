"""The one family of connector errors; retries are decided in one place from it.

Each error carries a message in plain words, fit to show on the connection's health, and, when it came from an
HTTP answer, the status and the network's own error code (a connector may tell refusals apart with them).
"""

from __future__ import annotations


class ConnectorError(Exception):
    retryable = False

    def __init__(self, message: str, *, status: int | None = None, code: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code


class Unauthorized(ConnectorError):
    """The network refused our credentials: the user must fix them."""


class RateLimited(ConnectorError):
    retryable = True

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message, status=429)
        self.retry_after = retry_after


class Transient(ConnectorError):
    """Timeouts, 5xx, connection resets: try again later."""

    retryable = True


class Permanent(ConnectorError):
    """The network said no for good (not found, invalid request)."""
