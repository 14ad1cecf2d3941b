"""UTM parameters: templates resolved for one channel and post, and merged into an address. Pure functions.

A template is text with variables in braces: {channel} (the channel's name), {network} (its network's key),
{post_id} and {date} (the post's day in the workspace's timezone, YYYY-MM-DD). Any other name in braces is refused
when a preset is saved; a value is at most 200 characters once resolved.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import unquote_plus, urlencode, urlsplit, urlunsplit

from federe.links.models import MAX_TEMPLATE, UTM_FIELDS

VARIABLES = ("channel", "network", "post_id", "date")
_VARIABLE = re.compile(r"\{([^{}]*)\}")

#: What a workspace without presets adds: the network as the source, "social" as the medium, the post's number
#: as the campaign and the channel's name as the content (two channels on one network stay apart).
DEFAULTS: dict[str, str] = {
    "utm_source": "{network}",
    "utm_medium": "social",
    "utm_campaign": "post-{post_id}",
    "utm_term": "",
    "utm_content": "{channel}",
}


@dataclass(frozen=True)
class Context:
    channel: str
    network: str
    post_id: str
    date: str

    def values(self) -> dict[str, str]:
        return {"channel": self.channel, "network": self.network, "post_id": self.post_id, "date": self.date}


def unknown_variables(template: str) -> list[str]:
    """The names in braces that are not variables (a preset with one is refused)."""
    return [name for name in _VARIABLE.findall(template) if name not in VARIABLES]


def resolve(templates: Mapping[str, str], context: Context) -> dict[str, str]:
    """Each UTM parameter with its variables replaced; empty ones are left out of the address later."""
    values = context.values()
    resolved = {}
    for name in UTM_FIELDS:
        text = _VARIABLE.sub(lambda m: values.get(m.group(1), m.group(0)), templates.get(name, ""))
        resolved[name] = " ".join(text.split())[:MAX_TEMPLATE]
    return resolved


def merged(address: str, utm: Mapping[str, str]) -> str:
    """``address`` with the non-empty UTM parameters set: its other parameters and its fragment are kept as they
    were, a UTM parameter it already has is replaced (the channel's says where the click came from)."""
    parts = urlsplit(address)
    wanted = {name: value for name, value in utm.items() if value}
    if not wanted:
        return address
    kept = [piece for piece in parts.query.split("&") if piece and unquote_plus(piece.split("=")[0]) not in wanted]
    query = "&".join([*kept, urlencode(wanted)])
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))
