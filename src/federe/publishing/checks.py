"""What a post may hold, checked before anything is stored: the channels are the workspace's and can publish,
each variant fits its network's rules (``PostRules``: length counted the network's way, title, content warning,
visibility, language). Refusals are ``ValidationError``s in plain translated words."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from federe.accounts.models import Workspace
from federe.connections.models import Connection
from federe.connectors import registry
from federe.connectors.capabilities import Capability
from federe.connectors.types import PostRules
from federe.core.html import html_to_text, sanitize_html, text_to_html
from federe.links.addresses import as_previewed
from federe.publishing.models import Approval, Recurrence

MAX_TEXT = 100_000
#: A publication time further in the past than this is taken for a mistake and refused.
PAST_GRACE = timedelta(minutes=5)
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")


@dataclass
class VariantInput:
    """A channel's version of the post; empty texts take the post's own."""

    connection_id: int
    body_text: str = ""
    body_html: str = ""
    title: str = ""
    content_warning: str = ""
    visibility: str = ""
    language: str = ""
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class PostInput:
    body: str
    variants: list[VariantInput]
    title: str = ""
    scheduled_at: datetime | None = None  # aware, or naive in the workspace's timezone; None: a draft
    # None: a new post needs no approval, an edited one keeps its state (the approval workflow sets it; an API
    # client never approves its own post through this field)
    approval: str | None = None
    recurrence: str = ""
    recurrence_until: datetime | None = None
    # True: the time is the next free slot of the channels' queues (``queueing.queue_time``), not ``scheduled_at``
    queue: bool = False
    # True: the links become short links when sent, so the length is counted on the shortened text.
    shorten_links: bool = False


def workspace_zone(workspace: Workspace) -> ZoneInfo:
    try:
        return ZoneInfo(workspace.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def to_utc(value: datetime, workspace: Workspace) -> datetime:
    """An aware time as it is; a naive one read on the workspace's clock (an hour that does not exist, skipped by
    summer time, moves forward; one that happens twice is the first)."""
    if timezone.is_naive(value):
        value = value.replace(tzinfo=workspace_zone(workspace))
    return value.astimezone(ZoneInfo("UTC"))


def check_post(workspace: Workspace, data: PostInput) -> dict[int, Connection]:
    """Refuse what cannot be published; returns the channels by id. Normalises the variants' texts in place."""
    errors: dict[str, list[str]] = {}
    if data.recurrence_until is not None:
        try:
            data.recurrence_until = to_utc(data.recurrence_until, workspace)
        except (OverflowError, ValueError):
            errors["recurrence_until"] = [_("This date is out of range.")]
    if len(data.body) > MAX_TEXT or len(data.title) > 300:
        errors["body"] = [_("The text is too long.")]
    if data.approval is not None and data.approval not in Approval.values:
        errors["approval"] = [_("Unknown approval state.")]
    if data.recurrence not in Recurrence.values:
        errors["recurrence"] = [_("Choose once, every day, every week or every month.")]
    if data.scheduled_at is not None:
        try:
            data.scheduled_at = to_utc(data.scheduled_at, workspace)
        except (OverflowError, ValueError):  # year 1 or 9999 shifted out of range by the timezone
            errors["scheduled_at"] = [_("This date is out of range.")]
        else:
            if data.scheduled_at < timezone.now() - PAST_GRACE:
                errors["scheduled_at"] = [_("This time is in the past: choose a time to come.")]
    channels = _channels(workspace, data, errors)
    for variant in data.variants:
        connection = channels.get(variant.connection_id)
        if connection is not None:
            _fill(variant, data)
            rules = registry.connector_class(connection.network).post_rules
            problems = variant_problems(variant, rules, shortened=data.shorten_links)
            if problems:
                errors.setdefault("variants", []).extend(f"{connection.name}: {p}" for p in problems)
    if errors:
        raise ValidationError(errors)
    return channels


def _channels(workspace: Workspace, data: PostInput, errors: dict[str, list[str]]) -> dict[int, Connection]:
    ids = [variant.connection_id for variant in data.variants]
    if len(set(ids)) != len(ids):
        errors["variants"] = [_("Each channel takes one version of the post.")]
    found = {c.pk: c for c in Connection.objects.filter(workspace=workspace, pk__in=ids)}
    missing = [i for i in ids if i not in found]
    if missing:
        errors.setdefault("variants", []).append(
            ngettext("There is no channel %(ids)s here.", "There are no channels %(ids)s here.", len(missing))
            % {"ids": ", ".join(str(i) for i in missing)}
        )
    for connection in found.values():
        if Capability.PUBLISH not in registry.connector_class(connection.network).capabilities:
            errors.setdefault("variants", []).append(
                _("%(channel)s cannot publish posts.") % {"channel": connection.name}
            )
    if not ids and data.scheduled_at is not None:
        errors["variants"] = [_("Choose at least one channel to publish on.")]
    return found


def _fill(variant: VariantInput, data: PostInput) -> None:
    if variant.body_html:
        variant.body_html = sanitize_html(variant.body_html)
    if not variant.body_text:
        variant.body_text = html_to_text(variant.body_html) if variant.body_html else data.body
    if not variant.body_html:
        variant.body_html = text_to_html(variant.body_text)
    variant.title = variant.title or data.title


def variant_problems(variant: VariantInput, rules: PostRules | None, *, shortened: bool = False) -> list[str]:
    """What does not fit the network's rules, in words (empty when it fits); ``shortened``: counted as sent, with
    its links shortened."""
    if rules is None:
        return []
    problems = []
    length = rules.count(as_previewed(variant.body_text) if shortened else variant.body_text)
    if rules.max_length is not None and length > rules.max_length:
        problems.append(
            ngettext(
                "the text is %(length)d long, the network takes at most %(max)d character.",
                "the text is %(length)d long, the network takes at most %(max)d characters.",
                rules.max_length,
            )
            % {"length": length, "max": rules.max_length}
        )
    if not variant.body_text.strip() and not variant.title.strip():
        problems.append(_("the post has no text."))
    problems.extend(_title_problems(variant.title.strip(), rules))
    if variant.content_warning and not rules.content_warning:
        problems.append(_("this network has no content warnings."))
    if variant.visibility and variant.visibility not in rules.visibilities:
        problems.append(_("this network has no such visibility."))
    if variant.language and not _LANGUAGE.match(variant.language):
        problems.append(_("the language is a two-letter code, such as fr or en."))
    if len(variant.title) > 300 or len(variant.content_warning) > 500 or len(variant.body_text) > MAX_TEXT:
        problems.append(_("the text is too long."))
    return problems


def _title_problems(title: str, rules: PostRules) -> list[str]:
    """The network's own title rules (a Misago thread needs a title of 5 to 90 characters)."""
    if not title:
        return [_("this network needs a title.")] if rules.title_required else []
    if len(title) < rules.title_min_length:
        return [
            ngettext(
                "the title is %(length)d long, the network wants at least %(min)d character.",
                "the title is %(length)d long, the network wants at least %(min)d characters.",
                rules.title_min_length,
            )
            % {"length": len(title), "min": rules.title_min_length}
        ]
    if rules.title_max_length is not None and len(title) > rules.title_max_length:
        return [
            ngettext(
                "the title is %(length)d long, the network takes at most %(max)d character.",
                "the title is %(length)d long, the network takes at most %(max)d characters.",
                rules.title_max_length,
            )
            % {"length": len(title), "max": rules.title_max_length}
        ]
    return []
