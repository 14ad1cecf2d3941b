"""The report template form: only typing; ``services.check`` decides."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from federe.analytics.period import PRESETS
from federe.reports.content import SECTIONS
from federe.reports.models import MAX_NAME, Language, Schedule
from federe.reports.services import Fields


class TemplateForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=MAX_NAME, error_messages={"required": _("Give the template a name.")}
    )
    language = forms.ChoiceField(label=_("Language of the report"), choices=Language.choices)
    sections = forms.MultipleChoiceField(
        label=_("Sections"),
        choices=[(k, v) for k, v in SECTIONS.items()],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    days = forms.TypedChoiceField(
        label=_("Days covered"),
        coerce=int,
        choices=[(n, n) for n in PRESETS],
        help_text=_("The report covers this many whole days, up to the day before it is made."),
    )
    primary_colour = forms.CharField(
        label=_("Main colour"), max_length=7, widget=forms.TextInput(attrs={"type": "color"})
    )
    accent_colour = forms.CharField(
        label=_("Accent colour"), max_length=7, widget=forms.TextInput(attrs={"type": "color"})
    )
    logo = forms.FileField(
        label=_("Logo"), required=False, help_text=_("A PNG or JPEG image of at most 1 MB, kept on this server.")
    )
    drop_logo = forms.BooleanField(label=_("Remove the logo"), required=False)
    schedule = forms.ChoiceField(label=_("E-mailed"), choices=Schedule.choices, required=False)
    recipients = forms.CharField(
        label=_("Recipients"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One e-mail address a line."),
    )

    def fields_value(self) -> Fields:
        data: dict[str, Any] = self.cleaned_data
        return Fields(
            name=data["name"],
            language=data["language"],
            sections=list(data["sections"]),
            days=data["days"],
            primary_colour=data["primary_colour"],
            accent_colour=data["accent_colour"],
            schedule=data["schedule"] or "",
            recipients=[line.strip() for line in (data["recipients"] or "").splitlines() if line.strip()],
        )

    def logo_bytes(self) -> bytes | None:
        upload = self.cleaned_data.get("logo")
        if upload is None:
            return None
        return upload.read(1024 * 1024 + 1)
