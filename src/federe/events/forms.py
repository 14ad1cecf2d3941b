"""The event form (times on the workspace's clock), its announcement's form, and the public registration form."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from federe.events import services
from federe.events.models import EntryRule, Event, Status
from federe.publishing.forms import local_datetime


def _day(label: Any) -> forms.DateField:
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}))


def _time(label: Any) -> forms.TimeField:
    return forms.TimeField(label=label, widget=forms.TimeInput(attrs={"type": "time"}))


class EventForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=10_000, widget=forms.Textarea(attrs={"rows": 4})
    )
    start_day = _day(_("Start date"))
    start_at = _time(_("Start time"))
    end_day = _day(_("End date"))
    end_at = _time(_("End time"))
    online = forms.BooleanField(label=_("Online"), required=False)
    place = forms.CharField(label=_("Place"), max_length=300, required=False, help_text=_("For an event in person."))
    link = forms.CharField(label=_("Link to join"), max_length=500, required=False, help_text=_("For an online event."))
    capacity = forms.IntegerField(
        label=_("Capacity"),
        required=False,
        min_value=1,
        max_value=services.MAX_CAPACITY,
        help_text=_("Empty: no limit. When it is full, people go on a waiting list."),
    )
    status = forms.ChoiceField(label=_("Status"), choices=Status.choices, initial=Status.OPEN)
    consent_text = forms.CharField(
        label=_("Consent text"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Shown on the registration page with a box to tick; empty: no box."),
    )
    rule = forms.ChoiceField(label=_("Registration by message"), choices=EntryRule.choices, required=False)
    term = forms.CharField(label=_("Hashtag or keyword"), max_length=100, required=False)

    def __init__(self, *args: Any, zone: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.zone = zone

    def fields_out(self) -> services.Fields:
        d = self.cleaned_data
        try:
            starts = local_datetime(d["start_day"], d["start_at"], self.zone)
            ends = local_datetime(d["end_day"], d["end_at"], self.zone)
        except ValidationError as exc:
            raise ValidationError({"start_day": exc.messages}) from exc
        return services.Fields(
            title=d["title"],
            description=d.get("description") or "",
            starts_at=starts,
            ends_at=ends,
            online=d["online"],
            place=d.get("place") or "",
            link=d.get("link") or "",
            capacity=d.get("capacity"),
            status=d["status"],
            consent_text=d.get("consent_text") or "",
            rule=d.get("rule") or "",
            term=d.get("term") or "",
        )


def initial_of(event: Event) -> dict[str, Any]:
    zone = ZoneInfo(event.workspace.timezone)
    start, end = event.starts_at.astimezone(zone), event.ends_at.astimezone(zone)
    return {
        "title": event.title,
        "description": event.description,
        "start_day": start.date(),
        "start_at": start.time().replace(second=0, microsecond=0),
        "end_day": end.date(),
        "end_at": end.time().replace(second=0, microsecond=0),
        "online": event.online,
        "place": event.place,
        "link": event.link,
        "capacity": event.capacity,
        "status": event.status,
        "consent_text": event.consent_text,
        "rule": event.rule,
        "term": event.term,
    }


class PostsForm(forms.Form):
    """The announcement and the reminder, offered on the event's page until they are scheduled."""

    channels = forms.TypedMultipleChoiceField(
        label=_("Channels"), coerce=int, widget=forms.CheckboxSelectMultiple, required=True
    )
    announce_day = _day(_("Announcement date"))
    announce_at = _time(_("Announcement time"))
    remind_hours = forms.IntegerField(
        label=_("Reminder, hours before the start"), min_value=1, max_value=24 * 30, initial=24
    )

    def __init__(self, *args: Any, channels: list[tuple[int, str]], zone: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.zone = zone
        self.fields["channels"].choices = channels  # type: ignore[attr-defined]

    def when(self) -> tuple[Any, timedelta]:
        d = self.cleaned_data
        try:
            at = local_datetime(d["announce_day"], d["announce_at"], self.zone)
        except ValidationError as exc:
            raise ValidationError({"announce_day": exc.messages}) from exc
        return at, timedelta(hours=d["remind_hours"])


class RegisterForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(label=_("Your e-mail address"), max_length=254)
    consent = forms.BooleanField(label=_("I agree"), required=False)


class FollowUpForm(forms.Form):
    to = forms.ChoiceField(label=_("Send to"), choices=[("attended", _("Attendees")), ("no_show", _("No-shows"))])
    text = forms.CharField(label=_("Message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
