"""A variant measured against its network's rules (``Connector.post_rules``), as the composer shows it.

``check`` is pure: it takes the network's ``PostRules`` and what the variant holds, counts the text the network's
way (``PostRules.count``: Bluesky graphemes, Mastodon's 23-character links) and says, in translated words, what
stops the variant from going out. The compose form refuses a variant with errors; the page shows the same figures
as one types (an htmx request per pause, answered by ``views.variant_limits``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from federe.connectors.types import PostRules


@dataclass(frozen=True)
class MediaFacts:
    """One attached image, as far as the rules care."""

    mime: str
    size: int
    alt_text: str = ""


@dataclass(frozen=True)
class Draft:
    """What a variant holds, before it is saved."""

    text: str = ""
    title: str = ""
    media: tuple[MediaFacts, ...] = ()
    content_warning: str = ""
    visibility: str = ""
    language: str = ""


@dataclass
class Measure:
    """The figures the composer shows under a variant, and what is wrong with it."""

    count: int
    max_length: int | None
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # not blocking: what the network will leave out

    @property
    def remaining(self) -> int | None:
        return None if self.max_length is None else self.max_length - self.count

    @property
    def over(self) -> bool:
        return self.remaining is not None and self.remaining < 0

    @property
    def ok(self) -> bool:
        return not self.errors


def check(rules: PostRules, draft: Draft) -> Measure:
    """The variant measured by ``rules``: its length counted the network's way, and every refusal in words."""
    measure = Measure(count=rules.count(draft.text), max_length=rules.max_length)
    _check_text(rules, draft, measure)
    _check_media(rules, draft.media, measure)
    _check_options(rules, draft, measure)
    return measure


def _check_text(rules: PostRules, draft: Draft, measure: Measure) -> None:
    if not draft.text.strip() and not draft.media:
        measure.errors.append(_("Write something to post."))
    if measure.over:
        over = -(measure.remaining or 0)
        measure.errors.append(
            ngettext(
                "%(over)d character over this network's limit of %(limit)d.",
                "%(over)d characters over this network's limit of %(limit)d.",
                over,
            )
            % {"over": over, "limit": measure.max_length}
        )
    if draft.title.strip() and not rules.title:
        measure.notes.append(_("This network takes no title: it is left out."))


def _check_media(rules: PostRules, media: tuple[MediaFacts, ...], measure: Measure) -> None:
    if media and rules.media_max == 0:
        measure.errors.append(_("This network takes no images."))
        return
    if len(media) > rules.media_max:
        measure.errors.append(
            ngettext(
                "This network takes at most %(limit)d image.",
                "This network takes at most %(limit)d images.",
                rules.media_max,
            )
            % {"limit": rules.media_max}
        )
    for number, item in enumerate(media, start=1):
        if item.mime not in rules.media_types:
            measure.errors.append(
                _("Image %(number)d: this network takes no files of type %(type)s.")
                % {"number": number, "type": item.mime or "?"}
            )
        if rules.media_max_bytes and item.size > rules.media_max_bytes:
            measure.errors.append(
                _("Image %(number)d is larger than this network's limit of %(limit)s.")
                % {"number": number, "limit": filesizeformat(rules.media_max_bytes)}
            )
        if rules.alt_text_required and not item.alt_text.strip():
            measure.errors.append(
                _("Image %(number)d: this network needs a description (alt text).") % {"number": number}
            )


def _check_options(rules: PostRules, draft: Draft, measure: Measure) -> None:
    if draft.content_warning.strip() and not rules.content_warning:
        measure.notes.append(_("This network has no content warning: it is left out."))
    if draft.visibility and draft.visibility not in rules.visibilities:
        measure.errors.append(_("This network has no visibility “%(value)s”.") % {"value": draft.visibility})
    if draft.language and not rules.language:
        measure.notes.append(_("This network does not take a language: it is left out."))
