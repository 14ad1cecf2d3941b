"""The compose form: a post written once, a variant per chosen channel (blank: the main text), images with
their descriptions, and when it goes out, typed in the workspace's timezone.

Each variant is checked against its network's rules (``limits.check``) as the page shows them while one types.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from federe.links.addresses import as_previewed
from federe.publishing.channels import Channel
from federe.publishing.limits import Draft, Measure, MediaFacts, check
from federe.publishing.uploads import image_type

IMAGE_SLOTS = 4


class When:
    DRAFT, NOW, LATER, QUEUE = "draft", "now", "later", "queue"
    CHOICES = [
        (DRAFT, _lazy("Save as draft")),
        (NOW, _lazy("Publish now")),
        (LATER, _lazy("Schedule")),
        (QUEUE, _lazy("Add to queue")),  # the next free time of the channels' queues (publishing.queueing)
    ]


@dataclass
class VariantPlan:
    channel: Channel
    text: str
    title: str = ""
    content_warning: str = ""
    visibility: str = ""
    language: str = ""


@dataclass
class ComposePlan:
    """What the form asks for, checked: the compose view hands it to the publishing services."""

    title: str
    body: str
    when: str
    scheduled_at: datetime | None
    variants: list[VariantPlan] = field(default_factory=list)
    images: list[tuple[UploadedFile, str, str]] = field(default_factory=list)  # (file, checked type, alt text)
    alt_texts: dict[int, str] = field(default_factory=dict)  # existing image id → its description
    removed: set[int] = field(default_factory=set)  # existing image ids to remove
    track_links: bool = False  # the links become short links with the channel's UTM parameters when sent


def local_datetime(day: date, at: time, zone: str) -> datetime:
    """A wall-clock time in ``zone`` as an aware datetime; a time that does not exist there (the hour skipped
    when summer time starts) is refused in words."""
    tz = ZoneInfo(zone)
    local = datetime.combine(day, at).replace(tzinfo=tz)
    try:
        back = local.astimezone(ZoneInfo("UTC")).astimezone(tz)
    except OverflowError:  # the first or last hours of the calendar, in UTC
        raise ValidationError(_("Choose a date between the years 1 and 9999.")) from None
    if back.replace(tzinfo=None) != local.replace(tzinfo=None):
        raise ValidationError(_("This time does not exist in %(zone)s (the clocks go forward).") % {"zone": zone})
    return local


class ComposeForm(forms.Form):
    title = forms.CharField(label=_lazy("Title"), max_length=300, required=False)
    body = forms.CharField(
        label=_lazy("Text"), required=False, max_length=50_000, strip=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    when = forms.ChoiceField(label=_lazy("When"), choices=When.CHOICES, initial=When.LATER, widget=forms.RadioSelect)
    day = forms.DateField(label=_lazy("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    at = forms.TimeField(label=_lazy("Time"), required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    track_links = forms.BooleanField(
        label=_lazy("Shorten links and add tracking"),
        required=False,
        help_text=_lazy("Each link becomes a short link of this server, per channel, counting clicks."),
    )

    def __init__(
        self, *args: Any, channels: list[Channel], zone: str, existing: list[Any] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.channels, self.zone, self.existing = channels, zone, list(existing or [])
        self.fields["channels"] = forms.TypedMultipleChoiceField(
            label=_lazy("Channels"),
            coerce=int,
            required=False,
            choices=[(c.pk, c.connection.name) for c in channels],
            widget=forms.CheckboxSelectMultiple,
        )
        for channel in channels:
            self._add_variant_fields(channel)
        for slot in range(1, IMAGE_SLOTS + 1):
            self.fields[f"image_{slot}"] = forms.FileField(
                label=_lazy("Image"), required=False, widget=forms.ClearableFileInput(attrs={"accept": "image/*"})
            )
            self.fields[f"alt_{slot}"] = forms.CharField(
                label=_lazy("Description (alt text)"), required=False, max_length=1500
            )
        for media in self.existing:
            self.fields[f"alt_m{media.pk}"] = forms.CharField(
                label=_lazy("Description (alt text)"), required=False, max_length=1500, initial=media.alt_text
            )
            self.fields[f"remove_m{media.pk}"] = forms.BooleanField(label=_lazy("Remove"), required=False)

    def _add_variant_fields(self, channel: Channel) -> None:
        rules, p = channel.rules, channel.prefix
        self.fields[f"{p}_text"] = forms.CharField(
            label=_lazy("Text for this channel"),
            required=False,
            max_length=50_000,
            strip=False,
            widget=forms.Textarea(attrs={"rows": 4}),
            help_text=_lazy("Empty: the main text."),
        )
        if rules.title:
            self.fields[f"{p}_title"] = forms.CharField(label=_lazy("Title"), max_length=300, required=False)
        if rules.content_warning:
            self.fields[f"{p}_content_warning"] = forms.CharField(
                label=_lazy("Content warning"), max_length=500, required=False
            )
        if rules.visibilities:
            self.fields[f"{p}_visibility"] = forms.ChoiceField(
                label=_lazy("Visibility"),
                required=False,
                choices=[("", _lazy("The network's default")), *((v, v) for v in rules.visibilities)],
            )
        if rules.language:
            self.fields[f"{p}_language"] = forms.ChoiceField(
                label=_lazy("Language"),
                required=False,
                choices=[("", _lazy("Not said")), *settings.LANGUAGES],
            )

    # ------------------------------------------------------------------------------------------ reading

    def variant_blocks(self) -> list[dict[str, Any]]:
        """For the template: each channel with its bound fields."""
        blocks = []
        for channel in self.channels:
            names = [n for n in self.fields if n.startswith(channel.prefix + "_")]
            blocks.append(
                {"channel": channel, "fields": [self[n] for n in names], "text": self[f"{channel.prefix}_text"]}
            )
        return blocks

    def image_slots(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"image_{n}"], self[f"alt_{n}"]) for n in range(1, IMAGE_SLOTS + 1)]

    def existing_images(self) -> list[tuple[Any, forms.BoundField, forms.BoundField]]:
        return [(m, self[f"alt_m{m.pk}"], self[f"remove_m{m.pk}"]) for m in self.existing]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        self._clean_schedule(data)
        images = self._clean_images(data)
        if data.get("when") != When.DRAFT and not data.get("channels"):
            self.add_error("channels", _("Choose at least one channel."))
        media = tuple(MediaFacts(mime, upload.size or 0, alt) for upload, mime, alt in images) + tuple(
            MediaFacts(m.mime, m.size, data.get(f"alt_m{m.pk}", ""))
            for m in self.existing
            if not data.get(f"remove_m{m.pk}")
        )
        self.measures: dict[int, Measure] = {}
        for channel in self.chosen():
            plan = self._variant(channel, data)
            text = as_previewed(plan.text) if data.get("track_links") else plan.text
            draft = Draft(text, plan.title, media, plan.content_warning, plan.visibility, plan.language)
            measure = self.measures[channel.pk] = check(channel.rules, draft)
            for error in measure.errors:
                self.add_error(f"{channel.prefix}_text", error)
        data["images"] = images
        return data

    def chosen(self) -> list[Channel]:
        wanted = set(self.cleaned_data.get("channels") or ())
        return [c for c in self.channels if c.pk in wanted]

    def _variant(self, channel: Channel, data: dict[str, Any]) -> VariantPlan:
        p = channel.prefix
        return VariantPlan(
            channel=channel,
            text=data.get(f"{p}_text") or data.get("body") or "",
            title=(data.get(f"{p}_title") or data.get("title") or "") if channel.rules.title else "",
            content_warning=data.get(f"{p}_content_warning", ""),
            visibility=data.get(f"{p}_visibility", ""),
            language=data.get(f"{p}_language", ""),
        )

    def _clean_schedule(self, data: dict[str, Any]) -> None:
        data["scheduled_at"] = None
        if data.get("when") == When.NOW:
            data["scheduled_at"] = timezone.now()
        elif data.get("when") == When.LATER:
            day, at = data.get("day"), data.get("at")
            if day is None or at is None:
                self.add_error("day", _("Give the date and time, or choose “Publish now” or “Save as draft”."))
                return
            try:
                moment = local_datetime(day, at, self.zone)
            except ValidationError as exc:
                self.add_error("at", exc)
                return
            if moment < timezone.now():
                self.add_error("day", _("This time is in the past."))
            data["scheduled_at"] = moment

    def _clean_images(self, data: dict[str, Any]) -> list[tuple[UploadedFile, str, str]]:
        images = []
        for slot in range(1, IMAGE_SLOTS + 1):
            upload = data.get(f"image_{slot}")
            if not upload:
                continue
            try:
                images.append((upload, image_type(upload), data.get(f"alt_{slot}", "")))
            except ValidationError as exc:
                self.add_error(f"image_{slot}", exc)
        return images

    def plan(self) -> ComposePlan:
        data = self.cleaned_data
        return ComposePlan(
            title=data.get("title", ""),
            body=data.get("body", ""),
            when=data["when"],
            scheduled_at=data.get("scheduled_at"),
            variants=[self._variant(c, data) for c in self.chosen()],
            images=data.get("images", []),
            alt_texts={m.pk: data.get(f"alt_m{m.pk}", "") for m in self.existing},
            removed={m.pk for m in self.existing if data.get(f"remove_m{m.pk}")},
            track_links=bool(data.get("track_links")),
        )
