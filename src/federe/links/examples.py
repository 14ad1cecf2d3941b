"""The presets as the Links page shows them: one form for the workspace, one per network of its channels, each
with the address a link would lead to (resolved as one types)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from federe.accounts.models import Workspace
from federe.links import addresses, services, utm
from federe.links.forms import PresetForm
from federe.links.models import UTM_FIELDS, UtmPreset
from federe.publishing.channels import publishing_channels
from federe.publishing.checks import workspace_zone

__all__ = [
    "UTM_FIELDS",
    "Example",
    "PresetEntry",
    "example",
    "network_of_prefix",
    "networks_of",
    "prefix_of",
    "preset_forms",
    "with_form",
]

SAMPLE_TARGET = "https://example.org/news?ref=home#top"
SAMPLE_POST = "42"


@dataclass(frozen=True)
class Example:
    target: str
    short: str
    destination: str
    error: str = ""


@dataclass(frozen=True)
class PresetEntry:
    network: str  # "" for the workspace's own
    label: str  # the network's name; "" for the workspace's
    form: PresetForm
    example: Example
    saved: bool  # this network has its own preset (else it uses the workspace's)


def networks_of(workspace: Workspace) -> dict[str, str]:
    """The networks of the workspace's publishing channels: key → name."""
    return {c.connection.network: str(c.connection.network_label) for c in publishing_channels(workspace)}


def _channel_name(workspace: Workspace, network: str) -> tuple[str, str]:
    for channel in publishing_channels(workspace):
        if not network or channel.connection.network == network:
            return channel.connection.name, channel.connection.network
    return "channel", network or "network"


def example(workspace: Workspace, network: str, templates: dict[str, str], now: datetime) -> Example:
    name, key = _channel_name(workspace, network)
    context = utm.Context(name, key, SAMPLE_POST, now.astimezone(workspace_zone(workspace)).date().isoformat())
    short = addresses.short_url(addresses.PLACEHOLDER_CODE)
    try:
        clean = services.check_templates(templates)
    except ValidationError as exc:
        return Example(SAMPLE_TARGET, short, "", " ".join(exc.messages))
    return Example(SAMPLE_TARGET, short, utm.merged(SAMPLE_TARGET, utm.resolve(clean, context)))


def prefix_of(network: str) -> str:
    return f"p-{network or 'all'}"


def network_of_prefix(workspace: Workspace, prefix: str) -> str | None:
    """The network a form's prefix names ("" for the workspace's own), None when it names none of this workspace."""
    if prefix == prefix_of(""):
        return ""
    network = prefix.removeprefix("p-")
    return network if prefix.startswith("p-") and network in networks_of(workspace) else None


def preset_forms(workspace: Workspace) -> list[PresetEntry]:
    saved = {p.network: p for p in UtmPreset.objects.filter(workspace=workspace)}
    base = saved[""].templates() if "" in saved else dict(utm.DEFAULTS)
    entries = []
    for network, label in [("", ""), *networks_of(workspace).items()]:
        templates = saved[network].templates() if network in saved else base
        form = PresetForm(initial=templates, prefix=prefix_of(network))
        entries.append(
            PresetEntry(network, label, form, example(workspace, network, templates, timezone.now()), network in saved)
        )
    return entries


def with_form(entry: PresetEntry, form: Any) -> PresetEntry:
    return replace(entry, form=form)
