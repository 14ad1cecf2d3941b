"""Links' writes: the workspace's settings and presets, a post's choice, short links made at send time, clicks.

``shorten_for_delivery`` is the one call the publisher makes (``publishing.sending.outgoing_post``): each http or https
address of the variant's text becomes the channel's short link for it, made once per (post, channel, address) and
found again on every later attempt, so a retried delivery sends exactly the same text (the network's idempotency
key and marker checks still see the same post).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import replace
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from federe.accounts.models import Workspace
from federe.accounts.permissions import Perm, require
from federe.connections.models import Connection
from federe.connectors.types import OutgoingPost
from federe.core import audit
from federe.links import addresses, utm
from federe.links.bots import counts_as_click
from federe.links.models import MAX_TEMPLATE, UTM_FIELDS, ClickCount, LinkSettings, PostTracking, ShortLink, UtmPreset
from federe.publishing.checks import workspace_zone

_CODE_TRIES = 8


# --------------------------------------------------------------------------------------- settings, presets


def settings_for(workspace: Workspace) -> LinkSettings:
    found = LinkSettings.objects.filter(workspace=workspace).first()
    return found or LinkSettings(workspace=workspace)


def save_settings(workspace: Workspace, *, by: Any, shorten_by_default: bool) -> LinkSettings:
    require(by, workspace, Perm.PUBLISH)
    row, _created = LinkSettings.objects.update_or_create(
        workspace=workspace, defaults={"shorten_by_default": shorten_by_default}
    )
    audit.record(
        "links.settings_saved", workspace=workspace, actor=by, details={"shorten_by_default": shorten_by_default}
    )
    return row


def templates_for(workspace: Workspace, network: str) -> dict[str, str]:
    """The templates a channel of ``network`` uses: that network's preset, else the workspace's, else DEFAULTS."""
    rows = {p.network: p for p in UtmPreset.objects.filter(workspace=workspace, network__in=[network, ""])}
    chosen = rows.get(network) or rows.get("")
    return chosen.templates() if chosen else dict(utm.DEFAULTS)


def check_templates(templates: dict[str, str]) -> dict[str, str]:
    """The templates trimmed, or a ValidationError naming each field with an unknown variable or too long."""
    errors: dict[str, list[str]] = {}
    clean = {}
    for name in UTM_FIELDS:
        value = " ".join(str(templates.get(name, "")).split())
        unknown = utm.unknown_variables(value)
        if unknown:
            errors[name] = [
                _("Unknown variable %(names)s: use {channel}, {network}, {post_id} or {date}.")
                % {"names": ", ".join("{" + n + "}" for n in unknown)}
            ]
        elif len(value) > MAX_TEMPLATE:
            errors[name] = [
                ngettext("At most %(max)d character.", "At most %(max)d characters.", MAX_TEMPLATE)
                % {"max": MAX_TEMPLATE}
            ]
        clean[name] = value
    if errors:
        raise ValidationError(errors)
    return clean


def save_preset(workspace: Workspace, *, by: Any, network: str = "", templates: dict[str, str]) -> UtmPreset:
    require(by, workspace, Perm.PUBLISH)
    clean = check_templates(templates)
    row, _created = UtmPreset.objects.update_or_create(workspace=workspace, network=network, defaults=clean)
    parameters = ", ".join(f"{name}={value}" for name, value in clean.items() if value)
    audit.record(
        "links.preset_saved", workspace=workspace, actor=by, details={"network": network, "parameters": parameters}
    )
    return row


def set_post_choice(post: Any, shorten: bool) -> None:
    """Record whether ``post`` shortens its links (the composer's checkbox; called in its transaction)."""
    PostTracking.objects.update_or_create(post=post, defaults={"workspace_id": post.workspace_id, "shorten": shorten})


def shortens(post: Any) -> bool:
    """The post's own choice, else the workspace's default (a post made through the API has no choice)."""
    choice = PostTracking.objects.filter(post_id=post.pk).values_list("shorten", flat=True).first()
    return settings_for(post.workspace).shorten_by_default if choice is None else choice


# --------------------------------------------------------------------------------------- at send time


def shorten_for_delivery(delivery: Any, outgoing: OutgoingPost) -> OutgoingPost:
    """The delivery's post with each of its links made the channel's short link, when the post asks for it.

    Costs one regular expression per text when there is no link; the links are made (or found again) in the
    caller's transaction, committed before the network call."""
    targets = addresses.links_in(outgoing.body_text)
    for found in addresses.links_in(outgoing.body_html.replace("&amp;", "&")):
        if found not in targets:
            targets.append(found)
    if not targets or not shortens(delivery.post):
        return outgoing
    connection = delivery.connection
    context = utm.Context(
        channel=connection.name,
        network=connection.network,
        post_id=str(delivery.post_id),
        date=_local_day(delivery.due_at, delivery.post.workspace).isoformat(),
    )
    templates = templates_for(delivery.post.workspace, connection.network)
    short = {t: addresses.short_url(link_for(delivery.post, connection, t, templates, context).code) for t in targets}
    return replace(
        outgoing,
        body_text=addresses.swap_text(outgoing.body_text, short.get),
        body_html=addresses.swap_html(outgoing.body_html, short.get),
    )


def _local_day(moment: Any, workspace: Workspace) -> date:
    return moment.astimezone(workspace_zone(workspace)).date()


def digest(target: str) -> str:
    return hashlib.sha256(target.encode("utf-8")).hexdigest()


def link_for(
    post: Any, connection: Connection, target: str, templates: dict[str, str], context: utm.Context
) -> ShortLink:
    """The short link of (post, channel, address): found when it exists, else made with a fresh random code."""
    key = {"post": post, "connection": connection, "target_digest": digest(target)}
    existing = ShortLink.objects.filter(**key).first()
    if existing is not None:
        return existing
    resolved = utm.resolve(templates, context)
    values = {"workspace": post.workspace, "target": target, "destination": utm.merged(target, resolved), **resolved}
    for _try in range(_CODE_TRIES):
        try:
            with transaction.atomic():
                link, _created = ShortLink.objects.get_or_create(**key, defaults={**values, "code": new_code()})
            return link
        except IntegrityError:  # the code was taken (one chance in trillions): draw another
            continue
    raise IntegrityError("no free short link code")


def new_code() -> str:
    return "".join(secrets.choice(addresses.CODE_ALPHABET) for _ in range(addresses.CODE_LENGTH))


# --------------------------------------------------------------------------------------- clicks


def follow(code: str, *, method: str, user_agent: str) -> str | None:
    """Where the short link ``code`` leads (None: no such link), counting the click when a person made it.

    The count is one UPDATE … SET count = count + 1 of the (link, day) row, or its INSERT the first time that day;
    nothing about the visitor is kept."""
    if not addresses.is_code(code):
        return None
    link = ShortLink.objects.filter(code=code).select_related("workspace").first()
    if link is None:
        return None
    if counts_as_click(method, user_agent):
        count_click(link)
    return link.destination


def count_click(link: ShortLink) -> None:
    day = _local_day(timezone.now(), link.workspace)
    if ClickCount.objects.filter(link=link, day=day).update(count=F("count") + 1):
        return
    try:
        with transaction.atomic():
            ClickCount.objects.create(link=link, day=day, count=1)
    except IntegrityError:  # another click made the day's row meanwhile
        ClickCount.objects.filter(link=link, day=day).update(count=F("count") + 1)
