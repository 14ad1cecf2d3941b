"""The SLA policy form: targets in minutes, conditions as check boxes, business hours as one line per weekday
("09:00-12:00, 13:00-18:00") and holidays one date a line."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from federe.inbox.models import Priority
from federe.sla import services
from federe.sla.models import HoursKind, Policy

WEEKDAYS = [_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"), _("Saturday"), _("Sunday")]


def clock_text(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _minutes(label: Any) -> forms.IntegerField:
    return forms.IntegerField(label=label, required=False, min_value=1, max_value=services.MAX_MINUTES)


class PolicyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    first_response_minutes = _minutes(_("First response within (minutes)"))
    next_response_minutes = _minutes(_("Next response within (minutes)"))
    resolution_minutes = _minutes(_("Resolution within (minutes)"))
    channels = forms.TypedMultipleChoiceField(
        label=_("Channels"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every channel."),
    )
    priorities = forms.MultipleChoiceField(
        label=_("Priorities"),
        choices=Priority.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every priority."),
    )
    hours = forms.ChoiceField(label=_("Hours counted"), choices=HoursKind.choices)
    holidays = forms.CharField(
        label=_("Holidays"),
        required=False,
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One date a line, like 2026-12-25 (business hours only)."),
    )

    # Shown only while "Business hours" is chosen (data-shown-when in sla/_policy_form.html).
    business_hours_fields = (*(f"day{day}" for day in range(7)), "holidays")

    def __init__(self, *args: object, channels: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["channels"].choices = channels  # type: ignore[attr-defined]
        for day, label in enumerate(WEEKDAYS):
            self.fields[f"day{day}"] = forms.CharField(
                label=label, required=False, max_length=200, help_text=_("09:00-12:00, 13:00-18:00; empty: closed")
            )

    def clean(self) -> dict:
        data = super().clean() or {}
        intervals = []
        for day in range(7):
            try:
                intervals += services.parse_day(day, data.get(f"day{day}", ""))
            except ValidationError as exc:
                self.add_error(f"day{day}", exc)
        data["business_hours"] = intervals
        holidays = []
        for line in filter(None, (raw.strip() for raw in (data.get("holidays") or "").splitlines())):
            try:
                holidays.append(date.fromisoformat(line) if line.isascii() and len(line) == 10 else date.min)
            except ValueError:
                holidays.append(date.min)
            if holidays[-1] == date.min:
                self.add_error("holidays", _("“%(day)s” is not a date like 2026-12-25.") % {"day": line[:20]})
                break
        data["holiday_dates"] = holidays
        return data

    def fields_out(self) -> services.Fields:
        data = self.cleaned_data
        return services.Fields(
            name=data["name"],
            first_response_minutes=data.get("first_response_minutes"),
            next_response_minutes=data.get("next_response_minutes"),
            resolution_minutes=data.get("resolution_minutes"),
            hours=data["hours"],
            channel_ids=list(data.get("channels") or []),
            priorities=list(data.get("priorities") or []),
            business_hours=data["business_hours"],
            holidays=data["holiday_dates"],
        )


def initial_of(policy: Policy) -> dict:
    initial = {
        "name": policy.name,
        "first_response_minutes": policy.first_response_minutes,
        "next_response_minutes": policy.next_response_minutes,
        "resolution_minutes": policy.resolution_minutes,
        "hours": policy.hours,
        "channels": [c.pk for c in policy.channels.all()],
        "priorities": policy.priorities,
        "holidays": "\n".join(policy.holidays),
    }
    for day in range(7):
        spans = [f"{clock_text(start)}-{clock_text(end)}" for d, start, end in policy.business_hours if d == day]
        initial[f"day{day}"] = ", ".join(spans)
    return initial
