"""Numbers and dates typed by people in query strings, forms and commands, read without surprises.

``"²".isdigit()`` is true and ``int("²")`` fails; a 30-digit id overflows the database's 64-bit integers; a
million days before today is before the year 1. Each was a 500.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_ID = 2**63 - 1
MAX_DAYS = 36_500  # a hundred years: any "seen in the last N days" filter fits


def whole_number(raw: Any, *, high: int = MAX_ID) -> int | None:
    """The value as an int when it is ASCII digits only and at most ``high``; otherwise None."""
    text = str(raw).strip()
    if text and text.isascii() and text.isdigit() and len(text) <= len(str(high)) and int(text) <= high:
        return int(text)
    return None


def moment(text: str, zone: tzinfo) -> datetime:
    """An ISO 8601 date and time ("2026-12-01T09:00"), on ``zone``'s clock unless it carries its own offset."""
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise ValidationError(
            _("Give the dates like 2026-12-01T09:00 (with an offset, or on the workspace's clock).")
        ) from exc
    return when if when.tzinfo else when.replace(tzinfo=zone)
