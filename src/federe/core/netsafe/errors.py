"""The two failures of a fetch: one that may pass when tried again, and a refusal that will not."""

from __future__ import annotations


class NetError(Exception):
    """A fetch failed; ``message`` says why in plain words (in the active language)."""

    retryable = True
    code = "error"

    def __init__(self, message: str, *, code: str = "", status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.status = status


class NetRefused(NetError):
    """We refused to fetch this address (unsafe address, scheme, credentials): trying again will not help."""

    retryable = False
    code = "refused"
