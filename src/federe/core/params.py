"""Numbers typed by people in query strings and forms, read without surprises.

``"²".isdigit()`` is true and ``int("²")`` fails; a 30-digit id overflows the database's 64-bit integers; a
million days before today is before the year 1. Each was a 500.
"""

from __future__ import annotations

from typing import Any

MAX_ID = 2**63 - 1
MAX_DAYS = 36_500  # a hundred years: any "seen in the last N days" filter fits


def whole_number(raw: Any, *, high: int = MAX_ID) -> int | None:
    """The value as an int when it is ASCII digits only and at most ``high``; otherwise None."""
    text = str(raw).strip()
    if text and text.isascii() and text.isdigit() and len(text) <= len(str(high)) and int(text) <= high:
        return int(text)
    return None
