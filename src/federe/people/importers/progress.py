"""A small progress bar for long imports, on standard error, without any dependency.

On a terminal it redraws one line (at most ten times a second). Elsewhere (a log, a pipe, a test) it
writes one line per step when the step ends, so logs stay readable.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

WIDTH = 28


class Progress:
    def __init__(
        self,
        label: str,
        total: int | None,
        *,
        unit: str = "",
        counts: bool = True,
        stream: TextIO | None = None,
        enabled: bool = True,
    ) -> None:
        self.label = label
        self.total = total
        self.unit = unit
        self.counts = counts  # False: show the share only (when the total is in bytes, say)
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled
        self.done = 0
        self.note = ""
        self._interactive = bool(getattr(self.stream, "isatty", lambda: False)())
        self._drawn_at = 0.0
        self._started = time.monotonic()

    def advance(self, count: int = 1, note: str | None = None) -> None:
        self.set(self.done + count, note)

    def set(self, done: int, note: str | None = None) -> None:
        self.done = done
        if note is not None:
            self.note = note
        if self.enabled and self._interactive:
            now = time.monotonic()
            if now - self._drawn_at >= 0.1:
                self._drawn_at = now
                self.stream.write("\r" + self.render())
                self.stream.flush()

    def render(self) -> str:
        if self.total:
            share = min(self.done / self.total, 1.0)
            filled = round(share * WIDTH)
            bar = "#" * filled + "-" * (WIDTH - filled)
            text = f"{self.label:<16} [{bar}] {share:4.0%}"
            if self.counts:
                text += f" {self.done:,}/{self.total:,}"
        else:
            text = f"{self.label:<16} {self.done:,}"
        if self.unit:
            text += f" {self.unit}"
        if self.note:
            text += f" · {self.note}"
        return text

    def close(self, note: str | None = None) -> None:
        if note is not None:
            self.note = note
        if not self.enabled:
            return
        elapsed = time.monotonic() - self._started
        line = f"{self.render()} ({elapsed:.1f} s)"
        self.stream.write(("\r" + line + "\033[K\n") if self._interactive else line + "\n")
        self.stream.flush()
