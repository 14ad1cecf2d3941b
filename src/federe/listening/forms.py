"""Listening forms: a saved query, and the alert settings (validated when saved, the signing secret never shown)."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from federe.core.validators import DecimalCommaField, validate_outgoing_url
from federe.listening.models import AlertSettings, QueryKind


class QueryForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("", _("Choose a kind…")), *QueryKind.choices],
        help_text=_("Only brand and competitor queries enter share of voice."),
    )
    brand = forms.CharField(
        label=_("Brand name"),
        max_length=120,
        required=False,
        help_text=_(
            "For a brand or competitor query: the brand it counts for in share of voice. Empty: the query's name. "
            "Queries with the same brand name count as one brand, each message once."
        ),
    )
    text = forms.CharField(
        label=_("Query"),
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false", "autocomplete": "off"}),
        help_text=_(
            'Words, "exact phrases", communaut* (any ending), AND / OR / NOT (or ET / OU / SAUF), parentheses, '
            "NEAR/5, and lang:fr, channel:, site:, author:, has:link. Accents and capitals are ignored."
        ),
    )


def email_lines(text: str) -> list[str]:
    """The addresses of a list typed one per line (commas and semicolons also separate them)."""
    return [part.strip() for part in re.split(r"[\n,;]+", text or "") if part.strip()]


class AlertSettingsForm(forms.ModelForm):
    """The numbers accept a decimal comma; the secret is write-only: empty keeps the current one."""

    window_minutes = forms.IntegerField(label=_("recent window (minutes)"), min_value=1, max_value=10080)
    baseline_minutes = forms.IntegerField(label=_("baseline window before it (minutes)"), min_value=1, max_value=43200)
    min_volume = forms.IntegerField(label=_("minimum mentions in the recent window"), min_value=1, max_value=1000000)
    volume_factor = DecimalCommaField(label=_("volume: times the baseline rate"), min_value=1, max_value=1000)
    negative_share = DecimalCommaField(label=_("negative share at least"), min_value=0, max_value=1)
    negative_rise = DecimalCommaField(
        label=_("negative share above the baseline's by at least"), min_value=0, max_value=1
    )
    webhook_url = forms.URLField(
        label=_("webhook URL"), required=False, assume_scheme="https", validators=[validate_outgoing_url]
    )
    new_secret = forms.CharField(
        label=_("webhook signing secret"),
        required=False,
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    remove_secret = forms.BooleanField(label=_("Remove the signing secret"), required=False)

    class Meta:
        model = AlertSettings
        fields = [
            "window_minutes",
            "baseline_minutes",
            "min_volume",
            "volume_factor",
            "negative_share",
            "negative_rise",
            "emails",
            "webhook_url",
        ]
        widgets = {"emails": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.webhook_secret:
            self.fields["new_secret"].label = _("Replace the signing secret")
            self.fields["new_secret"].help_text = _("A signing secret is set. Leave this empty to keep it.")
        else:
            del self.fields["remove_secret"]

    def clean_emails(self) -> str:
        addresses = email_lines(self.cleaned_data.get("emails", ""))
        errors = []
        for address in addresses:
            try:
                validate_email(address)
            except ValidationError:
                errors.append(
                    ValidationError(
                        _("%(value)s is not a valid e-mail address."), code="invalid", params={"value": address}
                    )
                )
        if errors:
            raise ValidationError(errors)
        return "\n".join(addresses)
