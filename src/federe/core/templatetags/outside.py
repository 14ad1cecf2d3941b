"""Addresses that come from outside content (profiles, messages, feeds) in templates.

``{{ address|outside_url }}`` is the address when it is an absolute http or https URL, and "" otherwise, so
that ``javascript:``, ``data:``, scheme-relative or relative addresses never become links. Use it for every
``href`` built from outside data; show the raw value as text when it is refused.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django import template

register = template.Library()

LINK_SCHEMES = frozenset({"http", "https"})
# What browsers ignore in an address: tabs and line breaks anywhere, C0 controls and spaces at both ends.
_IGNORED_INSIDE = re.compile(r"[\t\n\r]")
_IGNORED_AROUND = "".join(chr(c) for c in range(0x21))


@register.filter
def outside_url(value: object) -> str:
    """The address if a browser would open it as http or https on another host; otherwise ""."""
    if not isinstance(value, str):
        return ""
    address = _IGNORED_INSIDE.sub("", value).strip(_IGNORED_AROUND)
    try:
        parts = urlsplit(address)
    except ValueError:
        return ""
    if parts.scheme.lower() not in LINK_SCHEMES or not parts.hostname:
        return ""
    return address
